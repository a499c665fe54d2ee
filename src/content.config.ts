import { defineCollection, reference } from 'astro:content';
import { contentGlob as glob } from './lib/content/loader.ts';
import { authorSchema } from './schemas/author.ts';
import { blogSchema } from './schemas/blog.ts';
import { webinarSchema } from './schemas/webinar.ts';
import { whitepaperSchema } from './schemas/whitepaper.ts';

// Content lives in a top-level `content/` folder so marketers never need to open `src/`.
// Tests point AIRCOVER_CONTENT_DIR at fixtures. The loader is Astro's glob reading the data with
// the project's YAML (src/lib/content/loader.ts), as `aircover check` does.
const root = process.env.AIRCOVER_CONTENT_DIR ?? './content';

export const collections = {
  whitepapers: defineCollection({
    loader: glob({ pattern: '**/*.{md,mdx}', base: `${root}/whitepapers` }),
    schema: ({ image }) => whitepaperSchema({ image, reference }),
  }),
  blog: defineCollection({
    loader: glob({ pattern: '**/*.{md,mdx}', base: `${root}/blog` }),
    schema: ({ image }) => blogSchema({ image, reference }),
  }),
  webinars: defineCollection({
    loader: glob({ pattern: '**/*.{md,mdx}', base: `${root}/webinars` }),
    schema: ({ image }) => webinarSchema({ image, reference }),
  }),
  authors: defineCollection({
    loader: glob({ pattern: '**/*.{yaml,yml,json}', base: `${root}/authors` }),
    schema: ({ image }) => authorSchema({ image, reference }),
  }),
};
