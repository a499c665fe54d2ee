/**
 * Unsubscribing: RFC 8058 one-click (`POST /api/unsubscribe/<token>` with the body
 * `List-Unsubscribe=One-Click`, sent by mail clients from their servers with no Origin) and the
 * visible page `/unsubscribe/<token>` whose confirm button posts to the same endpoint. A GET
 * never unsubscribes (scanners fetch every link). Partner and referrer tokens both work; the
 * suppression takes effect at once (every send checks it).
 */

import { isStoreUnavailable } from '../store/errors.ts';
import type { Answer } from './answer.ts';
import { type BodySource, readFields } from './body.ts';
import { runtime } from './runtime.ts';
import type { TokenOwner } from './tokens.ts';
import { botAgentReason } from './verdict.ts';

/** Who a token would unsubscribe, for the page (null: unknown token). */
export async function unsubscribeTarget(
  token: string,
): Promise<{ owner: TokenOwner; email: string; suppressed: boolean } | null> {
  const rt = runtime();
  const owner = await rt.tokens.resolve(token, { referrer: true });
  if (!owner) return null;
  const email = owner.role === 'referrer' ? owner.partner.referrerEmail : owner.partner.email;
  if (!email) return null;
  const store = await rt.store();
  return { owner, email, suppressed: await store.isSuppressed(email) };
}

/** `a***@example.com`: enough to recognise, not enough to harvest. */
export function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 1)}***@${domain}`;
}

export const MAX_UNSUBSCRIBE_BYTES = 4 * 1024;

export async function oneClickUnsubscribe(req: {
  token: string;
  /** RFC 8058 posts `application/x-www-form-urlencoded` (or multipart); read by body.ts. */
  body: BodySource | Request;
  userAgent: string | null;
  ip: string | null;
}): Promise<Answer> {
  const text = (status: number, body: string, headers: Record<string, string> = {}): Answer => ({
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body,
  });
  const read = await readFields(req.body, { maxBytes: MAX_UNSUBSCRIBE_BYTES, accept: ['form', 'multipart'] });
  if (!read.ok) return read.answer;
  const { fields } = read;
  if (fields['List-Unsubscribe'] !== 'One-Click') return text(400, 'Expected List-Unsubscribe=One-Click.\n');
  const fromPage = fields.via === 'page';
  try {
    const target = await unsubscribeTarget(req.token);
    const rt = runtime();
    if (!target) {
      rt.unknownTokens.note('unsubscribe');
      return text(404, 'This unsubscribe link is not known.\n');
    }
    const store = await rt.store();
    const { owner, email } = target;
    await store.addSuppression({
      email,
      reason: 'unsubscribed',
      source: fromPage ? 'unsubscribe-page' : 'one-click',
      campaign: owner.partner.campaign,
      note: owner.role === 'referrer' ? `referrer of ${owner.partner.partnerId}` : null,
    });
    const agent = botAgentReason(req.userAgent);
    await rt.batcher.add([
      {
        campaign: owner.partner.campaign,
        partnerId: owner.partner.partnerId,
        type: 'unsubscribe',
        source: 'page',
        occurredAt: new Date(),
        // One-click requests come from the mail provider's servers on the person's behalf.
        verdict: fromPage && agent ? 'bot' : 'human',
        verdictReason: fromPage ? (agent ?? 'unsubscribe page') : 'one-click from the mail client',
        userAgent: req.userAgent?.slice(0, 400) ?? null,
        ipHash: rt.hashIp(req.ip),
        metadata: { role: owner.role, via: fromPage ? 'page' : 'one-click' },
      },
    ]);
    if (fromPage)
      return {
        status: 303,
        headers: { location: `/unsubscribe/${req.token}?done=1`, 'cache-control': 'no-store' },
      };
    return text(200, 'Unsubscribed.\n');
  } catch (error) {
    if (isStoreUnavailable(error)) return text(503, 'Try again in a moment.\n', { 'retry-after': '5' });
    throw error;
  }
}
