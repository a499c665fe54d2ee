/**
 * POST from a partner page's forms: record an outcome, a note, a pause, a resume or a hand-off
 * (src/lib/followup/mark.ts, the same path as `aircover mark`), then back to the page (303).
 * Signed in and carrying this session's CSRF token, or refused before anything is recorded.
 */
import type { APIRoute } from 'astro';
import { dashboardData } from '../../../../../lib/followup/admin.ts';
import { actionFromForm, adminIdentity } from '../../../../../lib/followup/admin-actions.ts';
import { adminPost, refuse } from '../../../../../lib/followup/admin-post.ts';
import { partnerPath } from '../../../../../lib/followup/links.ts';
import { MarkError, recordAction } from '../../../../../lib/followup/mark.ts';

export const prerender = false;

const MAX_BYTES = 16_384;
export const POST: APIRoute = async (context) => {
  const post = await adminPost(context, MAX_BYTES);
  if (!post.ok) return post.response;
  const { fields } = post;
  const { cookies, params, redirect } = context;
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
