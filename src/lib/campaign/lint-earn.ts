/**
 * "Earn the response": a follow-up must link something no earlier touch linked. What counts is
 * what each link offers (`contentKey`); the preflight compares a partner's touches with it.
 */

const contentAnchors = new Set(['paper', 'webinar', 'recording']);

/**
 * What a link offers, for "earn the response": the paper, webinar, recording (on the personal
 * page or public), posts and any outside page. Navigation (the bare personal page, call,
 * feedback, not-now, no-thanks, unsubscribe, mail addresses) offers nothing new.
 */
export function contentKey(href: string, recording = true): string | undefined {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  url.searchParams.delete('t');
  const anchor = url.hash.replace(/^#/, '');
  // The recording is something new only once it exists (lint-links.ts).
  if (anchor === 'recording' && !recording) return undefined;
  if (url.pathname.startsWith('/p/')) return contentAnchors.has(anchor) ? `page#${anchor}` : undefined;
  if (url.pathname.startsWith('/unsubscribe/') || url.pathname.startsWith('/api/')) return undefined;
  return `${url.origin}${url.pathname}${url.search}`;
}
