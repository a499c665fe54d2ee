/**
 * The answers the on-demand endpoints give (an `Answer`, turned into a Response by
 * `toResponse` in beacon.ts): JSON and the no-JS form's 303 back to the page, both uncached,
 * and whether a request asked for JSON rather than a page.
 */
import type { Answer } from './beacon.ts';

export function jsonAnswer(status: number, value: unknown, headers: Record<string, string> = {}): Answer {
  return {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(value),
  };
}

/** 303 See Other: a form posted without JavaScript goes back to a page. */
export function seeOther(location: string): Answer {
  return { status: 303, headers: { location, 'cache-control': 'no-store' } };
}

/** A form posted by script (`Accept: application/json`) gets JSON; a plain form post, a redirect. */
export function wantsJson(request: Request): boolean {
  return (request.headers.get('accept') ?? '').includes('application/json');
}
