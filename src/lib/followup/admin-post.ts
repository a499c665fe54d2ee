/**
 * The door every dashboard form's POST goes through, before it may touch the store: signed in
 * (else to the sign-in page), a body the shared reader accepts (a form, within `maxBytes`), and
 * this session's CSRF token (else 403). One place, so no action route can forget a step.
 */
import { toResponse } from '../engagement/answer.ts';
import { readFields } from '../engagement/body.ts';
import { adminSession, type CookieJar, loginPath } from './admin.ts';
import { csrfValid } from './admin-actions.ts';

export type AdminPost =
  | { ok: true; fields: Record<string, string | undefined> }
  | { ok: false; response: Response };

/** A plain-text refusal, never cached. */
export function refuse(status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
  });
}

export async function adminPost(
  context: {
    cookies: CookieJar;
    request: Request;
    url: URL;
    redirect: (path: string, status: 303) => Response;
  },
  maxBytes: number,
): Promise<AdminPost> {
  const { cookies, request, url, redirect } = context;
  if (!(await adminSession(cookies))) return { ok: false, response: redirect(loginPath(url), 303) };
  const read = await readFields(request, { maxBytes, accept: ['form', 'multipart'] });
  if (!read.ok) return { ok: false, response: toResponse(read.answer) };
  if (!csrfValid(cookies, read.fields.csrf))
    return { ok: false, response: refuse(403, 'Missing or wrong CSRF token: reload the page') };
  return { ok: true, fields: read.fields };
}
