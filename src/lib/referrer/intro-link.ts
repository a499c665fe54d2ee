/**
 * The tracked introduction link: `GET /api/intro?c=<campaign>&p=<partner>&t=<touch>&m=<mailto>&s=<sig>`.
 * The signature is HMAC-SHA256 under AIRCOVER_SECRET over every parameter (192 bits, base64url),
 * so the link cannot be guessed, changed into an open redirect, or pointed at another partner;
 * the collector records the referrer's click on the partner's timeline and answers with the
 * `mailto:` URL (src/lib/engagement/intro.ts).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { siteUrl } from '../personalize/links.ts';
import { getSecret } from '../secret.ts';

export interface IntroRef {
  campaign: string;
  partner: string;
  touch: string;
  mailto: string;
}

function sign(ref: IntroRef, secret: string): string {
  return createHmac('sha256', secret)
    .update(['intro', ref.campaign, ref.partner, ref.touch, ref.mailto].join('\u0000'))
    .digest()
    .subarray(0, 24)
    .toString('base64url');
}

export function introLinkUrl(ref: IntroRef, options: { secret?: string; baseUrl?: string } = {}): string {
  const base = options.baseUrl ?? siteUrl();
  const query = new URLSearchParams({
    c: ref.campaign,
    p: ref.partner,
    t: ref.touch,
    m: ref.mailto,
    s: sign(ref, options.secret ?? getSecret()),
  });
  return `${base}/api/intro?${query.toString()}`;
}

/** The link's reference if its signature holds, else null. */
export function verifyIntroLink(params: URLSearchParams, secret: string = getSecret()): IntroRef | null {
  const ref = {
    campaign: params.get('c') ?? '',
    partner: params.get('p') ?? '',
    touch: params.get('t') ?? '',
    mailto: params.get('m') ?? '',
  };
  const given = Buffer.from(params.get('s') ?? '', 'utf8');
  const expected = Buffer.from(sign(ref, secret), 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  if (!ref.mailto.startsWith('mailto:') || !ref.campaign || !ref.partner) return null;
  return ref;
}
