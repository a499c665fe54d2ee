/** `POST /api/webinars/<slug>/register`: the public webinar page's form (src/lib/webinar/public-form.ts). */
import type { APIRoute } from 'astro';
import { jsonAnswer, wantsJson } from '../../../../lib/engagement/answer.ts';
import { toResponse } from '../../../../lib/engagement/beacon.ts';
import { readRegistrationFields, registerFromPublicPage } from '../../../../lib/webinar/public-form.ts';

export const prerender = false;

export const POST: APIRoute = async ({ request, params, clientAddress }) => {
  const fields = await readRegistrationFields(request);
  if (!fields) return toResponse(jsonAnswer(413, { error: 'send a form of at most 8 KB' }));
  return toResponse(
    await registerFromPublicPage({
      slug: params.slug ?? '',
      fields,
      wantsJson: wantsJson(request),
      userAgent: request.headers.get('user-agent'),
      ip: clientAddress ?? null,
    }),
  );
};
