/** `POST /api/forms/<kind>`: the personal page's forms (contract in src/lib/engagement/forms.ts). */
import type { APIRoute } from 'astro';
import { wantsJson } from '../../../lib/engagement/answer.ts';
import { toResponse } from '../../../lib/engagement/beacon.ts';
import { readFormFields, submitForm } from '../../../lib/engagement/forms.ts';

export const prerender = false;

export const POST: APIRoute = async ({ request, params, clientAddress }) => {
  const fields = await readFormFields(request);
  if (fields === 'too-large')
    return new Response('{"error":"too large"}', {
      status: 413,
      headers: { 'content-type': 'application/json' },
    });
  if (fields === 'unsupported')
    return new Response('{"error":"send a form or JSON"}', {
      status: 415,
      headers: { 'content-type': 'application/json' },
    });
  return toResponse(
    await submitForm({
      kind: params.kind ?? '',
      fields,
      wantsJson: wantsJson(request),
      userAgent: request.headers.get('user-agent'),
      ip: clientAddress ?? null,
    }),
  );
};
