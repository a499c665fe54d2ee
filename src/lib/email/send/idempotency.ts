/**
 * The idempotency key of a ledger row, apart from the message building (message.ts) so that
 * planning loads no address parser.
 */
import { createHash } from 'node:crypto';

/**
 * The idempotency key of one (campaign, touch, partner) at one content version: readable when it
 * fits, a digest when it would not fit Resend's 256 characters.
 */
export function idempotencyKeyFor(
  campaign: string,
  touch: string,
  partner: string,
  contentVersion: string,
): string {
  const key = `aircover:${campaign}:${touch}:${partner}:${contentVersion}`;
  if (key.length <= 200) return key;
  const digest = createHash('sha256').update(key).digest('hex');
  return `aircover:${digest}`;
}
