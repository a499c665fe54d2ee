/**
 * One partner's state in one campaign, from their facts: the derivation every part reads.
 */
import { touchDecision } from '../../campaign/audience.ts';
import type { Audience } from '../../campaign/schema.ts';
import { normalizeEmail } from '../../store/index.ts';
import { formatDate } from '../../time/format.ts';
import { webinarBlocksTouch } from '../../webinar/lifecycle.ts';
import type { FollowupCampaign, FollowupPartner, PartnerFacts, Status } from '../model.ts';
import { statusLabels } from '../model.ts';
import { engagement, type HumanEngagementModel } from '../signals.ts';
import { type AudienceFlags, audienceMembership } from './audiences.ts';
import { readingOf } from './reading.ts';
import { noStatuses, personLabel, type Signals, signalsOf, statusOf } from './status.ts';
import type { Evidence, Reading } from './types.ts';

export interface StateContext {
  now: Date;
  /** True when attendance was imported for the campaign's webinar (no-show is known). */
  attendanceImported: boolean;
  model?: HumanEngagementModel;
  /** Suppressed addresses (normalised): a referrer nudge is not sent to a suppressed referrer. */
  suppressed?: ReadonlySet<string>;
}

export interface PartnerState {
  campaign: string;
  partnerId: string;
  status: Status;
  /** "not now (until 2027-01-04)". */
  statusLabel: string;
  /** For `not-now`: the pause's end (ISO). */
  until: string | null;
  evidence: Evidence[];
  reading: Reading;
  /** Human evidence of interest: paper reading, a form, a reply. */
  engaged: boolean;
  /** Surfaced at once (speed wins); never for a partner who said no or cannot be reached. */
  hot: boolean;
  hotAt: string | null;
  /** Hot evidence held back by a no (declined, paused, unsubscribed, bounced, complained). */
  hotWithheld: { status: Status; at: string | null } | null;
  registered: boolean;
  /** The latest not-now that has ended, if the partner resurfaced. */
  resurfacedFrom: string | null;
  /** Delivery: `delayed` after soft bounces (below the limit), `bounced` past it or on a hard one. */
  delivery: 'ok' | 'delayed' | 'bounced';
  /**
   * Who owns the relationship: the latest dashboard hand-off (`handoff` response), else the
   * partners.csv owner. Every view, note and export reads this one.
   */
  owner: string | null;
  /** What the sender's audience rules read. */
  flags: AudienceFlags;
  audiences: Record<Audience, boolean>;
  /** The picked-out facts, for the actions table and the copy. */
  signals: Signals;
}

/** The state of one partner of one campaign. */
export function partnerState(
  partner: FollowupPartner,
  facts: PartnerFacts,
  campaign: FollowupCampaign,
  ctx: StateContext,
): PartnerState {
  const model = ctx.model ?? engagement;
  const reading = readingOf(facts.human, facts.sectionsSeen, model, campaign.paperTitle);
  const s = signalsOf(facts, campaign, reading, ctx);
  const { status, evidence } = statusOf(s);

  const formHot = [s.call?.occurredAt, s.feedback?.occurredAt].filter((t): t is string => Boolean(t));
  const hotTimes = [...(reading.hotAt ? [reading.hotAt] : []), ...formHot].sort();
  const wouldBeHot = hotTimes.length > 0;
  const saidNo = noStatuses.has(status);
  const hot = wouldBeHot && !saidNo;

  const engaged =
    reading.level === 'warm' ||
    reading.level === 'hot' ||
    Boolean(s.call || s.feedback || s.manual || s.repliedAt);
  const registered = Boolean(s.registration || s.attendance);
  const flags: AudienceFlags = {
    registered,
    attended: Boolean(s.attendance),
    noShow:
      status === 'no-show' ||
      // A no-show who also said no stays in the audience; the sender's no comes first anyway.
      (Boolean(s.registration) &&
        !s.attendance &&
        s.webinarOver &&
        s.attendanceImported &&
        !s.webinarCancelled),
    engaged,
    responded: Boolean(s.manual || s.repliedAt || s.feedback || s.call || s.registration || s.attendance),
    declined: Boolean(s.decline),
    // A reply the inbox read (src/lib/inbox/effects.ts records it as `replied` from `inbox`).
    replied: facts.responses.some((r) => r.kind === 'replied' && r.source === 'inbox'),
    suppressed: status === 'unsubscribed' || status === 'complained' || status === 'bounced',
    // The inbox read "no longer with the company": their address gets nothing more.
    left: Boolean(s.leftCompany),
    pausedUntil: s.pausedUntil ? new Date(s.pausedUntil) : null,
  };
  const until = status === 'not-now' ? s.pausedUntil : null;
  return {
    campaign: campaign.id,
    partnerId: partner.id,
    status,
    statusLabel: labelOf(status, until, s, campaign),
    until,
    evidence,
    reading,
    engaged,
    hot,
    hotAt: hot ? (hotTimes[0] ?? null) : null,
    hotWithheld: wouldBeHot && saidNo ? { status, at: hotTimes[0] ?? null } : null,
    registered,
    resurfacedFrom: s.notNow?.until && !s.pausedUntil ? s.notNow.until : null,
    delivery: status === 'bounced' ? 'bounced' : s.softBounces.length > 0 ? 'delayed' : 'ok',
    owner: ownerOf(partner, facts),
    flags,
    audiences: audienceMembership(flags),
    signals: s,
  };
}

/**
 * "not now (until 4 Jan 2027)", "referred us to someone else (Dana Lee <dana@x.com>)": the day in
 * the campaign's zone and locale, as the team reads it.
 */
function labelOf(
  status: Status,
  until: string | null,
  s: Signals,
  campaign: Pick<FollowupCampaign, 'timeZone' | 'locale'>,
): string {
  const label = statusLabels[status];
  if (until) return `${label} (until ${formatDate(until, campaign.timeZone, campaign.locale)})`;
  if (status === 'referred' && s.referral) return `${label} (${personLabel(s.referral)})`;
  if (status === 'left-company' && s.leftCompany?.replacement)
    return `${label} (replacement: ${personLabel(s.leftCompany.replacement)})`;
  return label;
}

/** The owner after the latest hand-off, else the partners.csv owner. */
export function ownerOf(partner: FollowupPartner, facts: PartnerFacts): string | null {
  let owner: string | null = partner.owner ?? null;
  let at = '';
  for (const r of facts.responses) {
    const to = r.kind === 'handoff' ? r.data.owner : undefined;
    if (typeof to === 'string' && to && r.occurredAt >= at) {
      owner = to;
      at = r.occurredAt;
    }
  }
  return owner;
}

/** Who a touch writes to: the referrer for a referrer nudge, else the partner. */
export function recipientOf(
  touch: { kind: string },
  partner: { email: string; referrer?: { email: string } | undefined },
): string | undefined {
  if (touch.kind === 'referrer-nudge') return partner.referrer?.email;
  return partner.email;
}

/** The sender's flags for one touch: suppression is per recipient (a referrer may be suppressed). */
export function flagsFor(
  state: PartnerState,
  touch: { kind: string },
  partner: { email: string; referrer?: { email: string } | undefined },
  suppressed?: ReadonlySet<string>,
): AudienceFlags {
  if (touch.kind !== 'referrer-nudge' || !suppressed) return state.flags;
  const recipient = recipientOf(touch, partner);
  const referrerSuppressed = recipient ? suppressed.has(normalizeEmail(recipient)) : false;
  return { ...state.flags, suppressed: Boolean(state.flags.suppressed || referrerSuppressed) };
}

/** What the sender's rules decide for every touch of the campaign (ledger aside). */
export function touchDecisions(
  state: PartnerState,
  partner: FollowupPartner,
  campaign: FollowupCampaign,
  now: Date,
  suppressed?: ReadonlySet<string>,
): { touch: string; send: boolean; reason: string | null }[] {
  const life = campaign.webinar?.status === 'cancelled' ? { state: 'cancelled' as const } : null;
  return campaign.touches.map((t) => {
    // The webinar's life first, as the send plan decides it (src/lib/webinar/lifecycle.ts).
    if (webinarBlocksTouch(t, life)) return { touch: t.id, send: false, reason: 'webinar-cancelled' };
    const d = touchDecision(t, partner, flagsFor(state, t, partner, suppressed), now);
    return { touch: t.id, send: d.send, reason: d.send ? null : d.reason };
  });
}
