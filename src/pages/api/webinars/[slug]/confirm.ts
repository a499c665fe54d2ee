/**
 * `GET|POST /api/webinars/<slug>/confirm?e=<email>&s=<signature>`: the link in the confirmation of
 * an unverified registration (src/lib/webinar/verify.ts). GET shows a button; POST verifies.
 */
import type { APIRoute } from 'astro';
import { toResponse, wantsJson } from '../../../../lib/engagement/answer.ts';
import { readFields } from '../../../../lib/engagement/body.ts';
import { confirmFromEmail } from '../../../../lib/webinar/verify.ts';

export const prerender = false;

export const GET: APIRoute = async ({ request, params, clientAddress }) => {
  const query = Object.fromEntries(new URL(request.url).searchParams);
  return toResponse(
    await confirmFromEmail({
      slug: params.slug ?? '',
      method: 'GET',
      fields: query,
      wantsJson: wantsJson(request),
      userAgent: request.headers.get('user-agent'),
      ip: clientAddress ?? null,
    }),
  );
};

export const POST: APIRoute = async ({ request, params, clientAddress }) => {
  const read = await readFields(request, { maxBytes: 2048, accept: ['form', 'json'] });
  if (!read.ok) return toResponse(read.answer);
  return toResponse(
    await confirmFromEmail({
      slug: params.slug ?? '',
      method: 'POST',
      fields: read.fields,
      wantsJson: wantsJson(request),
      userAgent: request.headers.get('user-agent'),
      ip: clientAddress ?? null,
    }),
  );
};
