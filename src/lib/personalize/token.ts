/**
 * Partner tokens: the unguessable, stable part of personal links.
 * HMAC-SHA256(secret, campaign + partner id), base64url, 192 bits. The same secret always
 * gives the same token (sent links keep working across builds); another secret gives others.
 */
import { createHmac } from 'node:crypto';
import { getSecret } from '../secret.ts';

/** 24 bytes = 192 bits = 32 base64url characters. */
const TOKEN_BYTES = 24;

function hmac(secret: string, message: string): string {
  return createHmac('sha256', secret).update(message).digest().subarray(0, TOKEN_BYTES).toString('base64url');
}

/** The token in `/p/<token>/` and `/unsubscribe/<token>` for one partner of one campaign. */
export function partnerToken(campaignId: string, partnerId: string, secret: string = getSecret()): string {
  return hmac(secret, `partner\u0000${campaignId}\u0000${partnerId}`);
}

/**
 * The token a referrer's unsubscribe link carries (a referrer nudge goes to the referrer, who
 * must be able to opt out without touching the partner's own subscription).
 */
export function referrerToken(campaignId: string, partnerId: string, secret: string = getSecret()): string {
  return hmac(secret, `referrer\u0000${campaignId}\u0000${partnerId}`);
}

export const tokenPattern = /^[A-Za-z0-9_-]{32}$/;

export interface TokenOwner {
  campaign: string;
  partner: string;
  /** `partner` for the personal page and the partner's unsubscribe; `referrer` for a referrer's. */
  role: 'partner' | 'referrer';
}

/** Token → who it belongs to, for endpoints that receive a token (unsubscribe, forms, beacon). */
export function buildTokenIndex(
  campaigns: readonly { id: string; partners: readonly { id: string; referrer?: unknown }[] }[],
  secret: string = getSecret(),
): Map<string, TokenOwner> {
  const index = new Map<string, TokenOwner>();
  for (const campaign of campaigns) {
    for (const partner of campaign.partners) {
      index.set(partnerToken(campaign.id, partner.id, secret), {
        campaign: campaign.id,
        partner: partner.id,
        role: 'partner',
      });
      if (partner.referrer) {
        index.set(referrerToken(campaign.id, partner.id, secret), {
          campaign: campaign.id,
          partner: partner.id,
          role: 'referrer',
        });
      }
    }
  }
  return index;
}
