/**
 * Every on-demand request passes here:
 *
 * - the client (address and protocol) is worked out once, behind a trusted proxy from its
 *   X-Forwarded-* headers (src/lib/engagement/proxy.ts), into `locals.client`: lockouts, rate
 *   limits and `Secure` cookies read it, never `clientAddress` directly;
 * - the origin policy (Astro's `security.checkOrigin` is off in astro.config.mjs; see
 *   src/lib/engagement/origin.ts): every route keeps protection against cross-site form posts
 *   except the endpoints that authenticate by other means (one-click unsubscribe, signed
 *   webhooks, beacons);
 * - the security headers (src/server/headers.ts).
 *
 * Not the partner pages `aircover build` renders through the server (src/server/partner-render.ts):
 * no client asked for them, and they become static files, which get their headers when served.
 */
import { defineMiddleware } from 'astro:middleware';
import { crossSiteRefusal } from './lib/engagement/origin.ts';
import { clientOf } from './lib/engagement/proxy.ts';
import { withSecurityHeaders } from './server/headers.ts';

export const onRequest = defineMiddleware(async (context, next) => {
  if (context.isPrerendered || context.locals.partnerPage) return next();
  const { request } = context;
  const pathname = context.url.pathname;
  let peer: string | null = null;
  try {
    peer = context.clientAddress;
  } catch {
    peer = null; // an adapter that does not know the address
  }
  context.locals.client = clientOf({
    peer,
    forwardedFor: request.headers.get('x-forwarded-for'),
    forwardedProto: request.headers.get('x-forwarded-proto'),
    protocol: context.url.protocol,
  });
  const refusal = crossSiteRefusal({
    method: request.method,
    pathname,
    contentType: request.headers.get('content-type'),
    origin: request.headers.get('origin'),
    referer: request.headers.get('referer'),
    secFetchSite: request.headers.get('sec-fetch-site'),
    host: request.headers.get('host') ?? context.url.host,
  });
  if (refusal) {
    return withSecurityHeaders(
      new Response(`Cross-site ${request.method} form submissions are forbidden (${refusal})`, {
        status: 403,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
      }),
      pathname,
    );
  }
  return withSecurityHeaders(await next(), pathname);
});
