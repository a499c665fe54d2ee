import type { ImageMetadata } from 'astro';
import { z } from 'astro/zod';
import { isValidTimeZone } from '../lib/time-zone.ts';

export type CollectionName = 'whitepapers' | 'blog' | 'webinars' | 'authors';

/**
 * The parts of Astro's schema context that our schemas use. Passing them in (rather than
 * importing `astro:content`) keeps every schema a plain module that unit tests can load.
 */
export interface SchemaContext {
  /** Astro's `image()` helper: validates a local image path and yields its metadata. */
  image: () => z.ZodType<ImageMetadata>;
  /** Astro's `reference()` helper: an id in another collection. */
  reference: <C extends CollectionName>(collection: C) => z.ZodType<{ collection: C; id: string }>;
}

/** An image with the alternative text that accessibility requires. */
export const imageWithAlt = (ctx: SchemaContext) =>
  z.object({
    src: ctx.image().describe('Path of the image file, relative to the entry.'),
    alt: z
      .string()
      .trim()
      .min(1, 'alt text is required: describe the image for someone who cannot see it')
      .describe('Alternative text read by screen readers and shown when the image fails.'),
  });

const CALENDAR_DAY = /^(\d{4})-(\d{2})-(\d{2})(?![\d])/;

/** Whether `2026-02-30`-like text names a day that exists (JavaScript would roll it over). */
export function isCalendarDay(text: string): boolean {
  const match = CALENDAR_DAY.exec(text.trim());
  if (!match) return true; // not a day written out: z.coerce.date() judges it
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * A calendar date or instant, as an ISO string (YAML 1.2 reads an unquoted date as one). A day
 * that does not exist is refused, never rolled over: `new Date('2026-02-30')` is March 2.
 */
export const dateField = () =>
  z.preprocess((value, ctx) => {
    if (typeof value === 'string' && !isCalendarDay(value)) {
      ctx.addIssue({ code: 'custom', message: `${value} is not a day on the calendar` });
      return z.NEVER;
    }
    return value;
  }, z.coerce.date());

/** An IANA time zone such as `Europe/Berlin`; checked against the runtime's zone database. */
export const timeZone = () =>
  z.string().refine(isValidTimeZone, { message: 'must be an IANA time zone such as Europe/Berlin' });

// In its own zod-free module so commands that only check a zone do not load zod.
export { isValidTimeZone } from '../lib/time-zone.ts';
