/**
 * What a referrer note gives its referrer for each partner they introduced: the partner as the
 * template names them, a ready introduction (To the partner, Cc the campaign's sender, subject
 * and body from the template's `introSubject` / `introBody`) behind a tracked link, and the
 * public webinar page to forward. Never the partner's personal links: a referrer who opened them
 * would pass for the partner.
 *
 * `partners[]` in a referrer-nudge template:
 *
 * | variable | what |
 * |---|---|
 * | `name`, `first_name`, `last_name`, `company`, `relationship` | the referred partner |
 * | `links.intro` | the tracked one-click introduction (opens the referrer's mail client) |
 * | `links.intro_mailto` | the same `mailto:` untracked (for the plain-text part, say) |
 * | `links.webinar`, `links.paper` | public pages the referrer can forward (paper: once published) |
 * | `intro.subject`, `intro.body` | the introduction's text, to quote in the note |
 */
import type { Campaign, Touch } from '../campaign/load.ts';
import type { Partner } from '../campaign/partners.ts';
import type { CompiledTemplate } from '../personalize/engine.ts';
import { renderLine, renderText } from '../personalize/engine.ts';
import { siteUrl } from '../personalize/links.ts';
import { isAdvanceCopy } from '../publishing.ts';
import { introLinkUrl } from './intro-link.ts';
import { mailtoUrl } from './mailto.ts';

export interface ReferredOptions {
  secret?: string;
  baseUrl?: string;
  now?: Date;
}

/** One entry of a referrer note's `partners`, with `scopeOf(partner)` the template scope for that partner. */
export function referredScope(
  campaign: Campaign,
  touch: Touch,
  partner: Partner,
  scope: Record<string, unknown>,
  intro: { subject: CompiledTemplate; body: CompiledTemplate } | undefined,
  options: ReferredOptions,
): Record<string, unknown> {
  const base = options.baseUrl ?? siteUrl();
  const links: Record<string, string> = {};
  if (campaign.webinar) links.webinar = `${base}/webinars/${campaign.webinar.id}/`;
  if (!isAdvanceCopy(campaign.paper.data, options.now ?? new Date()))
    links.paper = `${base}/whitepapers/${campaign.paper.id}/`;
  let introText: { subject: string; body: string } | undefined;
  if (intro) {
    introText = { subject: renderLine(intro.subject, scope), body: renderText(intro.body, scope) };
    const mailto = mailtoUrl({
      to: partner.email,
      cc: [campaign.def.sender.email],
      subject: introText.subject,
      body: introText.body,
    });
    links.intro_mailto = mailto;
    links.intro = introLinkUrl(
      { campaign: campaign.id, partner: partner.id, touch: touch.id, mailto },
      { ...(options.secret ? { secret: options.secret } : {}), baseUrl: base },
    );
  }
  return {
    id: partner.id,
    name: [partner.firstName, partner.lastName].filter(Boolean).join(' '),
    first_name: partner.firstName,
    ...(partner.lastName ? { last_name: partner.lastName } : {}),
    company: partner.company,
    ...(partner.referrer?.relationship ? { relationship: partner.referrer.relationship } : {}),
    links,
    ...(introText ? { intro: introText } : {}),
  };
}
