/** `POST /api/webhooks/resend`: Resend's signed webhooks (contract in src/lib/engagement/webhook.ts). */
import type { APIRoute } from 'astro';
import { toResponse } from '../../../lib/engagement/beacon.ts';
import { MAX_WEBHOOK_BYTES, receiveResendWebhook } from '../../../lib/engagement/webhook.ts';

export const prerender = false;

export const POST: APIRoute = async ({ request }) => {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > MAX_WEBHOOK_BYTES) return new Response(null, { status: 413 });
  return toResponse(
    await receiveResendWebhook({
      body: await request.text(),
      id: request.headers.get('svix-id'),
      timestamp: request.headers.get('svix-timestamp'),
      signature: request.headers.get('svix-signature'),
    }),
  );
};
