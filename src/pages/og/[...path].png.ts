/**
 * One Open Graph card per public page, drawn at build time and cached by content hash (the
 * build draws them in worker threads beside Astro and places them; see src/cli/commands/build.ts). Advance copies have none
 * (their card would leak a title). Partner cards ("Prepared for <company>") are placed by
 * `aircover build` itself (src/lib/og/pool.ts).
 */

import { getCollection } from 'astro:content';
import type { APIRoute, GetStaticPaths } from 'astro';
import { type CardContent, cachedCard } from '../../lib/og/card.ts';
import { publicCards } from '../../lib/og/public-cards.ts';
import { siteSettings } from '../../lib/site.ts';

// `aircover build` draws these cards in worker threads alongside Astro and places them itself
// (AIRCOVER_CARDS_PLACED); `astro dev` and a plain `astro build` draw them here.
export const getStaticPaths = (async () =>
  process.env.AIRCOVER_CARDS_PLACED
    ? []
    : publicCards({
        site: siteSettings(),
        papers: await getCollection('whitepapers'),
        posts: await getCollection('blog'),
        webinars: await getCollection('webinars'),
        authors: await getCollection('authors'),
      }).map(({ path, content }) => ({ params: { path }, props: content }))) satisfies GetStaticPaths;

export const GET: APIRoute = async ({ props }) => {
  const png = await cachedCard(props as CardContent);
  return new Response(new Uint8Array(png), { headers: { 'Content-Type': 'image/png' } });
};
