/**
 * POST from the correct forms (the inbox page, a partner's timeline): give a message its class
 * through the pipeline's `correct`, the same path as `aircover inbox correct`, recorded with who
 * did it; then back to the page the form was on (303). Signed in and carrying this session's CSRF
 * token, or refused before anything is read from the store.
 */
import type { APIRoute } from 'astro';
import { dashboardData, safeNext } from '../../../lib/followup/admin.ts';
import { adminIdentity } from '../../../lib/followup/admin-actions.ts';
import { adminPost } from '../../../lib/followup/admin-post.ts';
import { CorrectionError, correctFromForm } from '../../../lib/inbox/admin.ts';

export const prerender = false;

const MAX_BYTES = 4096;

/** Back to the form's page with one query parameter set (the others, the filters, kept). */
function back(path: string, key: string, value: string): string {
  const url = new URL(safeNext(path), 'http://admin.invalid');
  url.searchParams.delete('done');
  url.searchParams.delete('error');
  url.searchParams.set(key, value);
  return `${url.pathname}${url.search}`;
}

export const POST: APIRoute = async (context) => {
  const post = await adminPost(context, MAX_BYTES);
  if (!post.ok) return post.response;
  const { fields } = post;
  const { cookies, redirect } = context;
  const from = fields.back ?? '/admin/inbox';
  try {
    const { store, campaigns } = await dashboardData();
    const message = await correctFromForm(store, campaigns, fields, adminIdentity(cookies));
    return redirect(back(from, 'done', `corrected-${message.id}`), 303);
  } catch (error) {
    if (error instanceof CorrectionError) return redirect(back(from, 'error', error.message), 303);
    throw error;
  }
};
