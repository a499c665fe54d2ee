// @ts-check
import mdx from '@astrojs/mdx';
import sitemap from '@astrojs/sitemap';
import { defineConfig } from 'astro/config';
import { nodeWithSecurityHeaders } from './src/server/adapter.ts';

// The public address the site is served from. Canonical URLs, the sitemap, RSS and
// Open Graph tags are absolute, so they need it; the default suits `npm start`.
const site = process.env.AIRCOVER_SITE_URL ?? 'http://localhost:4321';

// Pages that must never appear in the sitemap: personal partner pages, advance
// copies of unpublished papers, and everything served on demand.
const PRIVATE_PREFIXES = ['/p/', '/preview/', '/admin', '/api/', '/og/'];

export default defineConfig({
  site,
  output: 'static',
  // Standalone: `aircover serve` (src/server/) mounts the adapter's exported handler behind the
  // beacon fast path with ASTRO_NODE_AUTOSTART=disabled; `node dist/server/entry.mjs` also works.
  // Both send the security headers on static files too (src/server/adapter.ts and entry.ts).
  adapter: nodeWithSecurityHeaders({ mode: 'standalone' }),
  // Off on purpose: src/middleware.ts applies the same rule to every on-demand route except
  // one-click unsubscribe (mail providers post with no Origin), signed webhooks and beacons.
  // See src/lib/engagement/origin.ts.
  //
  // CSP: Astro hashes every script and style it emits into a <meta> policy per page, so no page
  // needs 'unsafe-inline'; the server adds frame-ancestors and the other headers a <meta> policy
  // cannot carry (src/server/headers.ts).
  security: {
    checkOrigin: false,
    csp: {
      directives: [
        "default-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
      ],
    },
  },
  // Prism marks code with classes, which src/styles/global.css colours; Shiki's colours are
  // inline style attributes, which the CSP above blocks (and Astro warns of on every build).
  markdown: { syntaxHighlight: 'prism' },
  trailingSlash: 'ignore',
  outDir: process.env.AIRCOVER_OUT_DIR ?? './dist',
  // `aircover build` gives each content folder a cache of its own (src/lib/build/astro-cache.ts).
  cacheDir: process.env.AIRCOVER_ASTRO_CACHE_DIR ?? './node_modules/.astro',
  integrations: [
    mdx(),
    sitemap({
      filter: (page) => !PRIVATE_PREFIXES.some((prefix) => new URL(page).pathname.startsWith(prefix)),
    }),
  ],
  devToolbar: { enabled: false },
});
