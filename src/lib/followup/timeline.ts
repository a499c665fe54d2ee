/**
 * One person's history across every campaign they are a partner in (rule 7: one timeline): what
 * we sent, what they did (human events by default; bots and suspects on request, each with its
 * verdict), what they told us, and suppressions.
 */
import { gist } from '../inbox/report.ts';
import { normalizeEmail } from '../store/sql-shared.ts';
import type { Store, StoredResponse, Verdict } from '../store/types.ts';
import { terminalSafe } from '../text/terminal.ts';
import { dayKey, formatDate } from '../time/format.ts';
import { referrerRepliedType } from './facts.ts';
import type { FollowupCampaign, FollowupPartner } from './model.ts';
import { type TeamClock, teamClock } from './team-clock.ts';

export interface TimelineEntry {
  at: string;
  campaign: string | null;
  kind: 'sent' | 'event' | 'response' | 'suppression' | 'inbound';
  /** Event type, response kind, touch id or suppression reason. */
  type: string;
  touch: string | null;
  verdict: Verdict | null;
  verdictReason: string | null;
  /** A short human-readable detail (reading time, feedback text, note, until). */
  detail: string;
  /**
   * Engagement after a no, recorded and shown but never acted on: "after the decline", "during
   * the pause (reading again; the pause ends on 4 Jan 2027)". Null otherwise.
   */
  context: string | null;
  /** A not-now's end, the instant (ISO, UTC), for the labels after it. */
  until?: string;
  /** Who recorded it, for what the marketer did (`aircover mark`, the dashboard, a correction). */
  by: string | null;
  /** An inbound message's id (what `aircover inbox correct` and the dashboard's form take). */
  inboundId?: number;
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
    context: null,
    by: typeof r.data.by === 'string' ? r.data.by : null,
    ...(r.until ? { until: r.until } : {}),
  };
}

const pageNames: Record<string, string> = {
  partner: 'their page',
  advance: 'the advance copy',
  paper: 'the paper page',
};

function eventDetail(type: string, metadata: Record<string, unknown>): string {
  const where = typeof metadata.page === 'string' ? (pageNames[metadata.page] ?? 'a page') : '';
  if (type === 'page_time' && typeof metadata.ms === 'number')
    return `${Math.round(metadata.ms / 1000)} s on their page (not reading)`;
  if (type === 'visible_time' && typeof metadata.ms === 'number')
    return `${Math.round(metadata.ms / 1000)} s reading the paper${where ? ` on ${where}` : ''}`;
  if (typeof metadata.ms === 'number') return `${Math.round(metadata.ms / 1000)} s visible`;
  if (type === 'section_seen')
    return `saw the "${String(metadata.section ?? '?')}" section of their page (not reading)`;
  if (typeof metadata.index === 'number' && typeof metadata.of === 'number')
    return `paper section ${metadata.index + 1} of ${metadata.of}${metadata.section ? ` (${String(metadata.section)})` : ''}${where ? ` on ${where}` : ''}`;
  // The referrer's click on a referrer note's ready introduction (src/lib/engagement/intro.ts):
  // the referrer's act, not the partner's.
  if (type === 'referrer.intro')
    return `referrer ${typeof metadata.referrer === 'string' ? metadata.referrer : ''} opened the introduction`.replace(
      /\s+/g,
      ' ',
    );
  // The referrer's answer (src/lib/inbox/effects.ts): their word, not the partner's.
  if (type === referrerRepliedType) {
    const who = typeof metadata.referrer === 'string' ? terminalSafe(metadata.referrer) : '';
    const what = metadata.auto
      ? `auto-reply${typeof metadata.returnDate === 'string' ? `, back ${metadata.returnDate.slice(0, 10)}` : ''}`
      : `replied${typeof metadata.intent === 'string' ? ` (${metadata.intent})` : ''}${typeof metadata.text === 'string' && metadata.text ? `: "${terminalSafe(metadata.text)}"` : ''}`;
    return `referrer ${who} ${what}; not the partner's answer`.replace(/\s+/g, ' ');
  }
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
  // Its details and labels read in the home campaign's zone and locale (the dashboard names it).
  const clock = teamClock(home ? [home] : []);
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
    const [events, responses, own, inbound, notes] = await Promise.all([
      store.listEvents({ ...m, includeNonHuman: options.includeNonHuman ?? false }),
      store.listResponses(m),
      store.listLedger({ campaign: m.campaign, partnerId: m.partnerId }),
      store.listInbound(m),
      store.listLedger({ campaign: m.campaign, state: 'sent', covering: m.partnerId }),
    ]);
    // A referrer note covering this partner (one note per referrer: email/send/referrer-notes.ts).
    const sent = [...own, ...notes];
    // Every message that came back (src/lib/inbox/): its class as corrected, and what it said.
    for (const i of inbound) {
      entries.push({
        at: i.receivedAt,
        campaign: i.campaign,
        kind: 'inbound',
        type: `inbox.${i.effectiveClass}`,
        touch: null,
        verdict: null,
        verdictReason: null,
        detail: [
          gist(i),
          // A mail server's text: no controls, escapes or bidi overrides (HTML is escaped where shown).
          i.subject ? `"${terminalSafe(i.subject)}"` : '',
          i.matchKind === 'same-company' ? `from ${i.fromEmail ?? ''}` : '',
          i.matchKind === 'referrer' ? `from their referrer ${i.fromEmail ?? ''}` : '',
          i.correction ? `corrected from ${i.class}` : '',
        ]
          .filter(Boolean)
          .join(' · '),
        context: null,
        by: i.correction ? i.correctedBy : null,
        inboundId: i.id,
      });
    }
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
        context: null,
        by: null,
      });
    }
    for (const r of responses) {
      const detail = [
        r.text ? `"${r.text}"` : '',
        r.rating ? `rating ${r.rating}` : '',
        r.kind === 'feedback' ? (r.consentToQuote ? 'may quote' : 'not for quoting') : '',
        r.until ? `until ${formatDate(r.until, clock.timeZone, clock.locale)}` : '',
        r.preferredTimes?.length ? `times: ${r.preferredTimes.join('; ')}` : '',
        r.kind === 'handoff' && typeof r.data.owner === 'string' ? `owner now ${r.data.owner}` : '',
        r.kind === 'resume' ? 'pause ended' : '',
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
        detail: s.covers
          ? `to their referrer ${s.recipient}, one note for ${s.covers.length}`
          : `to ${s.recipient}`,
        context: null,
        by: null,
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
      context: null,
      by: null,
    });
  }
  entries.sort((a, b) => a.at.localeCompare(b.at));
  labelAfterNo(entries, clock);
  return { email, partner, memberships, entries };
}

/**
 * Saying no wins, and what came after is still shown: a person's events after a decline, or
 * while a not-now pause runs, are labelled (per campaign), never turned into a note or "hot".
 */
function labelAfterNo(entries: TimelineEntry[], clock: TeamClock): void {
  const declinedAt = new Map<string, string>();
  let pause: { campaign: string | null; from: string; until: string } | null = null;
  for (const e of entries) {
    const campaign = e.campaign ?? '';
    if (e.kind === 'response' && (e.type === 'decline' || e.type === 'not-interested')) {
      if (!declinedAt.has(campaign)) declinedAt.set(campaign, e.at);
      continue;
    }
    if (e.kind === 'response' && e.type === 'not-now') {
      if (e.until) pause = { campaign: e.campaign, from: e.at, until: e.until };
      continue;
    }
    if (e.kind === 'response' && e.type === 'resume') {
      if (pause && pause.campaign === e.campaign) pause = null;
      continue;
    }
    if (e.kind !== 'event' || e.verdict !== 'human' || e.type.startsWith('email.')) continue;
    if (declinedAt.has(campaign)) e.context = 'after the decline';
    else if (
      pause &&
      pause.campaign === e.campaign &&
      dayKey(new Date(e.at), clock.timeZone) < dayKey(new Date(pause.until), clock.timeZone)
    )
      e.context = `during the pause (reading again; the pause ends on ${formatDate(pause.until, clock.timeZone, clock.locale)})`;
  }
}
