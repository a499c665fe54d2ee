/**
 * One row of the queue per partner: their state (state/, the one derivation) and the action its
 * status asks for (actions.ts, words in copy.ts). Also the queue's cross-campaign linking and order.
 */

import { dayKey } from '../time/format.ts';
import { planFor, priorities } from './actions.ts';
import {
  type Action,
  actionLabels,
  type FollowUp,
  type FollowupCampaign,
  type FollowupPartner,
  type PartnerFacts,
} from './model.ts';
import { type ScoringConfig, scoreFacts } from './scoring.ts';
import type { HumanEngagementModel } from './signals.ts';
import { type PartnerState, partnerState, touchDecisions } from './state/derive.ts';
import { outcomesOf } from './state/outcomes.ts';

export interface RuleContext {
  now: Date;
  scoring: ScoringConfig;
  /** True when attendance was imported for the campaign's webinar (no-show is known). */
  attendanceImported: boolean;
  model?: HumanEngagementModel;
  /** Suppressed addresses (normalised), for referrer nudges' recipients. */
  suppressed?: ReadonlySet<string>;
}

const fullName = (p: FollowupPartner) => [p.firstName, p.lastName].filter(Boolean).join(' ');

/** One row of the queue for one partner of one campaign. */
export function evaluate(
  partner: FollowupPartner,
  facts: PartnerFacts,
  campaign: FollowupCampaign,
  ctx: RuleContext,
): FollowUp {
  const state = partnerState(partner, facts, campaign, ctx);
  return rowOf(partner, facts, campaign, state, ctx);
}

/** The queue row for a state already derived. */
export function rowOf(
  partner: FollowupPartner,
  facts: PartnerFacts,
  campaign: FollowupCampaign,
  state: PartnerState,
  ctx: RuleContext,
): FollowUp {
  const plan = planFor(partner, facts, campaign, state, ctx.now);
  return {
    campaign: campaign.id,
    campaignName: campaign.name,
    partnerId: partner.id,
    email: partner.email,
    company: partner.company,
    name: fullName(partner),
    owner: state.owner,
    status: state.status,
    statusLabel: state.statusLabel,
    until: state.until,
    hot: state.hot,
    hotAt: state.hotAt,
    score: scoreFacts(facts, ctx.scoring, ctx.now),
    lastHumanActivity: facts.human.lastAt,
    action: plan.action,
    actionLabel: actionLabels[plan.action],
    due: plan.due ? plan.due.toISOString() : null,
    reason: plan.reason,
    suggestion: plan.suggestion,
    contact: plan.contact,
    priority: priorities[plan.action],
    otherCampaigns: [],
    audiences: state.audiences,
    touches: touchDecisions(state, partner, campaign, ctx.now, ctx.suppressed),
    evidence: state.evidence,
    reading: state.reading,
    outcomes: outcomesOf(state, facts),
    tags: partner.tags ?? [],
    hotWithheld: state.hotWithheld,
  };
}

const outreach = new Set<Action>([
  'personal-follow-up',
  'schedule-call',
  'next-touch',
  'referrer-note',
  'ask-gatekeeper',
  'send-first',
]);

/**
 * One person, one conversation (rule 7): the same address in several campaigns is one timeline.
 * When one campaign has a hot follow-up for them, the others' outreach is held.
 */
export function linkCampaigns(items: FollowUp[]): FollowUp[] {
  const byEmail = new Map<string, FollowUp[]>();
  for (const item of items) {
    const key = item.email.trim().toLowerCase();
    const list = byEmail.get(key);
    if (list) list.push(item);
    else byEmail.set(key, [item]);
  }
  for (const list of byEmail.values()) {
    if (list.length < 2) continue;
    const campaigns = list.map((i) => i.campaign);
    const lead = list.find((i) => i.priority === 0);
    for (const item of list) {
      item.otherCampaigns = campaigns.filter((c) => c !== item.campaign);
      if (lead && item !== lead && outreach.has(item.action)) {
        item.action = 'hold';
        item.actionLabel = actionLabels.hold;
        item.priority = priorities.hold;
        item.reason = `one conversation: ${lead.owner ?? 'the owner'} follows up in "${lead.campaign}" (${lead.actionLabel})`;
        item.suggestion = `Nothing from "${item.campaign}" until that conversation settles.`;
        item.due = null;
      }
    }
  }
  return items;
}

/**
 * The queue's order: a partner who wrote back first (they are waiting for us), then what must
 * happen today (hot at once, then anything due by the end of today), then by due date, then by
 * score; stopped and held partners last.
 */
export function sortQueue(items: FollowUp[], now: Date, timeZone = 'UTC'): FollowUp[] {
  const dueToday = dueTodayTest(now, timeZone);
  // Each item's bucket once, not once per comparison: a comparison would format two dates.
  const buckets = new Map<FollowUp, number>();
  for (const i of items)
    buckets.set(
      i,
      i.action === 'reply' ? -1 : i.priority === 0 ? 0 : i.due === null ? 2 : dueToday(i) ? 0 : 1,
    );
  const bucket = (i: FollowUp) => buckets.get(i) as number;
  return items.sort(
    (a, b) =>
      bucket(a) - bucket(b) ||
      a.priority - b.priority ||
      // ISO instants in UTC order as plain strings.
      compareText(a.due ?? '9999', b.due ?? '9999') ||
      b.score - a.score ||
      companyOrder.compare(a.company, b.company),
  );
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** One collator for every sort: `localeCompare` looks one up on each call. */
const companyOrder = new Intl.Collator();

/**
 * Whether an item is due today or overdue (hot items always are). "Today" is the calendar day of
 * `now` in the campaign's zone: the due instant's day there is compared, not a UTC day or a
 * 24-hour window, so it holds far from UTC and on the days the clocks change.
 */
export function isDueToday(item: FollowUp, now: Date, timeZone: string): boolean {
  return dueTodayTest(now, timeZone)(item);
}

/** `isDueToday` for many items at one moment: today's key is worked out once. */
export function dueTodayTest(now: Date, timeZone: string): (item: FollowUp) => boolean {
  const today = dayKey(now, timeZone);
  return (item) =>
    item.priority === 0 ||
    (item.due !== null && item.action !== 'wait' && dayKey(new Date(item.due), timeZone) <= today);
}
