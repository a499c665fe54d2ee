/**
 * `POST /api/events` as an Astro route. On `aircover serve` / `npm start` the plain Node fast
 * path in src/server/ answers this path before Astro sees it; this route serves the same contract
 * where the Astro handler runs alone (`node dist/server/entry.mjs`, a serverless adapter).
 */
import type { APIRoute } from 'astro';
import { toResponse } from '../../lib/engagement/answer.ts';
import { collectBeacon } from '../../lib/engagement/beacon.ts';

export const prerender = false;

export const ALL: APIRoute = async ({ request, locals }) =>
  toResponse(
    await collectBeacon({
      method: request.method,
      origin: request.headers.get('origin'),
      host: request.headers.get('host'),
      userAgent: request.headers.get('user-agent'),
      ip: locals.client?.ip ?? null,
      body: request,
    }),
  );
