/**
 * Site-wide settings from content/site.yaml, so a marketer edits the publisher's name
 * and description next to the content rather than in code.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'astro/zod';
import { parse } from 'yaml';
import { localeFromOpenGraph } from './time/format.ts';

export const siteSchema = z.object({
  name: z.string().min(1).describe('Publisher name, used in titles, cards and feeds.'),
  tagline: z.string().min(1).describe('A short line under the name on the home page.'),
  description: z.string().min(20).describe('Default meta description and RSS channel description.'),
  language: z.string().default('en').describe('BCP 47 language of the content, for <html lang>.'),
  locale: z.string().default('en_GB').describe('Open Graph locale.'),
  logo: z
    .strictObject({
      src: z
        .string()
        .regex(/^\/[^\s]*$/, 'must be a path under public/, starting with "/"')
        .describe('Path of the logo under public/, e.g. "/brand/logo.svg" (square works best).'),
      alt: z.string().min(1).describe("The logo's text alternative, usually the company's name."),
    })
    .optional()
    .describe("The publisher's logo, shown in the header and on personal pages."),
});
export type SiteSettings = z.infer<typeof siteSchema>;

let cached: SiteSettings | undefined;

export function siteSettings(contentDir = process.env.AIRCOVER_CONTENT_DIR ?? 'content'): SiteSettings {
  if (cached) return cached;
  const file = resolve(contentDir, 'site.yaml');
  const result = siteSchema.safeParse(parse(readFileSync(file, 'utf8')));
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`${file}: ${issues}`);
  }
  cached = result.data;
  return cached;
}

/**
 * The locale of public pages no campaign owns (home, blog, public papers and webinars): the
 * site's Open Graph `locale` read as BCP 47 (`en_GB` → `en-GB`). Campaign pages use the
 * campaign's `locale` instead (src/lib/time/format.ts).
 */
export function siteLocale(contentDir?: string): string {
  return localeFromOpenGraph(siteSettings(contentDir).locale);
}
