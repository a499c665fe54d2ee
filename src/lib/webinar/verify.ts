/**
 * Registrations are verified. Anyone may register on the public webinar page, but a registration
 * made there for a partner's address (no token) is stored with `verified: false`: the confirmation
 * (with the join link) goes to that address, so only the mailbox's owner can use it, and the
 * partner counts as registered only once they confirm from that email (the signed link below) or
 * register from their own personal link. The partner-state module reads `verified`
 * (src/lib/followup/state/status.ts `countsAsRegistration`).
 *
 * The confirm link is `/api/webinars/<slug>/confirm?e=<email>&s=<signature>`, the signature an
 * HMAC of slug and normalised address under AIRCOVER_SECRET. Opening it (GET) changes nothing —
 * mail security scanners open every link — it shows one button that POSTs the same fields back.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Answer } from '../engagement/answer.ts';
import { formEvent, jsonAnswer, seeOther } from '../engagement/answer.ts';
import { runtime } from '../engagement/runtime.ts';
import { botAgentReason } from '../engagement/verdict.ts';
import { escapeHtml } from '../personalize/escape.ts';
import { getSecret } from '../secret.ts';
import { isStoreUnavailable } from '../store/errors.ts';
import { normalizeEmail } from '../store/sql-shared.ts';
import { announceRegistration } from './announce.ts';

export function confirmSignature(slug: string, email: string, secret: string = getSecret()): string {
  return createHmac('sha256', secret)
    .update(`aircover registration confirm\0${slug}\0${normalizeEmail(email)}`)
    .digest('base64url')
    .slice(0, 32);
}

export function confirmUrl(slug: string, email: string, siteUrl: string, secret?: string): string {
  const url = new URL(`/api/webinars/${encodeURIComponent(slug)}/confirm`, siteUrl);
  url.searchParams.set('e', normalizeEmail(email));
  url.searchParams.set('s', confirmSignature(slug, email, secret));
  return url.href;
}

function validSignature(slug: string, email: string, signature: string): boolean {
  const expected = Buffer.from(confirmSignature(slug, email));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface ConfirmRequest {
  slug: string;
  method: 'GET' | 'POST';
  fields: Record<string, string>;
  wantsJson: boolean;
  userAgent: string | null;
  ip: string | null;
  now?: Date;
}

const page = (title: string, body: string): Answer => ({
  status: 200,
  headers: {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'x-robots-tag': 'noindex',
  },
  body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`,
});

/** GET shows the button; POST verifies the registration and records it on the partner's timeline. */
export async function confirmFromEmail(req: ConfirmRequest): Promise<Answer> {
  const email = normalizeEmail(req.fields.e ?? '');
  const signature = req.fields.s ?? '';
  if (!email || !/^[A-Za-z0-9_-]{32}$/.test(signature) || !validSignature(req.slug, email, signature))
    return jsonAnswer(404, { error: 'unknown confirmation link' });
  if (req.method === 'GET') {
    const action = `/api/webinars/${encodeURIComponent(req.slug)}/confirm`;
    return page(
      'Confirm your registration',
      `<p>Confirm that ${escapeHtml(email)} registered for this webinar.</p><form method="post" action="${escapeHtml(action)}"><input type="hidden" name="e" value="${escapeHtml(email)}"><input type="hidden" name="s" value="${escapeHtml(signature)}"><button type="submit">Yes, I registered</button></form>`,
    );
  }
  const now = req.now ?? new Date();
  try {
    const rt = runtime();
    const store = await rt.store();
    const result = await store.verifyRegistration(req.slug, email, { via: 'email-confirm', at: now });
    if (result.id === null) return jsonAnswer(404, { error: 'no registration to confirm' });
    const [row] = (await store.listResponses({ webinar: req.slug, kind: 'registration', email })).filter(
      (r) => r.id === result.id,
    );
    const agent = botAgentReason(req.userAgent);
    if (result.changed && row && !agent)
      await announceRegistration(store, {
        webinar: req.slug,
        email,
        name: row.name,
        company: typeof row.data.company === 'string' ? row.data.company : null,
        campaign: row.campaign,
        partnerId: row.partnerId,
        responseId: row.id,
        verified: true,
        via: 'email-confirm',
        at: now,
      });
    if (result.changed && row?.campaign && row.partnerId) {
      await rt.batcher.add([
        formEvent({
          campaign: row.campaign,
          partnerId: row.partnerId,
          kind: 'register',
          at: now,
          agent,
          userAgent: req.userAgent,
          ipHash: rt.hashIp(req.ip),
          metadata: { responseId: row.id, via: 'email-confirm' },
          eventKey: `f:registration:${req.slug}:${email}`,
        }),
      ]);
    }
    if (req.wantsJson) return jsonAnswer(200, { ok: true, verified: true, changed: result.changed });
    return seeOther(`/webinars/${encodeURIComponent(req.slug)}/#registered`);
  } catch (error) {
    if (isStoreUnavailable(error)) return jsonAnswer(503, { error: 'store unavailable, retry' });
    throw error;
  }
}
