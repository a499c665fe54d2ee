/**
 * Content queries for Astro pages: what is public, what is an advance copy, what is next.
 * Pages stay thin by asking here; the rules themselves live in publishing.ts.
 */
import { type CollectionEntry, getCollection, getEntries, getEntry } from 'astro:content';
import {
  buildTime,
  byDateDesc,
  isAdvanceCopy,
  isPublicPaper,
  isPublicPost,
  previewPath,
} from './publishing.ts';
import { lifecycleOf } from './webinar/lifecycle.ts';

export type Paper = CollectionEntry<'whitepapers'>;
export type Post = CollectionEntry<'blog'>;
export type Webinar = CollectionEntry<'webinars'>;
export type Author = CollectionEntry<'authors'>;

export async function publicPapers(): Promise<Paper[]> {
  return (await getCollection('whitepapers', ({ data }) => isPublicPaper(data))).sort(byDateDesc);
}

export async function advanceCopies(): Promise<Paper[]> {
  return (await getCollection('whitepapers', ({ data }) => isAdvanceCopy(data))).sort(byDateDesc);
}

export async function publicPosts(): Promise<Post[]> {
  return (await getCollection('blog', ({ data }) => isPublicPost(data))).sort(byDateDesc);
}

/** Webinars, soonest first; past ones after upcoming ones, most recent first. */
export async function allWebinars(): Promise<Webinar[]> {
  const all = await getCollection('webinars');
  const now = buildTime.getTime();
  const upcoming = all
    .filter((w) => w.data.start.getTime() >= now)
    .sort((a, b) => +a.data.start - +b.data.start);
  const past = all.filter((w) => w.data.start.getTime() < now).sort((a, b) => +b.data.start - +a.data.start);
  return [...upcoming, ...past];
}

/** The next webinar to advertise: upcoming and not cancelled (src/lib/webinar/lifecycle.ts). */
export async function nextWebinar(): Promise<Webinar | undefined> {
  return (await allWebinars()).find(
    (w) =>
      w.data.start.getTime() >= buildTime.getTime() &&
      lifecycleOf(w.data, [], buildTime).state !== 'cancelled',
  );
}

export async function authorsOf(refs: { collection: 'authors'; id: string }[]): Promise<Author[]> {
  return getEntries(refs);
}

/**
 * Where a reader may follow a link to a paper: its public page, or nothing when it is
 * still an advance copy (its unlisted URL is for partners' personal pages only).
 */
export async function publicPaperLink(ref: { collection: 'whitepapers'; id: string } | undefined) {
  if (!ref) return undefined;
  const paper = await getEntry(ref);
  if (!paper) return undefined;
  return { paper, href: isPublicPaper(paper.data) ? `/whitepapers/${paper.id}/` : undefined };
}

/** The URL partners' pages link to for a paper: public page or advance copy. */
export function paperUrlForPartners(paper: Paper): string {
  return isPublicPaper(paper.data) ? `/whitepapers/${paper.id}/` : previewPath(paper.id);
}

export function publicPostsLinking(posts: Post[], refs: { id: string }[]): Post[] {
  const ids = new Set(refs.map((r) => r.id));
  return posts.filter((post) => ids.has(post.id));
}
