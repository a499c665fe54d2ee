/**
 * Gathers every partner's facts for one campaign from the store in a handful of queries: one
 * aggregate over the events (`summarizeEvents`), the sent ledger rows, the responses, the
 * suppressions. Nothing here reads events one by one, so 10,000 partners stay fast.
 */
import { normalizeEmail } from '../store/sql-store.ts';
import type { EventSummary, Store, StoredResponse, Suppression } from '../store/types.ts';
import { summarizeIncremental } from './aggregate.ts';
import type { FollowupCampaign, PartnerFacts } from './model.ts';
import { emptySignals, engagement, eventTypes, type HumanEngagementModel } from './signals.ts';

export interface CampaignFacts {
  facts: Map<string, PartnerFacts>;
  attendanceImported: boolean;
  /** The raw groups, for the dashboard's funnel and counts. */
  summaries: EventSummary[];
}

function emptyFacts(campaign: string, partnerId: string): PartnerFacts {
  return {
    campaign,
    partnerId,
    sent: [],
    deliveredAt: null,
    openedAt: null,
    bouncedAt: null,
    repliedAt: null,
    suppression: null,
    human: emptySignals(),
    nonHumanEvents: 0,
    responses: [],
  };
}

const earliest = (a: string | null, b: string) => (a && a < b ? a : b);

export async function loadCampaignFacts(
  store: Store,
  campaign: FollowupCampaign,
  options: { model?: HumanEngagementModel; suppressions?: Suppression[] } = {},
): Promise<CampaignFacts> {
  const model = options.model ?? engagement;
  const [summaries, sent, responses, webinarResponses, suppressions] = await Promise.all([
    summarizeIncremental(store, { campaign: campaign.id, includeNonHuman: true, metrics: model.metrics }),
    store.listLedger({ campaign: campaign.id, state: 'sent' }),
    store.listResponses({ campaign: campaign.id }),
    campaign.webinar
      ? store.listResponses({ webinar: campaign.webinar.id, kind: ['registration', 'attendance'] })
      : Promise.resolve([] as StoredResponse[]),
    options.suppressions ? Promise.resolve(options.suppressions) : store.listSuppressions(),
  ]);

  const facts = new Map<string, PartnerFacts>();
  const byEmail = new Map<string, string>();
  for (const p of campaign.partners) {
    facts.set(p.id, emptyFacts(campaign.id, p.id));
    byEmail.set(normalizeEmail(p.email), p.id);
  }

  for (const g of summaries) {
    const f = g.partnerId ? facts.get(g.partnerId) : undefined;
    if (!f) continue;
    if ((eventTypes.delivered as readonly string[]).includes(g.type))
      f.deliveredAt = earliest(f.deliveredAt, g.first);
    else if ((eventTypes.opened as readonly string[]).includes(g.type))
      f.openedAt = earliest(f.openedAt, g.first);
    else if ((eventTypes.bounced as readonly string[]).includes(g.type))
      f.bouncedAt = earliest(f.bouncedAt, g.first);
    else if ((eventTypes.replied as readonly string[]).includes(g.type)) {
      if (g.verdict === 'human') f.repliedAt = earliest(f.repliedAt, g.first);
    } else if (g.verdict === 'human') model.add(f.human, g);
    else f.nonHumanEvents += g.count;
  }

  for (const row of sent) {
    const f = facts.get(row.partnerId);
    if (f && row.sentAt) f.sent.push({ touch: row.touch, at: row.sentAt });
  }
  for (const f of facts.values()) if (f.sent.length > 1) f.sent.sort((a, b) => a.at.localeCompare(b.at));

  const seen = new Set<number>();
  const addResponse = (partnerId: string | null | undefined, r: StoredResponse) => {
    const f = partnerId ? facts.get(partnerId) : undefined;
    if (!f || seen.has(r.id)) return;
    seen.add(r.id);
    f.responses.push(r);
  };
  for (const r of responses) addResponse(r.partnerId, r);
  for (const r of webinarResponses) addResponse(r.email ? byEmail.get(r.email) : null, r);
  for (const f of facts.values())
    if (f.responses.length > 1) f.responses.sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));

  for (const s of suppressions) {
    const id = byEmail.get(s.email);
    const f = id ? facts.get(id) : undefined;
    if (f) f.suppression = { reason: s.reason, at: s.createdAt };
  }

  return {
    facts,
    attendanceImported: webinarResponses.some((r) => r.kind === 'attendance'),
    summaries,
  };
}
