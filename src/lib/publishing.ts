/**
 * Who may see what. One place decides which entries are public, which are advance copies
 * and which are never built, so pages, feeds, the sitemap and OG cards always agree.
 */
import { createHmac } from 'node:crypto';
import { getSecret } from './secret.ts';

export interface Dated {
  publishDate: Date;
}

/** The moment a build runs; content dated after it is not yet public. */
export const buildTime = new Date();

/** A white paper is public once it is `published` and its date has come. */
export function isPublicPaper(paper: Dated & { status: string }, now = buildTime): boolean {
  return paper.status === 'published' && paper.publishDate.getTime() <= now.getTime();
}

/**
 * An advance copy: a `preview` paper, or a `published` one whose date has not come.
 * It is built only at an unlisted, noindex URL reached from partners' personal pages.
 */
export function isAdvanceCopy(paper: Dated & { status: string }, now = buildTime): boolean {
  return paper.status === 'preview' || (paper.status === 'published' && !isPublicPaper(paper, now));
}

export function isPublicPost(post: Dated & { draft: boolean }, now = buildTime): boolean {
  return !post.draft && post.publishDate.getTime() <= now.getTime();
}

/**
 * The unlisted path segment of a paper's advance copy: an HMAC of its slug under the
 * project secret (132 bits), so the URL can be handed to partners but not guessed.
 */
export function previewKey(slug: string, secret = getSecret()): string {
  return createHmac('sha256', secret).update(`preview:whitepaper:${slug}`).digest('base64url').slice(0, 22);
}

export function previewPath(slug: string): string {
  return `/preview/${previewKey(slug)}/`;
}

/** Newest first. */
export function byDateDesc<T extends { data: Dated }>(a: T, b: T): number {
  return b.data.publishDate.getTime() - a.data.publishDate.getTime();
}
