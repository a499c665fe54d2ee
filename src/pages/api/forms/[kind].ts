/** `POST /api/forms/<kind>`: the personal page's forms (contract in src/lib/engagement/forms.ts). */
import type { APIRoute } from 'astro';
import { jsonAnswer, wantsJson } from '../../../lib/engagement/answer.ts';
import { toResponse } from '../../../lib/engagement/beacon.ts';
import { readFormFields, submitForm } from '../../../lib/engagement/forms.ts';

export const prerender = false;

export const POST: APIRoute = async ({ request, params, clientAddress }) => {
  const fields = await readFormFields(request);
  if (fields === 'too-large') return toResponse(jsonAnswer(413, { error: 'too large' }));
  if (fields === 'unsupported') return toResponse(jsonAnswer(415, { error: 'send a form or JSON' }));
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
