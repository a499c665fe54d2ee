/**
 * `POST /api/unsubscribe/<token>`: RFC 8058 one-click unsubscribe (the List-Unsubscribe target),
 * also the confirm button of /unsubscribe/<token>. Contract in src/lib/engagement/unsubscribe.ts.
 */
import type { APIRoute } from 'astro';
import { toResponse } from '../../../lib/engagement/beacon.ts';
import { readFormFields } from '../../../lib/engagement/forms.ts';
import { oneClickUnsubscribe } from '../../../lib/engagement/unsubscribe.ts';

export const prerender = false;

export const POST: APIRoute = async ({ request, params, clientAddress }) => {
  const fields = await readFormFields(request);
  if (fields === 'too-large') return new Response(null, { status: 413 });
  return toResponse(
    await oneClickUnsubscribe({
      token: params.token ?? '',
      fields: fields === 'unsupported' ? {} : fields,
      userAgent: request.headers.get('user-agent'),
      ip: clientAddress ?? null,
    }),
  );
};
