/**
 * THE partner state: one derivation of each partner's status, the evidence behind it (response
 * and event ids), paper reading apart from page sections, hot or not, delivery, and membership of
 * every audience. The sender (src/lib/email/send/state.ts), the queue and report (../queue.ts),
 * the dashboard, the digest and the owner's hot notes (../notify.ts, src/lib/engagement/hot.ts)
 * all read it; nothing else maps facts to a status or an audience.
 *
 * Pieces:
 * - facts (../facts.ts): the store's rows for a campaign, gathered in a handful of queries;
 * - reading.ts: what the human evidence says about reading (the paper only) and sections seen;
 * - status.ts: the ordered status rules (saying no first) and the evidence each returns;
 * - audiences.ts: the audience flags → membership of every campaign.yaml audience;
 * - outcomes.ts: feedback, the registration that counts, attendance and replies, for the views;
 * - derive.ts: puts them together (`partnerState`), plus the sender's per-touch decisions.
 *
 * How to add a fact (an inbound reply, an auto-reply, "left the company", a dashboard pause or
 * owner hand-off, an unverified registration, a cancelled webinar):
 * 1. Record it in the store (a response kind, an event type, a suppression) — never in a view.
 * 2. Gather it into `PartnerFacts` in ../facts.ts (one grouped query for the campaign).
 * 3. Pick it out in `signalsOf` (status.ts) and give it a rule in `statusRules` at the place its
 *    priority belongs (a no before anything a partner did), returning its evidence; if it changes
 *    who a touch goes to, set the flag in derive.ts (`flags`), and if it needs its own next action,
 *    add the status to model.ts and its entry in ../actions.ts (words in ../copy.ts).
 * 4. Add a case to tests/followup/state.test.ts and, if people see it, to tests/scenarios/.
 */
import type { Store, Suppression } from '../../store/types.ts';
import { scheduleChangesOf } from '../../webinar/lifecycle.ts';
import { type CampaignFacts, loadCampaignFacts } from '../facts.ts';
import type { FollowupCampaign } from '../model.ts';
import { type PartnerState, partnerState } from './derive.ts';

export { type AudienceFlags, audienceMembership, memberOf } from './audiences.ts';
export {
  flagsFor,
  type PartnerState,
  partnerState,
  recipientOf,
  type StateContext,
  touchDecisions,
} from './derive.ts';
export { outcomesOf } from './outcomes.ts';
export { readingOf } from './reading.ts';
export { countsAsRegistration, noStatuses, SOFT_BOUNCE_LIMIT, statusRules } from './status.ts';
export type { Evidence, Outcomes, Reading, ReadingLevel } from './types.ts';

export interface CampaignStates extends CampaignFacts {
  /** The campaign as derived: its webinar at the current schedule (rescheduled, cancelled). */
  campaign: FollowupCampaign;
  states: Map<string, PartnerState>;
  /** Suppressed addresses (normalised) among every partner's and referrer's. */
  suppressed: Set<string>;
}

/** Every partner's state in one campaign, from the store. */
export async function loadCampaignStates(
  store: Store,
  given: FollowupCampaign,
  options: { now?: Date; suppressions?: Suppression[] } = {},
): Promise<CampaignStates> {
  const now = options.now ?? new Date();
  const campaign = await withSchedule(store, given);
  const suppressions = options.suppressions ?? (await store.listSuppressions());
  const loaded = await loadCampaignFacts(store, campaign, { suppressions });
  const suppressed = new Set(suppressions.map((s) => s.email));
  const states = new Map<string, PartnerState>();
  for (const p of campaign.partners) {
    const f = loaded.facts.get(p.id);
    if (f)
      states.set(
        p.id,
        partnerState(p, f, campaign, { now, attendanceImported: loaded.attendanceImported, suppressed }),
      );
  }
  return { ...loaded, campaign, states, suppressed };
}

/**
 * The campaign's webinar at its current schedule: the latest `aircover webinar reschedule` or
 * `cancel` recorded in the store (src/lib/webinar/schedule.ts) overrides the content's start and
 * sets `status`, so no-shows and reminders follow the webinar's life.
 */
async function withSchedule(store: Store, campaign: FollowupCampaign): Promise<FollowupCampaign> {
  const webinar = campaign.webinar;
  if (!webinar) return campaign;
  const latest = (await scheduleChangesOf(store, webinar.id)).at(-1);
  if (!latest) return campaign;
  const start = new Date(latest.start);
  const length = webinar.end.getTime() - webinar.start.getTime();
  const moved = Number.isNaN(start.getTime())
    ? { start: webinar.start, end: webinar.end }
    : { start, end: new Date(start.getTime() + length) };
  // A cancellation in either the frontmatter or the store is a cancellation (lifecycle.ts).
  const status = webinar.status === 'cancelled' || latest.status === 'cancelled' ? 'cancelled' : 'confirmed';
  return { ...campaign, webinar: { ...webinar, ...moved, status } };
}
