/**
 * Origin policy for the on-demand routes. Astro's `security.checkOrigin` is turned off in
 * astro.config.mjs and this policy applies instead (src/middleware.ts), because Astro's check
 * refuses every form-like POST without a same-origin `Origin` header, and two of our endpoints
 * must accept exactly those:
 *
 * - `POST /api/unsubscribe/<token>`: RFC 8058 one-click requests come from the mail provider's
 *   servers with no Origin at all. The unguessable token is the credential; the body must say
 *   `List-Unsubscribe=One-Click`.
 * - `POST /api/webhooks/*`: server to server; the svix signature is the credential.
 *
 * `/api/events` (beacons: `sendBeacon` posts `text/plain`) refuses a foreign Origin (403) but
 * accepts a missing one, labelling the events `suspect` (browsers always send Origin on POST).
 * Everything else — the forms, the admin, the webinar API — gets Astro's rule, made a little
 * stricter: a form-like POST needs a same-origin Origin (or, when a privacy tool stripped it, a
 * same-origin Referer and no `Sec-Fetch-Site: cross-site`).
 *
 * "Same origin" means the request's own host (as the server saw it) or AIRCOVER_SITE_URL's, so
 * the check holds behind a proxy or CDN that rewrites the Host header.
 */

const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Paths that do their own authentication and skip the origin rule. */
export const ORIGIN_EXEMPT_PREFIXES = ['/api/unsubscribe/', '/api/webhooks/', '/api/events'] as const;

const hosts = new Map<string, string | null>();

/** The host of an origin or URL; the few origins a site sees are parsed once each. */
function hostOf(value: string | null | undefined): string | null {
  if (!value || value === 'null') return null;
  const known = hosts.get(value);
  if (known !== undefined) return known;
  let host: string | null;
  try {
    host = new URL(value).host.toLowerCase();
  } catch {
    host = null;
  }
  if (hosts.size >= 1000) hosts.clear();
  hosts.set(value, host);
  return host;
}

/** Hosts that count as ours for this request. */
export function ownHosts(requestHost: string | null | undefined): Set<string> {
  const hosts = new Set<string>();
  if (requestHost) hosts.add(requestHost.toLowerCase());
  const site = hostOf(process.env.AIRCOVER_SITE_URL);
  if (site) hosts.add(site);
  return hosts;
}

export type OriginCheck = { ok: true; hasOrigin: boolean } | { ok: false; reason: string };

/** The beacon rule: foreign Origin → refuse; none → accept (the verdict will say suspect). */
export function checkBeaconOrigin(
  origin: string | null | undefined,
  requestHost: string | null | undefined,
): OriginCheck {
  if (origin === undefined || origin === null || origin === '') return { ok: true, hasOrigin: false };
  const host = hostOf(origin);
  if (host && ownHosts(requestHost).has(host)) return { ok: true, hasOrigin: true };
  return { ok: false, reason: 'cross-site beacon' };
}

function isFormLike(contentType: string | null): boolean {
  if (contentType === null) return true; // no content type: treat as the riskiest
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return FORM_TYPES.includes(type);
}

/**
 * The rule for everything that is not exempt. Returns a reason to refuse, or null. Non-form
 * content types (JSON) cannot be sent cross-site without a CORS preflight, which we never grant.
 */
export function crossSiteRefusal(input: {
  method: string;
  pathname: string;
  contentType: string | null;
  origin: string | null;
  referer: string | null;
  secFetchSite: string | null;
  host: string | null;
}): string | null {
  if (SAFE_METHODS.has(input.method.toUpperCase())) return null;
  if (ORIGIN_EXEMPT_PREFIXES.some((prefix) => input.pathname.startsWith(prefix))) return null;
  if (input.secFetchSite === 'cross-site') return 'cross-site request';
  const hosts = ownHosts(input.host);
  const origin = hostOf(input.origin);
  if (input.origin && input.origin !== 'null') return origin && hosts.has(origin) ? null : 'foreign Origin';
  if (!isFormLike(input.contentType)) return null;
  const referer = hostOf(input.referer);
  if (referer && hosts.has(referer)) return null;
  return 'form POST without a same-origin Origin';
}
