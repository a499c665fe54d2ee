/**
 * A partner's card, for the ones `aircover build` left to draw on first request (see
 * src/lib/og/partner-cards.ts). The ones it drew are static files, served before this route.
 */
import type { APIRoute } from 'astro';
import { cachedCard } from '../../../lib/og/card.ts';
import { partnerCardContent } from '../../../lib/og/partner-cards.ts';

export const prerender = false;

export const GET: APIRoute = async ({ params }) => {
  const content = partnerCardContent(params.token ?? '');
  if (!content) return new Response('Not found', { status: 404, headers: { 'cache-control': 'no-store' } });
  const png = await cachedCard(content);
  return new Response(new Uint8Array(png), {
    headers: { 'content-type': 'image/png', 'cache-control': 'public, max-age=3600' },
  });
};
