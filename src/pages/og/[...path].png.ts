/**
 * One Open Graph card per public page, drawn at build time and cached by content hash (the
 * build draws them on all cores first; see src/cli/commands/build.ts). Advance copies have none
 * (their card would leak a title). Partner cards ("Prepared for <company>") are placed by
 * `aircover build` itself (src/lib/og/pool.ts).
 */

import { getCollection } from 'astro:content';
import type { APIRoute, GetStaticPaths } from 'astro';
import { type CardContent, cachedCard } from '../../lib/og/card.ts';
import { publicCards } from '../../lib/og/public-cards.ts';
import { siteSettings } from '../../lib/site.ts';

export const getStaticPaths = (async () =>
  publicCards({
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
