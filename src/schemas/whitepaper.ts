import { z } from 'astro/zod';
import { dateField, imageWithAlt, type SchemaContext } from './helpers.ts';

/**
 * Publication status of a white paper.
 * - `draft`: never built.
 * - `preview`: built only at an unlisted, noindex URL, reached from partners' personal pages
 *   (the advance copy partners are asked to comment on).
 * - `published`: public, listed, in the sitemap and RSS.
 */
export const paperStatus = z.enum(['draft', 'preview', 'published']);
export type PaperStatus = z.infer<typeof paperStatus>;

export const keyResult = z.object({
  label: z.string().min(1).describe('What was measured, e.g. "Partner-sourced pipeline".'),
  value: z.number().describe('The measured value.'),
  unit: z.string().default('').describe('Unit shown after the value, e.g. "%", "days", "k EUR".'),
  comparison: z
    .string()
    .optional()
    .describe('What the value is compared with, e.g. "vs. 11% before the programme".'),
});
export type KeyResult = z.infer<typeof keyResult>;

/** A case-study white paper: the centre of an air-cover campaign. */
export const whitepaperSchema = (ctx: SchemaContext) =>
  z.object({
    title: z.string().min(1).max(120).describe('The paper title.'),
    subtitle: z.string().optional().describe('A line under the title that names the finding.'),
    summary: z
      .string()
      .min(20)
      .max(400)
      .describe('Two or three sentences for cards, meta description and RSS.'),
    customer: z
      .object({
        name: z.string().min(1).describe('The customer whose story the case study tells.'),
        industry: z.string().min(1).describe('Their industry.'),
        size: z.string().min(1).describe('Their size, e.g. "240 employees".'),
      })
      .describe('The customer of the case study.'),
    keyResults: z.array(keyResult).min(1).describe('Headline numbers of the case study.'),
    authors: z.array(ctx.reference('authors')).min(1).describe('Author ids from content/authors.'),
    publishDate: dateField().describe('The day the paper becomes public.'),
    status: paperStatus.default('draft').describe('draft, preview or published.'),
    cover: imageWithAlt(ctx).describe('Cover image, used on the page and in print.'),
    webinar: ctx.reference('webinars').optional().describe('The webinar that discusses the findings.'),
    relatedPosts: z.array(ctx.reference('blog')).default([]).describe('Blog posts that support the paper.'),
  });
