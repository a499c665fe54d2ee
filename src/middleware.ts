/**
 * The origin policy for on-demand routes (Astro's `security.checkOrigin` is off in
 * astro.config.mjs; see src/lib/engagement/origin.ts for why and for the rule). Every route keeps
 * Astro's protection against cross-site form posts except the endpoints that authenticate by
 * other means (one-click unsubscribe, signed webhooks, beacons).
 */
import { defineMiddleware } from 'astro:middleware';
import { crossSiteRefusal } from './lib/engagement/origin.ts';

export const onRequest = defineMiddleware((context, next) => {
  if (context.isPrerendered) return next();
  const { request } = context;
  const refusal = crossSiteRefusal({
    method: request.method,
    pathname: context.url.pathname,
    contentType: request.headers.get('content-type'),
    origin: request.headers.get('origin'),
    referer: request.headers.get('referer'),
    secFetchSite: request.headers.get('sec-fetch-site'),
    host: request.headers.get('host') ?? context.url.host,
  });
  if (refusal) {
    return new Response(`Cross-site ${request.method} form submissions are forbidden (${refusal})`, {
      status: 403,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  }
  return next();
});
