/** `POST /api/webinars/<slug>/register`: the public webinar page's form (src/lib/webinar/public-form.ts). */
import type { APIRoute } from 'astro';
import { toResponse, wantsJson } from '../../../../lib/engagement/answer.ts';
import { registerFromPublicPage } from '../../../../lib/webinar/public-form.ts';

export const prerender = false;

export const POST: APIRoute = async ({ request, params, locals }) =>
  toResponse(
    await registerFromPublicPage({
      slug: params.slug ?? '',
      body: request,
      wantsJson: wantsJson(request),
      userAgent: request.headers.get('user-agent'),
      ip: locals.client?.ip ?? null,
    }),
  );
