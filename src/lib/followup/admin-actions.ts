/**
 * The dashboard's write side: who is acting, the CSRF token every form carries, and turning a
 * partner page's form into a `PartnerAction` for the shared path (mark.ts).
 *
 * - Identity. The dashboard has one password, so the person signing in names themselves on the
 *   login form ("Your name"); the name rides in its own cookie, signed (HMAC under AIRCOVER_SECRET)
 *   and bound to the session cookie's value, so it dies with the session and cannot be swapped
 *   onto another. Without one, AIRCOVER_ADMIN_NAME, else "dashboard". It is what the timeline
 *   shows as "by": a label people give themselves, not an authentication.
 * - CSRF. The token is an HMAC of the session cookie's value: a page renders it into each form,
 *   the endpoint recomputes it and compares in constant time. A POST without it, or with another
 *   session's, is refused with 403 before anything is read from the store. (The origin check in
 *   src/middleware.ts refuses cross-site posts too; the token is the second, independent lock.)
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { getSecret } from '../secret.ts';
import { type CookieJar, cookieOptions, SESSION_COOKIE } from './admin.ts';
import { cleanName, MarkError, markOutcomes, OWNER_MAX, type PartnerAction } from './mark.ts';

export const NAME_COOKIE = 'aircover_admin_name';

function mac(purpose: string, value: string): string {
  return createHmac('sha256', getSecret()).update(`${purpose}:${value}`).digest('base64url');
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The CSRF token of the current session (empty without one). */
export function csrfToken(cookies: CookieJar): string {
  const session = cookies.get(SESSION_COOKIE)?.value;
  return session ? mac('admin-csrf', session) : '';
}

/** True when `given` is this session's token. */
export function csrfValid(cookies: CookieJar, given: string | null | undefined): boolean {
  const expected = csrfToken(cookies);
  return Boolean(expected && given && equal(expected, given));
}

/** After a successful sign-in: remember the name the person gave, bound to the new session. */
export function rememberName(cookies: CookieJar, https: boolean, given: string | null | undefined): void {
  const session = cookies.get(SESSION_COOKIE)?.value;
  const name = given ? cleanName(given.slice(0, OWNER_MAX), OWNER_MAX, 'the name') : '';
  if (!session || !name) {
    cookies.delete(NAME_COOKIE, { path: '/admin', secure: https });
    return;
  }
  const value = Buffer.from(name).toString('base64url');
  cookies.set(NAME_COOKIE, `${value}.${mac('admin-name', `${session}.${value}`)}`, cookieOptions(https));
}

/** Who is acting: the signed-in name, else AIRCOVER_ADMIN_NAME, else "dashboard". */
export function adminIdentity(cookies: CookieJar, env: NodeJS.ProcessEnv = process.env): string {
  const session = cookies.get(SESSION_COOKIE)?.value;
  const raw = cookies.get(NAME_COOKIE)?.value ?? '';
  const [value, signature] = raw.split('.');
  if (session && value && signature && equal(signature, mac('admin-name', `${session}.${value}`))) {
    const name = Buffer.from(value, 'base64url').toString('utf8');
    if (name) return name;
  }
  return env.AIRCOVER_ADMIN_NAME?.trim() || 'dashboard';
}

export const formActions = ['outcome', 'note', 'pause', 'resume', 'handoff'] as const;

/** A pause date from the form: `YYYY-MM-DD` means the start of that day (UTC). */
function pauseUntil(value: string): Date {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new MarkError('the pause needs a date (YYYY-MM-DD)');
  const date = new Date(`${value}T00:00:00.000Z`);
  if (Number.isNaN(date.getTime())) throw new MarkError(`"${value}" is not a date`);
  return date;
}

/** The form's fields as an action; a MarkError names what is wrong. */
export function actionFromForm(fields: Record<string, string | undefined>): PartnerAction {
  const note = fields.note?.trim() || undefined;
  switch (fields.action) {
    case 'outcome': {
      const outcome = markOutcomes.find((o) => o === fields.outcome);
      if (!outcome) throw new MarkError(`pick an outcome (${markOutcomes.join(', ')})`);
      return { kind: 'outcome', outcome, note };
    }
    case 'note':
      return { kind: 'note', text: fields.note ?? '' };
    case 'pause':
      return { kind: 'pause', until: pauseUntil(fields.until ?? ''), note };
    case 'resume':
      return { kind: 'resume', note };
    case 'handoff':
      return { kind: 'handoff', owner: fields.owner ?? '', note };
    default:
      throw new MarkError('unknown action');
  }
}

/** A fresh nonce per rendered form: a double submit of the same form records once. */
export function formNonce(): string {
  return randomUUID();
}
