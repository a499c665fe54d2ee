/**
 * The /admin dashboard's login and data access. The routes stay thin: they call `adminSession`
 * to guard, `login` to sign in, and `dashboardData` for the store and the campaigns.
 *
 * - The password comes from AIRCOVER_ADMIN_PASSWORD. In production (AIRCOVER_ENV=production) there
 *   is no default: the dashboard stays closed until it is set. In development a random one is
 *   generated once into `.aircover/admin-password` and printed once with a warning.
 * - Passwords are compared in constant time (SHA-256 of both, then `timingSafeEqual`).
 * - Failed attempts are limited per client address: 5 per 15 minutes, then 429 until the window
 *   passes (in memory, per server process).
 * - The session is a signed cookie (HMAC-SHA256 under AIRCOVER_SECRET and the password, so
 *   changing the password signs everyone out): HttpOnly, SameSite=Strict, Secure over https,
 *   Path=/admin, 12 hours.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { runtime } from '../engagement/runtime.ts';
import { getSecret, isProduction } from '../secret.ts';
import type { Store } from '../store/types.ts';
import { loadFollowupCampaigns } from './campaign.ts';
import type { FollowupCampaign } from './model.ts';

export const SESSION_COOKIE = 'aircover_admin';
export const SESSION_HOURS = 12;
export const MAX_FAILED_LOGINS = 5;
export const LOGIN_WINDOW_MS = 15 * 60_000;

let devPassword: string | undefined;

/** The admin password, or null when the dashboard must stay closed (production without one). */
export function adminPassword(env: NodeJS.ProcessEnv = process.env): string | null {
  const set = env.AIRCOVER_ADMIN_PASSWORD;
  if (set) return set;
  if (isProduction(env)) return null;
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

const failures = new Map<string, { count: number; since: number }>();

/** Seconds until the client may try again, or 0 when it may. */
export function loginBlockedFor(client: string, now = Date.now()): number {
  const f = failures.get(client);
  if (!f || now - f.since > LOGIN_WINDOW_MS) return 0;
  return f.count >= MAX_FAILED_LOGINS ? Math.ceil((f.since + LOGIN_WINDOW_MS - now) / 1000) : 0;
}

function noteFailure(client: string, now: number) {
  const f = failures.get(client);
  if (!f || now - f.since > LOGIN_WINDOW_MS) failures.set(client, { count: 1, since: now });
  else f.count += 1;
  if (failures.size > 10_000) failures.clear();
}

function sessionKey(password: string): Buffer {
  return createHmac('sha256', getSecret()).update(`admin-session:${password}`).digest();
}

function sign(expires: number, password: string): string {
  return createHmac('sha256', sessionKey(password)).update(`v1.${expires}`).digest('base64url');
}

export function createSession(password: string, now = Date.now()): string {
  const expires = now + SESSION_HOURS * 3_600_000;
  return `v1.${expires}.${sign(expires, password)}`;
}

export function sessionValid(value: string | undefined, password: string, now = Date.now()): boolean {
  const match = /^v1\.(\d{1,16})\.([A-Za-z0-9_-]{43})$/.exec(value ?? '');
  if (!match) return false;
  const expires = Number(match[1]);
  if (!(expires > now)) return false;
  const expected = Buffer.from(sign(expires, password));
  const given = Buffer.from(match[2] ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface CookieJar {
  get(name: string): { value: string } | undefined;
  set(name: string, value: string, options: Record<string, unknown>): void;
  delete(name: string, options: Record<string, unknown>): void;
}

export function cookieOptions(url: URL) {
  return {
    httpOnly: true,
    sameSite: 'strict' as const,
    secure: url.protocol === 'https:',
    path: '/admin',
    maxAge: SESSION_HOURS * 3600,
  };
}

/** True when the request carries a valid session. */
export function adminSession(cookies: CookieJar): boolean {
  const password = adminPassword();
  return password !== null && sessionValid(cookies.get(SESSION_COOKIE)?.value, password);
}

export type LoginResult =
  | { ok: true }
  | { ok: false; status: 401 | 429 | 503; message: string; retryAfter?: number };

export function login(
  given: string,
  client: string,
  cookies: CookieJar,
  url: URL,
  now = Date.now(),
): LoginResult {
  const password = adminPassword();
  if (password === null)
    return { ok: false, status: 503, message: 'The dashboard is closed: set AIRCOVER_ADMIN_PASSWORD.' };
  const blocked = loginBlockedFor(client, now);
  if (blocked > 0)
    return {
      ok: false,
      status: 429,
      message: `Too many attempts. Try again in ${Math.ceil(blocked / 60)} minutes.`,
      retryAfter: blocked,
    };
  if (!passwordMatches(given, password)) {
    noteFailure(client, now);
    return { ok: false, status: 401, message: 'Wrong password.' };
  }
  failures.delete(client);
  cookies.set(SESSION_COOKIE, createSession(password, now), cookieOptions(url));
  return { ok: true };
}

export function logout(cookies: CookieJar, url: URL): void {
  cookies.delete(SESSION_COOKIE, { path: '/admin', secure: url.protocol === 'https:' });
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
  if (!adminSession(page.cookies)) return page.redirect(loginPath(page.url));
  page.response.headers.set('cache-control', 'no-store');
  return dashboardData();
}
