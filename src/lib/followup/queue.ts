/**
 * The follow-up queue, the report's numbers and the dashboard's campaign page, from the store and
 * the campaigns. The CLI commands and the /admin routes call these and only format the result.
 */
import type { PartnerState } from '../campaign/audience.ts';
import type { Store, Suppression } from '../store/types.ts';
import { type FollowUp, type FollowupCampaign, type Status, statuses } from './model.ts';
import { dueTodayTest, linkCampaigns, rowOf, sortQueue } from './rules.ts';
import { scoringConfig } from './scoring.ts';
import { engagement } from './signals.ts';
import { type CampaignStates, loadCampaignStates } from './state/index.ts';

export interface QueueOptions {
  now?: Date;
  /** Keep only these statuses / this owner (after linking campaigns). */
  status?: Status[];
  owner?: string;
}

/** The queue for the given campaigns: one row per partner and campaign, due today first. */
export async function buildQueue(
  store: Store,
  campaigns: FollowupCampaign[],
  options: QueueOptions = {},
): Promise<FollowUp[]> {
  const now = options.now ?? new Date();
  const suppressions = await store.listSuppressions();
  const items: FollowUp[] = [];
  for (const campaign of campaigns) {
    items.push(...(await campaignItems(store, campaign, now, suppressions)));
  }
  let queue = linkCampaigns(items);
  if (options.status?.length) queue = queue.filter((i) => options.status?.includes(i.status));
  if (options.owner) {
    const owner = options.owner.toLowerCase();
    queue = queue.filter((i) => (i.owner ?? '').toLowerCase() === owner);
  }
  return sortQueue(queue, now, campaigns[0]?.timeZone ?? 'UTC');
}

async function campaignItems(
  store: Store,
  campaign: FollowupCampaign,
  now: Date,
  suppressions?: Suppression[],
): Promise<FollowUp[]> {
  return rowsOf(
    campaign,
    await loadCampaignStates(store, campaign, { now, ...(suppressions ? { suppressions } : {}) }),
    now,
  );
}

function rowsOf(given: FollowupCampaign, loaded: CampaignStates, now: Date): FollowUp[] {
  const campaign = loaded.campaign ?? given;
  const ctx = {
    now,
    scoring: scoringConfig(campaign.scoring),
    attendanceImported: loaded.attendanceImported,
    suppressed: loaded.suppressed,
  };
  return campaign.partners.flatMap((p) => {
    const f = loaded.facts.get(p.id);
    const state = loaded.states.get(p.id);
    return f && state ? [rowOf(p, f, campaign, state, ctx)] : [];
  });
}

/**
 * The state the sender's audience rules read (campaign/audience.ts), per partner, from the one
 * derivation (state/): a marked reply sets `responded`, so follow-ups and referrer nudges stop.
 */
export async function loadPartnerStates(
  store: Store,
  campaign: FollowupCampaign,
  now: Date = new Date(),
): Promise<Map<string, PartnerState>> {
  const { states } = await loadCampaignStates(store, campaign, { now });
  return new Map([...states].map(([id, s]) => [id, s.flags]));
}

export const funnelStages = [
  'sent',
  'delivered',
  'written to the outbox',
  'human visit',
  'read half the paper',
  'feedback or registration',
  'attended',
] as const;

/**
 * The funnel's second stage. The file outbox delivers nothing (no provider reports back), so with
 * no delivery reported and no Resend key the stage says what happened: "written to the outbox",
 * counting what was written, instead of "delivered 0".
 */
function deliveryStage(
  delivered: number,
  sent: number,
  env: NodeJS.ProcessEnv = process.env,
): { stage: (typeof funnelStages)[number]; partners: number } {
  const outbox = !env.RESEND_API_KEY?.trim() || env.AIRCOVER_TRANSPORT === 'outbox';
  return outbox && delivered === 0 && sent > 0
    ? { stage: 'written to the outbox', partners: sent }
    : { stage: 'delivered', partners: delivered };
}

export interface CampaignReport {
  campaign: string;
  name: string;
  partners: number;
  funnel: { stage: (typeof funnelStages)[number]; partners: number }[];
  statuses: Record<Status, number>;
  numbers: {
    touchesSent: number;
    bounced: number;
    deliveryDelayed: number;
    unsubscribed: number;
    complained: number;
    openedOnly: number;
    hot: number;
    feedback: number;
    feedbackQuotable: number;
    registrations: number;
    attended: number;
    callRequests: number;
    notNow: number;
    declined: number;
    dueToday: number;
    humanEvents: number;
    botOrSuspectEvents: number;
  };
}

export interface CampaignPage {
  report: CampaignReport;
  /** Human engagement per day: visits, reading minutes, forms (feedback, registration, call). */
  daily: { day: string; visits: number; readingMinutes: number; forms: number }[];
  partners: FollowUp[];
}

/** Funnel, status counts and numbers for one campaign (the report, and the dashboard's page). */
export async function campaignPage(
  store: Store,
  campaign: FollowupCampaign,
  now: Date = new Date(),
): Promise<CampaignPage> {
  const [loaded, daily] = await Promise.all([
    loadCampaignStates(store, campaign, { now }),
    store.engagementByDay(campaign.id),
  ]);
  const { facts, eventCounts, states } = loaded;
  const items = rowsOf(campaign, loaded, now);
  sortQueue(items, now, campaign.timeZone);

  const count = (pred: (id: string) => boolean) => campaign.partners.filter((p) => pred(p.id)).length;
  const fact = (id: string) => facts.get(id);
  const has = (id: string, kinds: string[]) =>
    Boolean(fact(id)?.responses.some((r) => kinds.includes(r.kind)));
  const statusCounts = Object.fromEntries(statuses.map((s) => [s, 0])) as Record<Status, number>;
  for (const i of items) statusCounts[i.status] += 1;

  const responsesAll = [...facts.values()].flatMap((f) => f.responses);
  const report: CampaignReport = {
    campaign: campaign.id,
    name: campaign.name,
    partners: campaign.partners.length,
    funnel: [
      { stage: 'sent', partners: count((id) => (fact(id)?.sent.length ?? 0) > 0) },
      deliveryStage(
        count((id) => Boolean(fact(id)?.deliveredAt)),
        count((id) => (fact(id)?.sent.length ?? 0) > 0),
      ),
      { stage: 'human visit', partners: count((id) => (fact(id)?.human.lastAt ?? null) !== null) },
      {
        // Paper readers only: the paper's own progress, never the personal page's sections.
        stage: 'read half the paper',
        partners: count(
          (id) => (states.get(id)?.reading.paperProgress ?? 0) >= engagement.thresholds.hotProgress,
        ),
      },
      {
        stage: 'feedback or registration',
        partners: count((id) => has(id, ['feedback']) || Boolean(states.get(id)?.registered)),
      },
      { stage: 'attended', partners: count((id) => Boolean(states.get(id)?.flags.attended)) },
    ],
    statuses: statusCounts,
    numbers: {
      touchesSent: [...facts.values()].reduce((n, f) => n + f.sent.length, 0),
      bounced: statusCounts.bounced,
      deliveryDelayed: statusCounts['delivery-delayed'],
      unsubscribed: statusCounts.unsubscribed,
      complained: statusCounts.complained,
      openedOnly: statusCounts['opened-only'],
      hot: items.filter((i) => i.hot).length,
      feedback: responsesAll.filter((r) => r.kind === 'feedback').length,
      feedbackQuotable: responsesAll.filter((r) => r.kind === 'feedback' && r.consentToQuote).length,
      registrations: count((id) => Boolean(states.get(id)?.registered)),
      attended: count((id) => Boolean(states.get(id)?.flags.attended)),
      callRequests: count((id) => has(id, ['call-request'])),
      notNow: statusCounts['not-now'],
      declined: statusCounts.declined,
      // The same "today" as the queue and the digest: the campaign zone's day.
      dueToday: items.filter(dueTodayTest(now, campaign.timeZone)).length,
      humanEvents: eventCounts.human,
      botOrSuspectEvents: eventCounts.nonHuman,
    },
  };

  const days = new Map<string, { day: string; visits: number; readingMinutes: number; forms: number }>();
  const dayRow = (d: string) => {
    let row = days.get(d);
    if (!row) {
      row = { day: d, visits: 0, readingMinutes: 0, forms: 0 };
      days.set(d, row);
    }
    return row;
  };
  for (const d of daily) {
    const row = dayRow(d.day);
    row.visits += d.visits;
    row.readingMinutes += Math.round(d.visibleMs / 6000) / 10;
  }
  for (const r of responsesAll) {
    if (['feedback', 'registration', 'call-request'].includes(r.kind))
      dayRow(r.occurredAt.slice(0, 10)).forms += 1; // UTC days, as the event groups
  }
  return {
    report,
    daily: [...days.values()].sort((a, b) => a.day.localeCompare(b.day)),
    partners: items,
  };
}
