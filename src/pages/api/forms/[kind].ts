/** `POST /api/forms/<kind>`: the personal page's forms (contract in src/lib/engagement/forms.ts). */
import type { APIRoute } from 'astro';
import { toResponse, wantsJson } from '../../../lib/engagement/answer.ts';
import { submitForm } from '../../../lib/engagement/forms.ts';

export const prerender = false;

export const POST: APIRoute = async ({ request, params, locals }) =>
  toResponse(
    await submitForm({
      kind: params.kind ?? '',
      body: request,
      wantsJson: wantsJson(request),
      userAgent: request.headers.get('user-agent'),
      ip: locals.client?.ip ?? null,
    }),
  );
