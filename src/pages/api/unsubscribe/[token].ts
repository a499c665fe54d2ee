/**
 * `POST /api/unsubscribe/<token>`: RFC 8058 one-click unsubscribe (the List-Unsubscribe target),
 * also the confirm button of /unsubscribe/<token>. Contract in src/lib/engagement/unsubscribe.ts.
 */
import type { APIRoute } from 'astro';
import { toResponse } from '../../../lib/engagement/answer.ts';
import { oneClickUnsubscribe } from '../../../lib/engagement/unsubscribe.ts';

export const prerender = false;

export const POST: APIRoute = async ({ request, params, locals }) =>
  toResponse(
    await oneClickUnsubscribe({
      token: params.token ?? '',
      body: request,
      userAgent: request.headers.get('user-agent'),
      ip: locals.client?.ip ?? null,
    }),
  );
