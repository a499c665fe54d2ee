import rss from '@astrojs/rss';
import type { APIRoute } from 'astro';
import { publicPapers, publicPosts } from '../lib/collections.ts';
import { siteSettings } from '../lib/site.ts';

/** Public papers and posts only: drafts and advance copies never reach the feed. */
export const GET: APIRoute = async (context) => {
  const site = siteSettings();
  const papers = (await publicPapers()).map((paper) => ({
    title: paper.data.title,
    description: paper.data.summary,
    pubDate: paper.data.publishDate,
    link: `/whitepapers/${paper.id}/`,
    categories: ['White paper'],
  }));
  const posts = (await publicPosts()).map((post) => ({
    title: post.data.title,
    description: post.data.description,
    pubDate: post.data.publishDate,
    link: `/blog/${post.id}/`,
    categories: post.data.tags,
  }));
  return rss({
    title: site.name,
    description: site.description,
    site: context.site ?? 'http://localhost:4321',
    items: [...papers, ...posts].sort((a, b) => b.pubDate.getTime() - a.pubDate.getTime()),
    customData: `<language>${site.language}</language>`,
  });
};
