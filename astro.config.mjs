// @ts-check
import mdx from '@astrojs/mdx';
import node from '@astrojs/node';
import sitemap from '@astrojs/sitemap';
import { defineConfig } from 'astro/config';

// The public address the site is served from. Canonical URLs, the sitemap, RSS and
// Open Graph tags are absolute, so they need it; the default suits `npm start`.
const site = process.env.AIRCOVER_SITE_URL ?? 'http://localhost:4321';

// Pages that must never appear in the sitemap: personal partner pages, advance
// copies of unpublished papers, and everything served on demand.
const PRIVATE_PREFIXES = ['/p/', '/preview/', '/admin', '/api/', '/og/'];

export default defineConfig({
  site,
  output: 'static',
  adapter: node({ mode: 'standalone' }),
  trailingSlash: 'ignore',
  outDir: process.env.AIRCOVER_OUT_DIR ?? './dist',
  integrations: [
    mdx(),
    sitemap({
      filter: (page) => !PRIVATE_PREFIXES.some((prefix) => new URL(page).pathname.startsWith(prefix)),
    }),
  ],
  devToolbar: { enabled: false },
});
