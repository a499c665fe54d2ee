/** `GET /api/intro?…`: a referrer opens a note's ready introduction (src/lib/engagement/intro.ts). */
import type { APIRoute } from 'astro';
import { openIntroduction } from '../../lib/engagement/intro.ts';

export const prerender = false;

export const GET: APIRoute = async ({ request, url, locals }) =>
  openIntroduction({ url, userAgent: request.headers.get('user-agent'), ip: locals.client?.ip ?? null });
