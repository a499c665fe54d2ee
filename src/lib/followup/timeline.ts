/**
 * One person's history across every campaign they are a partner in (rule 7: one timeline): what
 * we sent, what they did (human events by default; bots and suspects on request, each with its
 * verdict), what they told us, and suppressions.
 */
import { normalizeEmail } from '../store/sql-shared.ts';
import type { Store, StoredResponse, Verdict } from '../store/types.ts';
import type { FollowupCampaign, FollowupPartner } from './model.ts';

export interface TimelineEntry {
  at: string;
  campaign: string | null;
  kind: 'sent' | 'event' | 'response' | 'suppression';
  /** Event type, response kind, touch id or suppression reason. */
  type: string;
  touch: string | null;
  verdict: Verdict | null;
  verdictReason: string | null;
  /** A short human-readable detail (reading time, feedback text, note, until). */
  detail: string;
}

export interface PartnerTimeline {
  email: string;
  partner: FollowupPartner;
  /** Every (campaign, partner id) this person is in. */
  memberships: { campaign: string; partnerId: string }[];
  entries: TimelineEntry[];
}

/** A response (feedback, registration, not-now…) as a timeline entry. */
function responseEntry(r: StoredResponse, detail: string): TimelineEntry {
  return {
    at: r.occurredAt,
    campaign: r.campaign,
    kind: 'response',
    type: r.kind,
    touch: r.touch,
    verdict: null,
    verdictReason: null,
    detail,
  };
}

function eventDetail(type: string, metadata: Record<string, unknown>): string {
  if (typeof metadata.ms === 'number') return `${Math.round(metadata.ms / 1000)} s visible`;
  if (typeof metadata.index === 'number' && typeof metadata.of === 'number')
    return `section ${metadata.index + 1} of ${metadata.of}${metadata.section ? ` (${String(metadata.section)})` : ''}`;
  if (typeof metadata.cta === 'string') return metadata.cta;
  if (typeof metadata.path === 'string') return metadata.path;
  if (typeof metadata.href === 'string') return metadata.href;
  return type.startsWith('email.') ? 'email' : '';
}

export async function partnerTimeline(
  store: Store,
  campaigns: FollowupCampaign[],
  ref: { campaign: string; partnerId: string },
  options: { includeNonHuman?: boolean } = {},
): Promise<PartnerTimeline | null> {
  const home = campaigns.find((c) => c.id === ref.campaign);
  const partner = home?.partners.find((p) => p.id === ref.partnerId);
  if (!partner) return null;
  const email = normalizeEmail(partner.email);
  const memberships = campaigns.flatMap((c) =>
    c.partners
      .filter((p) => normalizeEmail(p.email) === email)
      .map((p) => ({ campaign: c.id, partnerId: p.id })),
  );
  // Partners of campaigns no longer in the folder still belong to the timeline.
  for (const p of await store.findPartnersByEmail(email)) {
    if (!memberships.some((m) => m.campaign === p.campaign && m.partnerId === p.partnerId))
      memberships.push({ campaign: p.campaign, partnerId: p.partnerId });
  }
  const entries: TimelineEntry[] = [];
  for (const m of memberships) {
    const [events, responses, sent] = await Promise.all([
      store.listEvents({ ...m, includeNonHuman: options.includeNonHuman ?? false }),
      store.listResponses(m),
      store.listLedger({ campaign: m.campaign, partnerId: m.partnerId }),
    ]);
    for (const e of events) {
      entries.push({
        at: e.occurredAt,
        campaign: e.campaign,
        kind: 'event',
        type: e.type,
        touch: e.touch,
        verdict: e.verdict,
        verdictReason: e.verdictReason,
        detail: eventDetail(e.type, e.metadata),
      });
    }
    for (const r of responses) {
      const detail = [
        r.text ? `"${r.text}"` : '',
        r.rating ? `rating ${r.rating}` : '',
        r.kind === 'feedback' ? (r.consentToQuote ? 'may quote' : 'not for quoting') : '',
        r.until ? `until ${r.until.slice(0, 10)}` : '',
        r.preferredTimes?.length ? `times: ${r.preferredTimes.join('; ')}` : '',
      ]
        .filter(Boolean)
        .join(' · ');
      entries.push(responseEntry(r, detail));
    }
    for (const s of sent) {
      if (s.state !== 'sent' || !s.sentAt) continue;
      entries.push({
        at: s.sentAt,
        campaign: s.campaign,
        kind: 'sent',
        type: s.touch,
        touch: s.touch,
        verdict: null,
        verdictReason: null,
        detail: `to ${s.recipient}`,
      });
    }
  }
  // Registrations and attendance arrive by address (public webinar forms): add those not yet here.
  for (const r of await store.listResponses({ email })) {
    if (entries.some((e) => e.kind === 'response' && e.type === r.kind && e.at === r.occurredAt)) continue;
    entries.push(responseEntry(r, r.webinar ? `webinar ${r.webinar}` : ''));
  }
  const suppression = (await store.listSuppressions()).find((s) => s.email === email);
  if (suppression) {
    entries.push({
      at: suppression.createdAt,
      campaign: suppression.campaign,
      kind: 'suppression',
      type: suppression.reason,
      touch: null,
      verdict: null,
      verdictReason: null,
      detail: suppression.source,
    });
  }
  entries.sort((a, b) => a.at.localeCompare(b.at));
  return { email, partner, memberships, entries };
}
