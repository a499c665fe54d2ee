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

/** A calendar date or instant, accepted as YAML date or ISO string. */
export const dateField = () => z.coerce.date();

/** An IANA time zone such as `Europe/Berlin`; checked against the runtime's zone database. */
export const timeZone = () =>
  z.string().refine(isValidTimeZone, { message: 'must be an IANA time zone such as Europe/Berlin' });

// In its own zod-free module so commands that only check a zone do not load zod.
export { isValidTimeZone } from '../lib/time-zone.ts';
