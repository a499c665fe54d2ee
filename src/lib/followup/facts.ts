/**
 * Gathers every partner's facts for one campaign from the store in a handful of queries: the
 * engagement summary (one row per partner, kept by the store as events are written), the sent
 * ledger rows, the responses, the suppressions. Nothing here reads or aggregates events, so
 * 10,000 partners with half a million events stay fast from the first call.
 */
import { normalizeEmail } from '../store/sql-shared.ts';
import type { Store, StoredResponse, Suppression } from '../store/types.ts';
import type { FollowupCampaign, PartnerFacts } from './model.ts';
import { emptySignals, engagement, type HumanEngagementModel } from './signals.ts';

/** Event types the personal page files apart from reading (see src/lib/engagement/beacon.ts). */
export const pageTypes = { sectionSeen: 'section_seen', pageTime: 'page_time' } as const;
const deliveryTrouble = ['email.bounced', 'email.delivery_delayed'] as const;
/** The inbox's "no longer with the company" notice (src/lib/inbox/effects.ts). */
export const leftCompanyType = 'inbox.left-company';
/** A correction withdrew the notice of that inbound message (src/lib/inbox/effects.ts). */
export const leftWithdrawnType = 'inbox.left-company-withdrawn';
/**
 * A partner's referrer wrote back (a reply, or an auto-reply), recorded on every partner they
 * introduced (src/lib/inbox/effects.ts). Shown on the timeline only: it is the referrer's word,
 * not the partner's, so it is in no engagement group (signals.ts) and no state rule reads it.
 */
export const referrerRepliedType = 'inbox.referrer-replied';

/** Resend's bounce type: Permanent, Transient or Undetermined; a delay is transient. */
export function bounceKind(
  type: string,
  metadata: Record<string, unknown>,
): 'permanent' | 'transient' | 'undetermined' {
  if (type === 'email.delivery_delayed') return 'transient';
  const bounce = metadata.bounce as { type?: unknown } | null | undefined;
  const kind = typeof bounce?.type === 'string' ? bounce.type.toLowerCase() : '';
  return kind === 'permanent' ? 'permanent' : kind === 'transient' ? 'transient' : 'undetermined';
}

/** A stored replacement `{ email, name }`, or null when it names nobody. */
function replacementOf(value: unknown): { email: string | null; name: string | null } | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as { email?: unknown; name?: unknown };
  const email = typeof v.email === 'string' && v.email ? v.email : null;
  const name = typeof v.name === 'string' && v.name ? v.name : null;
  return email || name ? { email, name } : null;
}

export interface CampaignFacts {
  facts: Map<string, PartnerFacts>;
  attendanceImported: boolean;
  /** Every event of the campaign by verdict (partners or not), for the dashboard's numbers. */
  eventCounts: { human: number; nonHuman: number };
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
    sectionsSeen: 0,
    bounces: [],
    leftCompany: null,
  };
}

export async function loadCampaignFacts(
  store: Store,
  campaign: FollowupCampaign,
  options: { model?: HumanEngagementModel; suppressions?: Suppression[] } = {},
): Promise<CampaignFacts> {
  const model = options.model ?? engagement;
  const [summaries, sent, responses, webinarResponses, suppressions, sectionsSeen, bounces] =
    await Promise.all([
      store.engagementSummary(campaign.id),
      store.listSentTouches(campaign.id),
      store.listResponses({ campaign: campaign.id }),
      campaign.webinar
        ? store.listResponses({ webinar: campaign.webinar.id, kind: ['registration', 'attendance'] })
        : Promise.resolve([] as StoredResponse[]),
      options.suppressions ? Promise.resolve(options.suppressions) : store.listSuppressions(),
      // Personal-page sections (not reading) and delivery trouble: small, grouped or rare.
      store.countEventsBy('partner', { campaign: campaign.id, types: [pageTypes.sectionSeen] }),
      store.listEvents({
        campaign: campaign.id,
        types: [...deliveryTrouble, leftCompanyType, leftWithdrawnType],
        includeNonHuman: true,
      }),
    ]);

  const facts = new Map<string, PartnerFacts>();
  const byEmail = new Map<string, string>();
  for (const p of campaign.partners) {
    facts.set(p.id, emptyFacts(campaign.id, p.id));
    byEmail.set(normalizeEmail(p.email), p.id);
  }

  const eventCounts = { human: 0, nonHuman: 0 };
  for (const row of summaries) {
    eventCounts.human += row.humanEvents;
    eventCounts.nonHuman += row.nonHumanEvents;
    const f = row.partnerId ? facts.get(row.partnerId) : undefined;
    if (!f) continue;
    // Mail events: delivered, opened and bounced whatever the verdict; a reply only from a human.
    f.deliveredAt = row.deliveredAt;
    f.openedAt = row.openedAt;
    f.bouncedAt = row.bouncedAt;
    f.repliedAt = row.repliedAt;
    model.addSummary(f.human, row);
    f.nonHumanEvents = row.nonHumanEvents - row.nonHumanMailEvents;
  }

  for (const row of sent) {
    const f = facts.get(row.partnerId);
    if (f) f.sent.push({ touch: row.touch, at: row.sentAt });
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

  for (const [id, n] of Object.entries(sectionsSeen)) {
    const f = facts.get(id);
    if (f) f.sectionsSeen = n;
  }
  // A notice counts unless a correction withdrew it afterwards (a later event of the same message).
  const withdrawn = new Map<unknown, number>();
  for (const e of bounces)
    if (e.type === leftWithdrawnType)
      withdrawn.set(e.metadata.inbound, Math.max(e.id, withdrawn.get(e.metadata.inbound) ?? 0));
  for (const e of bounces) {
    const f = e.partnerId ? facts.get(e.partnerId) : undefined;
    if (e.type === leftWithdrawnType) continue;
    if (f && e.type === leftCompanyType) {
      if ((withdrawn.get(e.metadata.inbound) ?? 0) > e.id) continue;
      if (!f.leftCompany || e.occurredAt >= f.leftCompany.at)
        f.leftCompany = { id: e.id, at: e.occurredAt, replacement: replacementOf(e.metadata.replacement) };
    } else if (f)
      f.bounces.push({ id: e.id, at: e.occurredAt, type: e.type, kind: bounceKind(e.type, e.metadata) });
  }

  for (const s of suppressions) {
    const id = byEmail.get(s.email);
    const f = id ? facts.get(id) : undefined;
    if (f) f.suppression = { reason: s.reason, at: s.createdAt };
  }

  return {
    facts,
    attendanceImported: webinarResponses.some((r) => r.kind === 'attendance'),
    eventCounts,
  };
}
