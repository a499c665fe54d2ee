/**
 * Status derivation: an ordered table of rules, each mapping facts to a status with the evidence
 * behind it. The first rule that matches wins, so the order IS the policy: saying no (suppressed,
 * declined, paused) comes before anything a partner did, a conversation before the webinar, the
 * webinar before reading, reading before silence.
 *
 * To add a fact (a reply, an owner's pause, a cancelled webinar, ...): record it in the store,
 * gather it in facts.ts (`PartnerFacts`), then either add it to `Signals` below and a rule at the
 * right place in `statusRules`, or extend an existing rule's `when`. Nothing outside this folder
 * maps facts to status.
 */
import type { StoredResponse } from '../../store/types.ts';
import type { FollowupCampaign, PartnerFacts, Status } from '../model.ts';
import type { Evidence, Reading } from './types.ts';

/** A soft (transient or undetermined) bounce counts as bounced once this many are recorded. */
export const SOFT_BOUNCE_LIMIT = 3;

const manualOutcomes = ['replied', 'met', 'called'] as const;

/** A person named in a message: an address, a name, or both. */
export interface Person {
  email: string | null;
  name: string | null;
}

function personOf(value: unknown): Person | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as { email?: unknown; name?: unknown };
  const email = typeof v.email === 'string' && v.email.trim() ? v.email.trim() : null;
  const name = typeof v.name === 'string' && v.name.trim() ? v.name.trim() : null;
  return email || name ? { email, name } : null;
}

/** "Dana Lee <dana@x.com>", "Dana Lee" or "dana@x.com". */
export function personLabel(p: Person): string {
  return p.name && p.email ? `${p.name} <${p.email}>` : (p.name ?? p.email ?? '');
}

function latest(responses: StoredResponse[], kinds: readonly string[]): StoredResponse | undefined {
  let found: StoredResponse | undefined;
  for (const r of responses) {
    if (kinds.includes(r.kind) && (!found || r.occurredAt >= found.occurredAt)) found = r;
  }
  return found;
}

/**
 * A registration counts once it is verified: made from the partner's own link, or confirmed
 * from the email sent to their address. Rows without a `verified` field (older ones, the
 * personal page's form) are verified.
 */
export function countsAsRegistration(r: StoredResponse): boolean {
  return r.kind === 'registration' && (r as { verified?: boolean | null }).verified !== false;
}

/** The facts the rules read, picked out of the store's rows once. */
export interface Signals {
  now: Date;
  reading: Reading;
  decline?: StoredResponse | undefined;
  notNow?: StoredResponse | undefined;
  pausedUntil: string | null;
  manual?: StoredResponse | undefined;
  /**
   * A reply the inbox read (`replied` from `inbox`) that nobody has answered for yet: no manual
   * outcome (`aircover mark`, the dashboard) recorded at or after it. The queue puts it first.
   */
  inboxReply?: StoredResponse | undefined;
  /** That reply's "talk to <name or address>", when it names someone. */
  referral: Person | null;
  /** The inbox read "no longer with the company" (an auto-reply), with the replacement if named. */
  leftCompany: PartnerFacts['leftCompany'];
  repliedAt: string | null;
  attendance?: StoredResponse | undefined;
  registration?: StoredResponse | undefined;
  call?: StoredResponse | undefined;
  feedback?: StoredResponse | undefined;
  suppression: PartnerFacts['suppression'];
  hardBounce?: PartnerFacts['bounces'][number] | undefined;
  softBounces: PartnerFacts['bounces'];
  webinarOver: boolean;
  /** The campaign's webinar was cancelled: nobody is a no-show of it. */
  webinarCancelled: boolean;
  attendanceImported: boolean;
  sent: PartnerFacts['sent'];
  openedAt: string | null;
}

export function signalsOf(
  facts: PartnerFacts,
  campaign: FollowupCampaign,
  reading: Reading,
  ctx: { now: Date; attendanceImported: boolean },
): Signals {
  const rs = facts.responses;
  const notNow = latest(rs, ['not-now']);
  const nowIso = ctx.now.toISOString();
  // A dashboard "resume" ends the pause that was running when it was recorded (a later not-now,
  // from the partner or the dashboard, pauses again).
  const resume = latest(rs, ['resume']);
  const resumed = Boolean(notNow && resume && resume.occurredAt >= notNow.occurredAt);
  const reply = latest(
    rs.filter((r) => r.source === 'inbox'),
    ['replied'],
  );
  const handled = latest(
    rs.filter((r) => r.source !== 'inbox'),
    manualOutcomes,
  );
  const inboxReply = reply && !(handled && handled.occurredAt >= reply.occurredAt) ? reply : undefined;
  return {
    now: ctx.now,
    reading,
    decline: latest(rs, ['decline', 'not-interested']),
    notNow,
    pausedUntil: notNow?.until && notNow.until > nowIso && !resumed ? notNow.until : null,
    manual: latest(rs, manualOutcomes),
    inboxReply,
    referral: inboxReply ? personOf(inboxReply.data.referral) : null,
    leftCompany: facts.leftCompany ?? null,
    repliedAt: facts.repliedAt,
    attendance: latest(rs, ['attendance']),
    registration: latest(rs.filter(countsAsRegistration), ['registration']),
    call: latest(rs, ['call-request']),
    feedback: latest(rs, ['feedback']),
    suppression: facts.suppression,
    hardBounce: facts.bounces.find((b) => b.kind === 'permanent'),
    softBounces: facts.bounces.filter((b) => b.kind !== 'permanent'),
    webinarOver: campaign.webinar ? campaign.webinar.end.getTime() <= ctx.now.getTime() : false,
    webinarCancelled: campaign.webinar?.status === 'cancelled',
    attendanceImported: ctx.attendanceImported,
    sent: facts.sent,
    openedAt: facts.openedAt,
  };
}

const fromResponse = (r: StoredResponse): Evidence => ({
  source: 'response',
  id: r.id,
  kind: r.kind,
  at: r.occurredAt,
  ...(r.until ? { detail: `until ${r.until}` } : {}),
});

type Rule = { status: Status; when: (s: Signals) => Evidence[] | null };

const suppressed = (reasons: string[]) => (s: Signals) =>
  s.suppression && reasons.includes(s.suppression.reason)
    ? [{ source: 'suppression' as const, id: null, kind: s.suppression.reason, at: s.suppression.at }]
    : null;

const readingEvidence = (s: Signals): Evidence[] => [
  {
    source: 'summary',
    id: null,
    kind: 'paper-reading',
    at: s.reading.lastAt,
    detail: s.reading.summary,
  },
];

/** The rules, in order: the first that matches is the partner's status. */
export const statusRules: Rule[] = [
  { status: 'unsubscribed', when: suppressed(['unsubscribed', 'manual']) },
  { status: 'complained', when: suppressed(['complaint']) },
  {
    status: 'bounced',
    when: (s) => {
      const hard = suppressed(['hard-bounce'])(s);
      if (hard) return hard;
      if (s.hardBounce)
        return [
          {
            source: 'event',
            id: s.hardBounce.id,
            kind: 'email.bounced',
            at: s.hardBounce.at,
            detail: 'permanent',
          },
        ];
      const soft = s.softBounces.filter((b) => b.type === 'email.bounced');
      if (soft.length >= SOFT_BOUNCE_LIMIT)
        return soft.map((b) => ({
          source: 'event' as const,
          id: b.id,
          kind: b.type,
          at: b.at,
          detail: b.kind,
        }));
      return null;
    },
  },
  { status: 'declined', when: (s) => (s.decline ? [fromResponse(s.decline)] : null) },
  {
    // They are gone: nothing more to their address, whatever they did before (a pause is moot).
    status: 'left-company',
    when: (s) =>
      s.leftCompany
        ? [
            {
              source: 'event',
              id: s.leftCompany.id,
              kind: 'inbox.left-company',
              at: s.leftCompany.at,
              ...(s.leftCompany.replacement
                ? { detail: `replacement: ${personLabel(s.leftCompany.replacement)}` }
                : {}),
            },
          ]
        : null,
  },
  { status: 'not-now', when: (s) => (s.pausedUntil && s.notNow ? [fromResponse(s.notNow)] : null) },
  {
    status: 'referred',
    when: (s) =>
      s.inboxReply && s.referral
        ? [{ ...fromResponse(s.inboxReply), detail: `referral: ${personLabel(s.referral)}` }]
        : null,
  },
  { status: 'replied', when: (s) => (s.inboxReply ? [fromResponse(s.inboxReply)] : null) },
  {
    status: 'in-conversation',
    when: (s) =>
      s.manual
        ? [fromResponse(s.manual)]
        : s.repliedAt
          ? [{ source: 'event', id: null, kind: 'email.received', at: s.repliedAt }]
          : null,
  },
  { status: 'attended', when: (s) => (s.attendance ? [fromResponse(s.attendance)] : null) },
  {
    status: 'no-show',
    when: (s) =>
      s.registration && s.webinarOver && s.attendanceImported && !s.webinarCancelled
        ? [fromResponse(s.registration)]
        : null,
  },
  { status: 'call-requested', when: (s) => (s.call ? [fromResponse(s.call)] : null) },
  { status: 'feedback-given', when: (s) => (s.feedback ? [fromResponse(s.feedback)] : null) },
  { status: 'registered', when: (s) => (s.registration ? [fromResponse(s.registration)] : null) },
  { status: 'engaged-hot', when: (s) => (s.reading.level === 'hot' ? readingEvidence(s) : null) },
  { status: 'engaged-warm', when: (s) => (s.reading.level === 'warm' ? readingEvidence(s) : null) },
  {
    status: 'delivery-delayed',
    when: (s) =>
      s.softBounces.length > 0
        ? s.softBounces.map((b) => ({
            source: 'event' as const,
            id: b.id,
            kind: b.type,
            at: b.at,
            detail: b.kind,
          }))
        : null,
  },
  { status: 'not-sent', when: (s) => (s.sent.length === 0 ? [] : null) },
  { status: 'visited', when: (s) => (s.reading.level === 'visited' ? readingEvidence(s) : null) },
  {
    status: 'opened-only',
    when: (s) => (s.openedAt ? [{ source: 'event', id: null, kind: 'email.opened', at: s.openedAt }] : null),
  },
  {
    status: 'no-response',
    when: (s) => s.sent.map((x) => ({ source: 'ledger' as const, id: null, kind: x.touch, at: x.at })),
  },
];

export function statusOf(s: Signals): { status: Status; evidence: Evidence[] } {
  for (const rule of statusRules) {
    const evidence = rule.when(s);
    if (evidence) return { status: rule.status, evidence };
  }
  return { status: 'no-response', evidence: [] };
}

/** Statuses in which a partner said no or cannot be written to: never hot, no hot note. */
export const noStatuses: ReadonlySet<Status> = new Set<Status>([
  'unsubscribed',
  'complained',
  'bounced',
  'declined',
  'not-now',
  'left-company',
]);
