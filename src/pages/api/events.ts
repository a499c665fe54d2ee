/**
 * `POST /api/events` as an Astro route. On `aircover serve` / `npm start` the plain Node fast
 * path in src/server/ answers this path before Astro sees it; this route serves the same contract
 * where the Astro handler runs alone (`node dist/server/entry.mjs`, a serverless adapter).
 */
import type { APIRoute } from 'astro';
import { collectBeacon, MAX_BEACON_BYTES, toResponse } from '../../lib/engagement/beacon.ts';

export const prerender = false;

export const ALL: APIRoute = async ({ request, clientAddress }) => {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > MAX_BEACON_BYTES)
    return toResponse({
      status: 413,
      headers: { 'content-type': 'application/json' },
      body: '{"error":"too large"}',
    });
  const body = request.method === 'POST' ? await request.text() : '';
  return toResponse(
    await collectBeacon({
      method: request.method,
      contentType: request.headers.get('content-type'),
      origin: request.headers.get('origin'),
      host: request.headers.get('host'),
      userAgent: request.headers.get('user-agent'),
      ip: clientAddress ?? null,
      body,
    }),
  );
};
