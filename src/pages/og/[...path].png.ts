/**
 * One Open Graph card per public page, drawn at build time and cached by content hash.
 * Advance copies have none (their card would leak a title). Partner cards ("Prepared for
 * <company>") are drawn on all cores and placed by `aircover build` (src/lib/og/pool.ts).
 */

import { getCollection } from 'astro:content';
import type { APIRoute, GetStaticPaths } from 'astro';
import { allWebinars, publicPapers, publicPosts } from '../../lib/collections.ts';
import { type CardContent, cachedCard } from '../../lib/og/card.ts';
import { siteSettings } from '../../lib/site.ts';
import { formatInZone } from '../../lib/time.ts';

export const getStaticPaths = (async () => {
  const site = siteSettings();
  const card = (path: string, content: Omit<CardContent, 'footer'>) => ({
    params: { path },
    props: { ...content, footer: site.name },
  });
  const papers = await publicPapers();
  const posts = await publicPosts();
  const webinars = await allWebinars();
  const authors = await getCollection('authors');
  return [
    card('index', { eyebrow: site.name, title: site.tagline }),
    card('whitepapers', { eyebrow: 'White papers', title: 'Case studies with the numbers behind them' }),
    card('blog', { eyebrow: 'Blog', title: `Field notes from ${site.name}` }),
    card('webinars', { eyebrow: 'Webinars', title: 'Live sessions on our findings' }),
    ...papers.map((p) =>
      card(`whitepapers/${p.id}`, { eyebrow: 'White paper', title: p.data.title, subtitle: p.data.subtitle }),
    ),
    ...posts.map((p) => card(`blog/${p.id}`, { eyebrow: 'Blog', title: p.data.title })),
    ...webinars.map((w) =>
      card(`webinars/${w.id}`, {
        eyebrow: 'Webinar',
        title: w.data.title,
        subtitle: formatInZone(w.data.start, w.data.timeZone),
        accent: '#7c3aed',
      }),
    ),
    ...authors.map((a) => card(`authors/${a.id}`, { eyebrow: a.data.role, title: a.data.name })),
  ];
}) satisfies GetStaticPaths;

export const GET: APIRoute = async ({ props }) => {
  const png = await cachedCard(props as CardContent);
  return new Response(new Uint8Array(png), { headers: { 'Content-Type': 'image/png' } });
};
