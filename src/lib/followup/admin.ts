/**
 * The /admin dashboard's login and data access. The routes stay thin: they call `adminSession`
 * to guard, `login` to sign in, and `dashboardData` for the store and the campaigns.
 *
 * - The password comes from AIRCOVER_ADMIN_PASSWORD. In production (AIRCOVER_ENV=production) there
 *   is no default: the dashboard stays closed until it is set. In development a random one is
 *   generated once into `.aircover/admin-password` and printed once with a warning.
 * - Passwords are compared in constant time (SHA-256 of both, then `timingSafeEqual`).
 * - In production a password under 12 characters is refused (the dashboard stays closed).
 * - Failed attempts are limited per client address (the real one behind a trusted proxy, see
 *   src/lib/engagement/proxy.ts): 5 per 15 minutes, then 429 until the window passes. The count
 *   lives in the store (keyed rows with expiry), so every instance on one database shares it.
 * - The session is a signed cookie (HMAC-SHA256 under AIRCOVER_SECRET and the password, so
 *   changing the password signs everyone out) carrying a random session id: HttpOnly,
 *   SameSite=Strict, Secure when the client came over https, Path=/admin, 12 hours. Signing out
 *   records the id as ended in the store until the cookie would have expired, so a copied cookie
 *   stops working at once, on every instance.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { runtime } from '../engagement/runtime.ts';
import { getSecret, isProduction } from '../secret.ts';
import { isStoreUnavailable } from '../store/errors.ts';
import type { Store } from '../store/types.ts';
import { loadFollowupCampaigns } from './campaign.ts';
import type { FollowupCampaign } from './model.ts';

export const SESSION_COOKIE = 'aircover_admin';
export const SESSION_HOURS = 12;
export const MAX_FAILED_LOGINS = 5;
export const LOGIN_WINDOW_MS = 15 * 60_000;
export const MIN_PRODUCTION_PASSWORD = 12;

let devPassword: string | undefined;

/** The admin password, or null when the dashboard must stay closed (production without one). */
export function adminPassword(env: NodeJS.ProcessEnv = process.env): string | null {
  const set = env.AIRCOVER_ADMIN_PASSWORD;
  if (isProduction(env)) return set && set.length >= MIN_PRODUCTION_PASSWORD ? set : null;
  if (set) return set;
  if (devPassword) return devPassword;
  const file = resolve(env.AIRCOVER_STATE_DIR ?? '.aircover', 'admin-password');
  if (existsSync(file)) devPassword = readFileSync(file, 'utf8').trim();
  else {
    devPassword = randomBytes(12).toString('base64url');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${devPassword}\n`, { mode: 0o600 });
    process.stderr.write(
      `warning AIRCOVER_ADMIN_PASSWORD is not set: the development dashboard password is ${devPassword} (saved in ${file}). Set AIRCOVER_ADMIN_PASSWORD for anything shared.\n`,
    );
  }
  return devPassword;
}

export function passwordMatches(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

const failureKey = (client: string) => `login-failures:${client}`;
const endedKey = (id: string) => `session-ended:${id}`;

/** Seconds until the client may try again, or 0 when it may. */
export async function loginBlockedFor(store: Store, client: string): Promise<number> {
  const row = await store.getKey(failureKey(client));
  if (!row || Number(row.value) < MAX_FAILED_LOGINS) return 0;
  return Math.max(1, Math.ceil((row.expiresAt.getTime() - Date.now()) / 1000));
}

function sessionKey(password: string): Buffer {
  return createHmac('sha256', getSecret()).update(`admin-session:${password}`).digest();
}

function sign(payload: string, password: string): string {
  return createHmac('sha256', sessionKey(password)).update(payload).digest('base64url');
}

export function createSession(password: string, now = Date.now()): string {
  const expires = now + SESSION_HOURS * 3_600_000;
  const payload = `v2.${expires}.${randomBytes(16).toString('base64url')}`;
  return `${payload}.${sign(payload, password)}`;
}

/** The session's id and expiry when the cookie is one we signed and not expired; else null. */
export function parseSession(
  value: string | undefined,
  password: string,
  now = Date.now(),
): { id: string; expires: number } | null {
  const match = /^(v2\.(\d{1,16})\.([A-Za-z0-9_-]{22}))\.([A-Za-z0-9_-]{43})$/.exec(value ?? '');
  if (!match) return null;
  const expires = Number(match[2]);
  if (!(expires > now)) return null;
  const expected = Buffer.from(sign(match[1] ?? '', password));
  const given = Buffer.from(match[4] ?? '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  return { id: match[3] ?? '', expires };
}

export interface CookieJar {
  get(name: string): { value: string } | undefined;
  set(name: string, value: string, options: Record<string, unknown>): void;
  delete(name: string, options: Record<string, unknown>): void;
}

export function cookieOptions(https: boolean) {
  return {
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: https,
    path: '/admin',
    maxAge: SESSION_HOURS * 3600,
  };
}

/** True when the request carries a valid session that was not signed out. */
export async function adminSession(cookies: CookieJar): Promise<boolean> {
  const password = adminPassword();
  if (password === null) return false;
  const session = parseSession(cookies.get(SESSION_COOKIE)?.value, password);
  if (!session) return false;
  try {
    const store = await runtime().store();
    return (await store.getKey(endedKey(session.id))) === null;
  } catch (error) {
    // Sessions end in the store: with it down nobody is signed in, and sign-in answers 503.
    if (isStoreUnavailable(error)) return false;
    throw error;
  }
}

export type LoginResult =
  | { ok: true }
  | { ok: false; status: 401 | 429 | 503; message: string; retryAfter?: number };

export async function login(
  given: string,
  client: { ip: string | null; https: boolean },
  cookies: CookieJar,
  now = Date.now(),
): Promise<LoginResult> {
  const password = adminPassword();
  if (password === null)
    return {
      ok: false,
      status: 503,
      message: `The dashboard is closed: set AIRCOVER_ADMIN_PASSWORD${isProduction() ? ` (at least ${MIN_PRODUCTION_PASSWORD} characters in production)` : ''}.`,
    };
  try {
    return await checkLogin(await runtime().store(), given, password, client, cookies, now);
  } catch (error) {
    if (!isStoreUnavailable(error)) throw error;
    return {
      ok: false,
      status: 503,
      message: 'The store is unavailable right now. Try again in a moment.',
      retryAfter: 5,
    };
  }
}

async function checkLogin(
  store: Store,
  given: string,
  password: string,
  client: { ip: string | null; https: boolean },
  cookies: CookieJar,
  now: number,
): Promise<LoginResult> {
  const who = client.ip ?? 'unknown';
  const blocked = await loginBlockedFor(store, who);
  if (blocked > 0)
    return {
      ok: false,
      status: 429,
      message: `Too many attempts. Try again in ${Math.ceil(blocked / 60)} minutes.`,
      retryAfter: blocked,
    };
  if (!passwordMatches(given, password)) {
    await store.bumpKey(failureKey(who), LOGIN_WINDOW_MS);
    return { ok: false, status: 401, message: 'Wrong password.' };
  }
  await store.deleteKey(failureKey(who));
  cookies.set(SESSION_COOKIE, createSession(password, now), cookieOptions(client.https));
  return { ok: true };
}

/** Ends the session on the server (every instance) and clears the cookie. */
export async function logout(cookies: CookieJar, https: boolean): Promise<void> {
  const password = adminPassword();
  const session = password ? parseSession(cookies.get(SESSION_COOKIE)?.value, password) : null;
  if (session) {
    const store = await runtime().store();
    await store.putKeyOnce(endedKey(session.id), 'ended', Math.max(1_000, session.expires - Date.now()));
  }
  cookies.delete(SESSION_COOKIE, { path: '/admin', secure: https });
}

let cached: { campaigns: FollowupCampaign[]; at: number } | undefined;

export interface DashboardData {
  store: Store;
  campaigns: FollowupCampaign[];
}

/** The shared store (the collector's runtime) and the campaigns (re-read at most every 30 s). */
export async function dashboardData(): Promise<DashboardData> {
  if (!cached || Date.now() - cached.at > 30_000)
    cached = { campaigns: loadFollowupCampaigns(), at: Date.now() };
  return { store: await runtime().store(), campaigns: cached.campaigns };
}

/** Only same-site relative paths under /admin after login. */
export function safeNext(next: string | null): string {
  return next && /^\/admin(\/[\w\-./%]*)?(\?[\w\-=&%.]*)?$/.test(next) && !next.includes('//')
    ? next
    : '/admin';
}

/** The login page, coming back to `url`'s page after signing in. */
export function loginPath(url: URL): string {
  return `/admin/login?next=${encodeURIComponent(url.pathname)}`;
}

/** What a dashboard page hands the gate: the part of Astro's page global it uses. */
export interface AdminPageContext {
  cookies: CookieJar;
  url: URL;
  redirect(path: string): Response;
  response: { headers: Headers };
}

/**
 * The gate of every dashboard page: a visitor without a session gets the redirect to the login
 * page (to return); a signed-in one gets an uncached page and the store and the campaigns.
 */
export async function openAdminPage(page: AdminPageContext): Promise<Response | DashboardData> {
  if (!(await adminSession(page.cookies))) return page.redirect(loginPath(page.url));
  page.response.headers.set('cache-control', 'no-store');
  return dashboardData();
}
