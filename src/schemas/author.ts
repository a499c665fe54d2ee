import { z } from 'astro/zod';
import { imageWithAlt, type SchemaContext } from './helpers.ts';

/** A person who writes papers and posts or speaks at webinars. */
export const authorSchema = (ctx: SchemaContext) =>
  z.object({
    name: z.string().min(1).describe('Full name as it should appear in bylines.'),
    role: z.string().min(1).describe('Job title and company, e.g. "Head of Partnerships, Northwind".'),
    photo: imageWithAlt(ctx).optional().describe('Portrait shown on author pages and bylines.'),
    bio: z.string().min(1).max(400).describe('A short biography, one or two sentences.'),
  });
