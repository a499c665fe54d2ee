/**
 * Reads the frontmatter of content/ (white papers, posts, webinars, authors) without the
 * Astro runtime, for the CLI and the campaign loader. Validated with the same zod schemas as
 * the site (src/schemas), with simple stand-ins for Astro's `image()` and `reference()`:
 * an image is its path, a reference is an id that must exist in its collection.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ImageMetadata } from 'astro';
import type { z } from 'astro/zod';
import { z as zod } from 'astro/zod';
import { authorSchema } from '../../schemas/author.ts';
import { blogSchema } from '../../schemas/blog.ts';
import type { CollectionName, SchemaContext } from '../../schemas/helpers.ts';
import { webinarSchema } from '../../schemas/webinar.ts';
import { whitepaperSchema } from '../../schemas/whitepaper.ts';
import { error, type Problem } from '../campaign/problems.ts';
import { type Frontmatter, FrontmatterError, readDataFile } from './frontmatter.ts';

type Schemas = {
  whitepapers: ReturnType<typeof whitepaperSchema>;
  blog: ReturnType<typeof blogSchema>;
  webinars: ReturnType<typeof webinarSchema>;
  authors: ReturnType<typeof authorSchema>;
};
export type WhitepaperData = z.output<Schemas['whitepapers']>;
export type BlogData = z.output<Schemas['blog']>;
export type WebinarData = z.output<Schemas['webinars']>;
export type AuthorData = z.output<Schemas['authors']>;

export interface ContentEntry<T> {
  /** The slug: the file name without extension (or the frontmatter `slug`). */
  id: string;
  /** Path of the file, as found under the content folder given. */
  file: string;
  data: T;
}

export interface ContentIndex {
  dir: string;
  whitepapers: Map<string, ContentEntry<WhitepaperData>>;
  blog: Map<string, ContentEntry<BlogData>>;
  webinars: Map<string, ContentEntry<WebinarData>>;
  authors: Map<string, ContentEntry<AuthorData>>;
  /** Invalid entries are left out of the maps and reported here, with file, line and field. */
  problems: Problem[];
  /** The ids of invalid entries and their files, so "the webinar you use is invalid" can say why. */
  invalid: Record<CollectionName, Map<string, string>>;
}

const patterns: Record<CollectionName, RegExp> = {
  whitepapers: /\.(md|mdx)$/,
  blog: /\.(md|mdx)$/,
  webinars: /\.(md|mdx)$/,
  authors: /\.(ya?ml|json)$/,
};

function listFiles(dir: string, pattern: RegExp): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && pattern.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

function idOf(file: string, base: string, data: unknown): string {
  const slug = (data as { slug?: unknown } | null)?.slug;
  if (typeof slug === 'string' && slug) return slug;
  return relative(base, file)
    .replace(/\.[^.]+$/, '')
    .split(/[\\/]/)
    .map((part) => part.toLowerCase().replace(/[^a-z0-9-_]+/g, '-'))
    .join('/');
}

const cache = new Map<string, ContentIndex>();

/** Reads and validates everything under `contentDir`. Cached per folder unless `fresh`. */
export function readContent(contentDir: string, { fresh = false }: { fresh?: boolean } = {}): ContentIndex {
  const cached = cache.get(contentDir);
  if (cached && !fresh) return cached;
  const names: CollectionName[] = ['whitepapers', 'blog', 'webinars', 'authors'];
  type Raw = { id: string; file: string; data: unknown; lineOf: Frontmatter['lineOf'] };
  const raw = new Map<CollectionName, Raw[]>();
  const problems: Problem[] = [];
  const invalid = Object.fromEntries(
    names.map((n) => [n, new Map<string, string>()]),
  ) as ContentIndex['invalid'];
  for (const name of names) {
    const base = join(contentDir, name);
    const entries: Raw[] = [];
    for (const file of listFiles(base, patterns[name])) {
      try {
        const { data, lineOf } = readDataFile(file);
        entries.push({ id: idOf(file, base, data), file, data, lineOf });
      } catch (cause) {
        invalid[name].set(idOf(file, base, null), file);
        const line = cause instanceof FrontmatterError ? cause.line : undefined;
        problems.push(
          error('content.parse', `cannot read frontmatter: ${(cause as Error).message}`, {
            file,
            ...(line === undefined ? {} : { line }),
          }),
        );
      }
    }
    raw.set(name, entries);
  }
  const ids = new Map(names.map((name) => [name, new Set((raw.get(name) ?? []).map((e) => e.id))]));
  const ctx: SchemaContext = {
    // The CLI never needs the image itself: its path stands in for Astro's metadata.
    image: () =>
      zod
        .string()
        .min(1)
        .transform((src) => ({ src, width: 0, height: 0, format: 'svg' }) as ImageMetadata),
    reference: <C extends CollectionName>(collection: C) =>
      zod
        .string()
        .refine((id) => ids.get(collection)?.has(id) ?? false, {
          message: `no entry with this id in content/${collection}`,
        })
        .transform((id) => ({ collection, id })),
  };
  const schemas: Schemas = {
    whitepapers: whitepaperSchema(ctx),
    blog: blogSchema(ctx),
    webinars: webinarSchema(ctx),
    authors: authorSchema(ctx),
  };
  const index: ContentIndex = {
    dir: contentDir,
    whitepapers: new Map(),
    blog: new Map(),
    webinars: new Map(),
    authors: new Map(),
    problems,
    invalid,
  };
  for (const name of names) {
    const target = index[name] as Map<string, ContentEntry<unknown>>;
    for (const entry of raw.get(name) ?? []) {
      const result = schemas[name].safeParse(entry.data);
      if (!result.success) {
        invalid[name].set(entry.id, entry.file);
        for (const issue of result.error.issues) {
          const path =
            issue.code === 'unrecognized_keys' ? [...issue.path, ...issue.keys.slice(0, 1)] : issue.path;
          const line = entry.lineOf(path);
          problems.push(
            error('content.field', issue.message, {
              file: entry.file,
              ...(line === undefined ? {} : { line }),
              field: path.map(String).join('.'),
            }),
          );
        }
        continue;
      }
      target.set(entry.id, { id: entry.id, file: entry.file, data: result.data });
    }
  }
  cache.set(contentDir, index);
  return index;
}
