/**
 * POST from a partner page's forms: record an outcome, a note, a pause, a resume or a hand-off
 * (src/lib/followup/mark.ts, the same path as `aircover mark`), then back to the page (303).
 * Signed in and carrying this session's CSRF token, or refused before anything is recorded.
 */
import type { APIRoute } from 'astro';
import { readFields } from '../../../../../lib/engagement/body.ts';
import { adminSession, dashboardData, loginPath } from '../../../../../lib/followup/admin.ts';
import { actionFromForm, adminIdentity, csrfValid } from '../../../../../lib/followup/admin-actions.ts';
import { partnerPath } from '../../../../../lib/followup/links.ts';
import { MarkError, recordAction } from '../../../../../lib/followup/mark.ts';

export const prerender = false;

const MAX_BYTES = 16_384;
const refuse = (status: number, text: string) =>
  new Response(text, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
  });

export const POST: APIRoute = async ({ cookies, params, request, url, redirect }) => {
  if (!(await adminSession(cookies))) return redirect(loginPath(url), 303);
  const read = await readFields(request, { maxBytes: MAX_BYTES, accept: ['form', 'multipart'] });
  if (!read.ok)
    return new Response(read.answer.body ?? null, {
      status: read.answer.status,
      headers: read.answer.headers ?? {},
    });
  const fields = read.fields;
  if (!csrfValid(cookies, fields.csrf)) return refuse(403, 'Missing or wrong CSRF token: reload the page');
  const campaign = params.campaign ?? '';
  const partnerId = params.id ?? '';
  const back = partnerPath(campaign, partnerId);
  try {
    const action = actionFromForm(fields);
    const { store, campaigns } = await dashboardData();
    if (!campaigns.some((c) => c.id === campaign && c.partners.some((p) => p.id === partnerId)))
      return refuse(404, 'No such partner');
    await recordAction(store, campaigns, {
      partner: partnerId,
      campaign,
      action,
      by: adminIdentity(cookies),
      source: 'dashboard',
      nonce: /^[\w-]{8,64}$/.test(fields.nonce ?? '') ? fields.nonce : undefined,
    });
    return redirect(`${back}?done=${encodeURIComponent(action.kind)}`, 303);
  } catch (error) {
    if (error instanceof MarkError)
      return redirect(`${back}?error=${encodeURIComponent(error.message)}`, 303);
    throw error;
  }
};
