import { z } from 'astro/zod';
import { dateField, type SchemaContext } from './helpers.ts';

/** A blog post that supports a paper or a webinar. */
export const blogSchema = (ctx: SchemaContext) =>
  z.object({
    title: z.string().min(1).max(120).describe('The post title.'),
    description: z.string().min(20).max(300).describe('One or two sentences for cards, meta and RSS.'),
    publishDate: dateField().describe('Publication date; posts dated in the future are not built.'),
    authors: z.array(ctx.reference('authors')).min(1).describe('Author ids from content/authors.'),
    tags: z.array(z.string().min(1)).default([]).describe('Topic tags.'),
    draft: z.boolean().default(false).describe('A draft post is never built.'),
    whitepaper: ctx.reference('whitepapers').optional().describe('The white paper this post supports.'),
    webinar: ctx.reference('webinars').optional().describe('The webinar this post promotes.'),
  });
