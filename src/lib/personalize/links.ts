/**
 * Every URL a message or a page points to. The personal page is `/p/<token>/`; links to it from
 * an email carry the touch id (`?t=<touch>`) so a visit is attributed to the message.
 */
import { isAdvanceCopy } from '../publishing.ts';
import { partnerToken, referrerToken } from './token.ts';

/** AIRCOVER_SITE_URL without its trailing slash; `http://localhost:4321` by default. */
export function siteUrl(env: NodeJS.ProcessEnv = process.env): string {
  return (env.AIRCOVER_SITE_URL || 'http://localhost:4321').replace(/\/+$/, '');
}

export interface LinkOptions {
  secret?: string;
  baseUrl?: string;
  /** The touch the links are sent in; omitted for links shown on the page itself. */
  touch?: string;
  now?: Date;
}

export interface PartnerLinks {
  token: string;
  /** The personal page. */
  page: string;
  notNow: string;
  noThanks: string;
  call: string;
  feedback: string;
  register: string;
  /** The paper: the personal page's advance copy while it is not public, else the public page. */
  paper: string;
  /** The public webinar page (never the join link). */
  webinar: string;
  /** The recording section of the personal page. */
  recording: string;
  /** The unsubscribe page (`/unsubscribe/<token>`) the footer links to. */
  unsubscribe: string;
  /** RFC 8058 one-click endpoint for List-Unsubscribe (`/api/unsubscribe/<token>`, POST). */
  unsubscribeOneClick: string;
  /** Public posts by slug. */
  posts: Record<string, string>;
}

interface LinkCampaign {
  id: string;
  paper: { id: string; data: { status: string; publishDate: Date } };
  webinar?: { id: string };
  posts: readonly { id: string }[];
}

export function partnerLinks(
  campaign: LinkCampaign,
  partnerId: string,
  options: LinkOptions = {},
): PartnerLinks {
  const base = options.baseUrl ?? siteUrl();
  const token = partnerToken(campaign.id, partnerId, options.secret);
  const query = options.touch ? `?t=${encodeURIComponent(options.touch)}` : '';
  const page = `${base}/p/${token}/${query}`;
  const paperPublic = !isAdvanceCopy(campaign.paper.data, options.now ?? new Date());
  return {
    token,
    page,
    notNow: `${page}#not-now`,
    noThanks: `${page}#no-thanks`,
    call: `${page}#call`,
    feedback: `${page}#feedback`,
    register: `${page}#register`,
    paper: paperPublic ? `${base}/whitepapers/${campaign.paper.id}/` : `${page}#paper`,
    webinar: campaign.webinar ? `${base}/webinars/${campaign.webinar.id}/` : `${page}#webinar`,
    recording: `${page}#recording`,
    unsubscribe: `${base}/unsubscribe/${token}`,
    unsubscribeOneClick: `${base}/api/unsubscribe/${token}`,
    posts: Object.fromEntries(campaign.posts.map((post) => [post.id, `${base}/blog/${post.id}/`])),
  };
}

/** The unsubscribe URLs for a referrer (a referrer nudge's footer and headers). */
export function referrerUnsubscribeLinks(
  campaignId: string,
  partnerId: string,
  options: Pick<LinkOptions, 'secret' | 'baseUrl'> = {},
): { unsubscribe: string; unsubscribeOneClick: string; token: string } {
  const base = options.baseUrl ?? siteUrl();
  const token = referrerToken(campaignId, partnerId, options.secret);
  return {
    token,
    unsubscribe: `${base}/unsubscribe/${token}`,
    unsubscribeOneClick: `${base}/api/unsubscribe/${token}`,
  };
}
