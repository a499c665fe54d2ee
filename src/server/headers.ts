/**
 * The security headers of every response, static or on demand: the build's own server entry
 * (src/server/entry.ts, dist/server/entry.mjs) sets them before the adapter serves a file or a
 * route, so `node dist/server/entry.mjs` sends them as `aircover serve` (src/server/index.ts, also
 * for its beacon fast path) does; src/middleware.ts joins them with an on-demand route's policy. The page's own script and style policy is Astro's hashed <meta> CSP
 * (astro.config.mjs); a <meta> policy cannot say who may frame the page, so that goes here:
 * nobody for the dashboard, personal pages, advance copies and unsubscribe pages (a framed
 * "no thanks" or "unsubscribe" button is a clickjacking target), the site itself for the rest.
 */
const PRIVATE = [/^\/admin(\/|$)/, /^\/p\//, /^\/preview\//, /^\/unsubscribe\//, /^\/api\//];

export function isPrivatePath(pathname: string): boolean {
  return PRIVATE.some((pattern) => pattern.test(pathname));
}

export function securityHeaders(pathname: string): Record<string, string> {
  const isPrivate = isPrivatePath(pathname);
  return {
    'content-security-policy': isPrivate
      ? "frame-ancestors 'none'; object-src 'none'; base-uri 'self'"
      : "frame-ancestors 'self'; object-src 'none'; base-uri 'self'",
    'x-frame-options': isPrivate ? 'DENY' : 'SAMEORIGIN',
    // Same-origin: the token in /p/<token>/ never leaves in a Referer, and the origin policy's
    // same-origin Referer fallback keeps working.
    'referrer-policy': 'same-origin',
    'x-content-type-options': 'nosniff',
  };
}

/** Adds the headers to a web Response, keeping any policy the route set (two policies both apply). */
export function withSecurityHeaders(original: Response, pathname: string): Response {
  let response = original;
  try {
    response.headers.set('x-content-type-options', 'nosniff');
  } catch {
    // Response.redirect() and fetch() responses have immutable headers: copy them.
    response = new Response(original.body, original);
  }
  for (const [name, value] of Object.entries(securityHeaders(pathname))) {
    const existing = response.headers.get(name);
    if (name === 'content-security-policy' && existing && !existing.includes('frame-ancestors'))
      response.headers.set(name, `${existing}, ${value}`);
    else if (!existing) response.headers.set(name, value);
  }
  return response;
}
