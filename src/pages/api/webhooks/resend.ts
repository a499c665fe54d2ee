/** `POST /api/webhooks/resend`: Resend's signed webhooks (contract in src/lib/engagement/webhook.ts). */
import type { APIRoute } from 'astro';
import { toResponse } from '../../../lib/engagement/answer.ts';
import { receiveResendWebhook } from '../../../lib/engagement/webhook.ts';

export const prerender = false;

export const POST: APIRoute = async ({ request }) =>
  toResponse(
    await receiveResendWebhook({
      body: request,
      id: request.headers.get('svix-id'),
      timestamp: request.headers.get('svix-timestamp'),
      signature: request.headers.get('svix-signature'),
    }),
  );
