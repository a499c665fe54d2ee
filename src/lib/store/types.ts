/**
 * The store's public shape. Every engine (SQLite, Postgres) implements `Store` with the same
 * semantics; the shared test suite in tests/store/ holds them to it.
 *
 * Conventions, chosen once so callers never have to ask:
 * - Every method is async, even on SQLite, so code written against one engine runs on the other.
 * - Timestamps go in as `Date` or ISO-8601 strings and always come out as ISO-8601 UTC strings with
 *   milliseconds (`2026-11-03T09:15:00.000Z`, what `Date#toISOString()` gives). Strings sort and
 *   compare correctly, survive JSON (dashboards, `--json`, CSV) unchanged, and are the same from both
 *   engines. `new Date(value)` gets a Date back when arithmetic is needed.
 * - Emails are stored trimmed and lower-cased wherever they are used as keys (suppressions,
 *   registrations, recipients), so `Ann@Example.com ` and `ann@example.com` are one person.
 * - JSON columns (`data`, `metadata`) hold plain objects and come back parsed.
 */

/** Anything a timestamp parameter accepts. */
export type TimeInput = Date | string;

// ---------------------------------------------------------------------------------------------
// Partners

/** One prospective partner of one campaign, as the campaign's partners.csv names them. */
export interface PartnerInput {
  /** Stable id from partners.csv; unique within the campaign. */
  partnerId: string;
  /** The HMAC token of the personal page (`/p/[token]/`); unique across all campaigns. */
  token: string;
  email: string;
  company?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  /** Who on our side owns the relationship (follow-ups are routed to them). */
  owner?: string | null;
  /** The referrer who knows them (rule 6: after silence, tell the referrer). */
  referrerEmail?: string | null;
  /** Every other personal field from the CSV (gatekeepers, their numbers, ...). */
  data?: Record<string, unknown>;
}

export interface Partner {
  campaign: string;
  partnerId: string;
  token: string;
  email: string;
  company: string | null;
  firstName: string | null;
  lastName: string | null;
  owner: string | null;
  referrerEmail: string | null;
  data: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

// ---------------------------------------------------------------------------------------------
// Send ledger

export const sendStates = ['planned', 'sending', 'sent', 'failed', 'skipped'] as const;
export type SendState = (typeof sendStates)[number];

/** What the sender wants to exist for one (campaign, touch, partner). */
export interface PlanEntry {
  campaign: string;
  touch: string;
  partnerId: string;
  recipient: string;
  /** Derived by the sender from campaign, touch, partner and content version; unique in the ledger. */
  idempotencyKey: string;
  /** Hash or version of the rendered content this key was made for. */
  contentVersion?: string | null;
  /** `skipped` (with `skipReason`) records a decision not to send: suppressed, declined, paused. */
  state?: 'planned' | 'skipped';
  skipReason?: string | null;
  /** A referrer note's row: the partner ids the one message covers (src/lib/email/send/referrer-notes.ts). */
  covers?: string[] | null;
}

export interface LedgerEntry {
  campaign: string;
  touch: string;
  partnerId: string;
  state: SendState;
  recipient: string;
  idempotencyKey: string;
  contentVersion: string | null;
  providerMessageId: string | null;
  /** How many times the row was claimed for sending. */
  attempts: number;
  /** For `failed` rows: whether another attempt may succeed (rate limit, 5xx, network). */
  retryable: boolean;
  lastError: string | null;
  skipReason: string | null;
  plannedAt: string;
  /** When the row last moved to `sending`. */
  claimedAt: string | null;
  /**
   * The key of the provider call that last carried the row (set by `markDispatched`, cleared by
   * `claimSends`). A `sending` row with a request key may have been accepted: re-dispatch its
   * whole call under this key so the provider replays its answer instead of sending again.
   */
  requestKey: string | null;
  sentAt: string | null;
  /** A referrer note's row (partner_id is the referrer's key): the partners it covers, else null. */
  covers: string[] | null;
  updatedAt: string;
  /** The subject test's variant (`A`, `B`, …) this row was sent with; null without a test or before migration 9. */
  subjectVariant: string | null;
  /** The subject as sent (rendered for this partner); null before migration 9. */
  subject: string | null;
}

/** What `markSent` records of the message as it went out. */
export interface SentDetails {
  subjectVariant?: string | null;
  subject?: string | null;
}

export interface PlanResult {
  /** New rows. */
  inserted: number;
  /** Rows that had never been attempted, refreshed to the new plan (content, recipient, skip). */
  updated: number;
  /** Rows left as they were: sent, sending, failed, or attempted before. */
  kept: number;
}

export interface ClaimOptions {
  /** Failed rows that already had this many attempts are left alone. Default: no limit. */
  maxAttempts?: number;
}

export interface LedgerFilter {
  campaign: string;
  touch?: string;
  state?: SendState | SendState[];
  partnerId?: string;
  /** Referrer notes (rows with `covers`) that cover this partner id. */
  covering?: string;
}

// ---------------------------------------------------------------------------------------------
// Events

export const eventSources = ['page', 'form', 'webhook', 'cli', 'inbox'] as const;
export type EventSource = (typeof eventSources)[number];
export const verdicts = ['human', 'bot', 'suspect'] as const;
export type Verdict = (typeof verdicts)[number];

/** Largest serialized `metadata` accepted per event (bytes of JSON). Events are small by design. */
export const maxEventMetadataBytes = 8192;

export interface EventInput {
  campaign: string;
  partnerId?: string | null;
  touch?: string | null;
  /** e.g. `page_view`, `visible_time`, `read_progress`, `cta_click`, `email.delivered`. */
  type: string;
  source: EventSource;
  occurredAt: TimeInput;
  /** Defaults to the moment of the write. */
  receivedAt?: TimeInput;
  verdict: Verdict;
  verdictReason?: string | null;
  userAgent?: string | null;
  /** A keyed hash of the client IP; the raw IP is never stored. */
  ipHash?: string | null;
  metadata?: Record<string, unknown>;
  /**
   * Optional dedupe key (a beacon id, a provider event id): an event whose key is already stored is
   * not stored again, so a client retrying after a 503 or a lost response cannot double count.
   */
  eventKey?: string | null;
}

export interface StoredEvent {
  id: number;
  campaign: string;
  partnerId: string | null;
  touch: string | null;
  type: string;
  source: EventSource;
  occurredAt: string;
  receivedAt: string;
  verdict: Verdict;
  verdictReason: string | null;
  userAgent: string | null;
  ipHash: string | null;
  metadata: Record<string, unknown>;
  eventKey: string | null;
}

export interface EventFilter {
  campaign?: string;
  partnerId?: string;
  touch?: string;
  /** Inclusive lower bound on `occurredAt`. */
  since?: TimeInput;
  /** Exclusive upper bound on `occurredAt`. */
  until?: TimeInput;
  types?: string[];
  /** Default false: only `human` events. Bots and suspects are stored, labelled, and kept out. */
  includeNonHuman?: boolean;
}

export interface EventListOptions extends EventFilter {
  /** Only events with a larger id: page through big campaigns or tail new events. */
  afterId?: number;
  limit?: number;
}

export interface AppendResult {
  inserted: number;
  /** Events skipped because their `eventKey` was already stored. */
  duplicates: number;
}

export type EventCountKey = 'type' | 'partner' | 'verdict' | 'touch';

/** Options of `summarizeEvents`: the filter, the grouping and the metadata numbers to total. */
export interface EventSummaryOptions extends EventFilter {
  /** One row per (campaign, partner, type, verdict) (default) or per (campaign, UTC day, type, verdict). */
  by?: 'partner' | 'day';
  /**
   * Numeric metadata fields to total and to take the maximum of in each group, e.g.
   * `['seconds', 'progress']`. Names: letters, digits and `_`. Non-numeric values count as 0.
   */
  metrics?: string[];
  /** Only events with a larger id (incremental summaries: add what arrived since). */
  afterId?: number;
  /** Only events with this id or smaller. */
  throughId?: number;
}

/** One group of events: what the follow-up queue and the dashboard read instead of every event. */
export interface EventSummary {
  campaign: string;
  /** Null when grouped by day (and for events without a partner). */
  partnerId: string | null;
  /** `YYYY-MM-DD` (UTC) when grouped by day, else null. */
  day: string | null;
  type: string;
  verdict: Verdict;
  count: number;
  /** Earliest and latest `occurredAt` in the group. */
  first: string;
  last: string;
  /** Per requested metric: the total and the maximum over the group (0 when no event had it). */
  sum: Record<string, number>;
  max: Record<string, number>;
}

/**
 * One partner's events in one campaign, summed as they are stored (the `engagement_summary` table,
 * kept by `appendEvents` in the same transaction). Engagement columns count human events only;
 * `partnerId` is null for the events that name no partner.
 */
export interface EngagementSummary {
  campaign: string;
  partnerId: string | null;
  /** Events by verdict, any type. */
  humanEvents: number;
  nonHumanEvents: number;
  /** Bot or suspect events of the mail types (delivered, opened, bounced, received). */
  nonHumanMailEvents: number;
  /** Earliest `email.delivered` / `email.opened` / `email.bounced`, any verdict. */
  deliveredAt: string | null;
  openedAt: string | null;
  bouncedAt: string | null;
  /** Earliest human `email.received` (a reply). */
  repliedAt: string | null;
  /** Human `page_view`s. */
  visits: number;
  /** Total of numeric `ms` over human `visible_time` events. */
  visibleMs: number;
  /** Human `read_progress` events, and the largest numeric `index` and `of` among them. */
  sections: number;
  maxIndex: number | null;
  maxOf: number | null;
  /** Human `cta_click`s and `download`s. */
  clicks: number;
  downloads: number;
  /** Earliest and latest human page_view, visible_time, read_progress, cta_click or download. */
  firstAt: string | null;
  lastAt: string | null;
  /** Latest human event of each of those types. */
  lastVisitAt: string | null;
  lastReadingAt: string | null;
  lastProgressAt: string | null;
  lastClickAt: string | null;
  lastDownloadAt: string | null;
}

/** Human visits and visible time of one campaign on one UTC day (`YYYY-MM-DD`). */
export interface EngagementDay {
  campaign: string;
  day: string;
  visits: number;
  visibleMs: number;
}

// ---------------------------------------------------------------------------------------------
// Webhooks

/** What a verified webhook changes; stored in the same transaction as its receipt. */
export interface WebhookEffects {
  events?: EventInput[];
  suppressions?: SuppressionInput[];
}

// ---------------------------------------------------------------------------------------------
// Responses

export const responseKinds = [
  'feedback',
  'registration',
  'attendance',
  'not-now',
  'decline',
  'call-request',
  'replied',
  'met',
  'called',
  'not-interested',
  'note',
  'resume',
  'handoff',
] as const;
/**
 * What a person told us. `feedback`..`call-request` come from the personal page's forms;
 * `attendance` from the webinar import; `replied`, `met`, `called`, `not-interested` are manual
 * outcomes recorded by the marketer (`aircover mark`, the dashboard). The dashboard adds `note`
 * (changes nothing), `resume` (ends a running not-now pause) and `handoff` (`data.owner` is the
 * partner's owner from then on); each dashboard row names who did it in `data.by`.
 */
export type ResponseKind = (typeof responseKinds)[number];
export const responseSources = ['page', 'form', 'webhook', 'cli', 'import', 'inbox', 'dashboard'] as const;
export type ResponseSource = (typeof responseSources)[number];

export interface ResponseInput {
  kind: ResponseKind;
  /**
   * One form submission, one row: a second submission with the same key returns the first row with
   * `created: false`. Required except for `registration` and `attendance`, where it defaults to
   * `${kind}:${webinar}:${email}` (one registration per person and webinar).
   */
  idempotencyKey?: string;
  /** Null for people who are not partners of a campaign (a public webinar registrant). */
  campaign?: string | null;
  partnerId?: string | null;
  touch?: string | null;
  /** Registrations and attendance: who (normalised) and for which webinar (its content id). */
  email?: string | null;
  name?: string | null;
  webinar?: string | null;
  /** Feedback text, or the note of a manual outcome / decline. */
  text?: string | null;
  /** Feedback rating (1..5 in the forms; the store does not judge). */
  rating?: number | null;
  /** Feedback: the partner agreed to be quoted. */
  consentToQuote?: boolean | null;
  /** `not-now`: pause until this day or time. */
  until?: TimeInput | null;
  /** `call-request`: the times the partner offered, as they wrote or picked them. */
  preferredTimes?: string[] | null;
  source: ResponseSource;
  /** When it happened (a manual outcome may be recorded later). Defaults to now. */
  occurredAt?: TimeInput;
  data?: Record<string, unknown>;
  /**
   * Registrations: false for one made without the partner's token for a partner's address (the
   * public form); it counts once confirmed (`verifyRegistration`). Stored in `data.verified`.
   */
  verified?: boolean;
}

export interface StoredResponse {
  id: number;
  idempotencyKey: string;
  kind: ResponseKind;
  campaign: string | null;
  partnerId: string | null;
  touch: string | null;
  email: string | null;
  name: string | null;
  webinar: string | null;
  text: string | null;
  rating: number | null;
  consentToQuote: boolean | null;
  until: string | null;
  preferredTimes: string[] | null;
  source: ResponseSource;
  occurredAt: string;
  createdAt: string;
  data: Record<string, unknown>;
  /** Registrations: false until confirmed (see ResponseInput.verified); null when never asked. */
  verified: boolean | null;
}

export interface ResponseFilter {
  campaign?: string;
  partnerId?: string;
  kind?: ResponseKind | ResponseKind[];
  webinar?: string;
  email?: string;
}

// ---------------------------------------------------------------------------------------------
// Suppressions

export const suppressionReasons = ['unsubscribed', 'hard-bounce', 'complaint', 'manual'] as const;
export type SuppressionReason = (typeof suppressionReasons)[number];

export interface SuppressionInput {
  email: string;
  reason: SuppressionReason;
  /** Where it came from: `unsubscribe-page`, `one-click`, `webhook`, `cli`, ... */
  source: string;
  campaign?: string | null;
  note?: string | null;
}

export interface Suppression {
  email: string;
  reason: SuppressionReason;
  source: string;
  campaign: string | null;
  note: string | null;
  createdAt: string;
}

// ---------------------------------------------------------------------------------------------
// Outgoing webhooks (src/lib/hooks/)

export const deliveryStates = ['pending', 'delivered', 'failed'] as const;
export type DeliveryState = (typeof deliveryStates)[number];

export interface DeliveryInput {
  /** The Standard Webhooks `webhook-id`: one per event, the same on every endpoint and retry. */
  messageId: string;
  /** The endpoint's name (never its URL, which may carry a token). */
  endpoint: string;
  eventType: string;
  /** The exact body to send (and sign) on every attempt. */
  payload: string;
}

export interface WebhookDelivery {
  id: number;
  messageId: string;
  endpoint: string;
  eventType: string;
  payload: string;
  state: DeliveryState;
  attempts: number;
  /** When a pending delivery may be tried (again); null once delivered or given up. */
  nextAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  deliveredAt: string | null;
}

export interface DeliveryAttempt {
  deliveryId: number;
  attempt: number;
  at: string;
  /** The HTTP status, null when no answer came (network error, timeout). */
  status: number | null;
  error: string | null;
  ms: number;
}

export interface AttemptOutcome {
  status: number | null;
  error: string | null;
  ms: number;
  at: TimeInput;
  /** Delivered (2xx), or the time of the next try, or null to give up. */
  delivered: boolean;
  retryAt: TimeInput | null;
}

// ---------------------------------------------------------------------------------------------
// Inbox

/** What an inbound message is. `reply` is a person writing back; the others are machines. */
export const inboundClasses = ['reply', 'auto-reply', 'bounce', 'complaint', 'unknown'] as const;
export type InboundClass = (typeof inboundClasses)[number];

/** How an inbound message was tied to a partner. */
/** `team`: a reply to the team's own mail (a note, the digest): kept, tied to no partner. */
export const matchKinds = ['thread', 'from', 'gatekeeper', 'referrer', 'same-company', 'team'] as const;
export type MatchKind = (typeof matchKinds)[number];

/** One line of evidence behind a classification: which rule saw what, where. */
export interface InboundEvidence {
  rule: string;
  /** Where it was seen: a header name, `subject`, `body`, a MIME part. */
  where: string;
  /** What was seen (cut to a line). */
  saw: string;
}

export interface InboundInput {
  /** Message-ID without angle brackets (or a content hash when the message had none). */
  messageId: string;
  /** `imap:<mailbox>`, `resend`, `cli`. */
  source: string;
  fromEmail?: string | null;
  fromName?: string | null;
  subject?: string | null;
  class: InboundClass;
  evidence: InboundEvidence[];
  /** Class-specific findings: bounce recipient/status/hard, return date, new text, intent... */
  detail: Record<string, unknown>;
  /** The headers the classification and matching read (names lower-cased). */
  headers: Record<string, string>;
  campaign?: string | null;
  partnerId?: string | null;
  matchKind?: MatchKind | null;
  receivedAt: TimeInput;
}

export interface StoredInbound {
  id: number;
  messageId: string;
  source: string;
  fromEmail: string | null;
  fromName: string | null;
  subject: string | null;
  class: InboundClass;
  /** A person's correction, null when none: it wins over `class`. */
  correction: InboundClass | null;
  correctedAt: string | null;
  /** Who corrected it (a dashboard name, the CLI's user), null when nobody did or before migration 11. */
  correctedBy: string | null;
  /** `correction ?? class`: what the effects follow. */
  effectiveClass: InboundClass;
  evidence: InboundEvidence[];
  detail: Record<string, unknown>;
  headers: Record<string, string>;
  campaign: string | null;
  partnerId: string | null;
  matchKind: MatchKind | null;
  /** What applying the message did (response keys, suppressions), so a correction can undo it. */
  effects: Record<string, unknown>;
  receivedAt: string;
  createdAt: string;
}

export interface InboundFilter {
  campaign?: string;
  partnerId?: string;
  /** Effective class (a correction counts). */
  class?: InboundClass;
  /** Only messages tied to no partner. */
  unmatched?: boolean;
}

export const sentMessageKinds = ['touch', 'confirmation', 'hot-note', 'digest', 'note'] as const;
export type SentMessageKind = (typeof sentMessageKinds)[number];

export interface SentMessageInput {
  /** Message-ID without angle brackets. */
  messageId: string;
  kind: SentMessageKind;
  campaign?: string | null;
  partnerId?: string | null;
  touch?: string | null;
  recipient: string;
  sentAt?: TimeInput;
}

export interface SentMessage {
  messageId: string;
  kind: SentMessageKind;
  campaign: string | null;
  partnerId: string | null;
  touch: string | null;
  recipient: string;
  sentAt: string;
}

/** Where IMAP reading of one mailbox stopped. */
export interface InboxCursor {
  mailbox: string;
  uidValidity: string;
  lastUid: number;
}

// ---------------------------------------------------------------------------------------------
// Migrations

export interface MigrationStatus {
  version: number;
  name: string;
  /** Null when not applied yet. */
  appliedAt: string | null;
  /** True when an applied migration's SQL no longer matches what was applied. */
  changed: boolean;
}

// ---------------------------------------------------------------------------------------------
// The store

export type Engine = 'sqlite' | 'postgres';

export interface Store {
  readonly engine: Engine;
  /** Where the data lives, safe to print (file path, or URL without password). */
  readonly location: string;

  /** Apply pending migrations (also done by `openStore` unless `migrate: false`). */
  migrate(): Promise<{ applied: number[] }>;
  migrationStatus(): Promise<MigrationStatus[]>;

  // partners
  upsertPartners(campaign: string, rows: PartnerInput[]): Promise<{ inserted: number; updated: number }>;
  findPartnerByToken(token: string): Promise<Partner | null>;
  findPartner(campaign: string, partnerId: string): Promise<Partner | null>;
  findPartnersByEmail(email: string): Promise<Partner[]>;
  listPartners(campaign?: string): Promise<Partner[]>;

  // send ledger
  planSends(entries: PlanEntry[]): Promise<PlanResult>;
  claimSends(campaign: string, touch: string, limit: number, options?: ClaimOptions): Promise<LedgerEntry[]>;
  /** Record the key of the call about to carry these (claimed) rows; returns rows changed. */
  markDispatched(idempotencyKeys: string[], requestKey: string): Promise<number>;
  markSent(idempotencyKey: string, providerMessageId: string | null, sent?: SentDetails): Promise<boolean>;
  markFailed(idempotencyKey: string, error: string, retryable: boolean): Promise<boolean>;
  markSkipped(idempotencyKey: string, reason: string): Promise<boolean>;
  releaseStuckSends(options: {
    campaign: string;
    touch?: string;
    claimedBefore?: TimeInput;
  }): Promise<LedgerEntry[]>;
  /** Failed rows back to `planned` (not those whose outcome is unknown); see ledger.ts. */
  requeueFailedSends(options: {
    campaign: string;
    touch?: string | undefined;
    dryRun?: boolean | undefined;
  }): Promise<{ requeued: LedgerEntry[]; unknown: LedgerEntry[] }>;
  getSend(campaign: string, touch: string, partnerId: string): Promise<LedgerEntry | null>;
  listLedger(filter: LedgerFilter): Promise<LedgerEntry[]>;
  /** What was sent in a campaign (rows in state `sent`): partner, touch and time only, for the queue. */
  listSentTouches(campaign: string): Promise<{ partnerId: string; touch: string; sentAt: string }[]>;
  countLedger(campaign: string, touch?: string): Promise<Record<SendState, number>>;

  // events
  appendEvents(events: EventInput[]): Promise<AppendResult>;
  listEvents(options?: EventListOptions): Promise<StoredEvent[]>;
  countEvents(filter?: EventFilter): Promise<number>;
  countEventsBy(key: EventCountKey, filter?: EventFilter): Promise<Record<string, number>>;
  /** Aggregates per partner or per day in one query (follow-up queue, dashboard, digest). */
  summarizeEvents(options?: EventSummaryOptions): Promise<EventSummary[]>;
  /** The largest event id stored, 0 when none. */
  lastEventId(): Promise<number>;
  /** Per-partner totals kept as events are written: the follow-up queue's one read. */
  engagementSummary(campaign?: string, partnerId?: string): Promise<EngagementSummary[]>;
  /** Human visits and visible time per UTC day, kept as events are written. */
  engagementByDay(campaign?: string): Promise<EngagementDay[]>;

  // webhooks
  recordWebhookOnce(svixId: string, effects?: WebhookEffects): Promise<boolean>;

  // responses
  addResponse(response: ResponseInput): Promise<{ created: boolean; id: number }>;
  listResponses(filter?: ResponseFilter): Promise<StoredResponse[]>;
  /** Verify a registration made unverified (responses.ts `verifyRegistration`). */
  verifyRegistration(
    webinar: string,
    email: string,
    how: { via: string; at: Date; campaign?: string | null; partnerId?: string | null },
  ): Promise<{ changed: boolean; id: number | null }>;

  // outgoing webhooks: deliveries and their attempts (the delivery log)
  /** Queue deliveries, due at once; a (message, endpoint) already queued is kept as it was. */
  queueDeliveries(deliveries: DeliveryInput[]): Promise<number>;
  /**
   * Pending deliveries due by `now`, each leased to this caller until `leaseUntil` (another
   * instance skips it meanwhile; a crash frees it then).
   */
  claimDeliveries(now: TimeInput, leaseUntil: TimeInput, limit: number): Promise<WebhookDelivery[]>;
  /** Log one attempt and move the delivery on (delivered, retry at, or failed). */
  recordAttempt(deliveryId: number, outcome: AttemptOutcome): Promise<void>;
  listDeliveries(filter?: {
    messageId?: string;
    state?: DeliveryState;
    limit?: number;
  }): Promise<WebhookDelivery[]>;
  listAttempts(deliveryId: number): Promise<DeliveryAttempt[]>;

  // suppressions
  addSuppression(suppression: SuppressionInput): Promise<{ created: boolean }>;
  removeSuppression(email: string): Promise<boolean>;
  isSuppressed(email: string): Promise<boolean>;
  suppressedAmong(emails: string[]): Promise<Set<string>>;
  listSuppressions(): Promise<Suppression[]>;

  // inbox
  /** Store an inbound message once (by Message-ID); a second delivery returns the first row's id. */
  addInbound(message: InboundInput): Promise<{ created: boolean; id: number }>;
  getInbound(id: number): Promise<StoredInbound | null>;
  listInbound(filter?: InboundFilter): Promise<StoredInbound[]>;
  /** Record a person's class for a message (it wins); false for an unknown id. */
  correctInbound(id: number, correction: InboundClass, by?: string): Promise<boolean>;
  /** Record what applying a message did (replaces the previous record). */
  setInboundEffects(id: number, effects: Record<string, unknown>): Promise<void>;
  /** Remember Message-IDs of sent messages; ids already stored are kept. Returns rows added. */
  recordSentMessages(messages: SentMessageInput[]): Promise<number>;
  /** The sent messages among these Message-IDs (brackets and case as stored). */
  findSentMessages(messageIds: string[]): Promise<SentMessage[]>;
  getInboxCursor(mailbox: string): Promise<InboxCursor | null>;
  setInboxCursor(cursor: InboxCursor): Promise<void>;
  /** Remove responses by idempotency key (the inbox undoing its own effects after a correction). */
  removeResponses(idempotencyKeys: string[]): Promise<number>;

  /** Keyed rows with expiry, shared by every instance on the database (keyed.ts). */
  putKeyOnce(key: string, value: string, ttlMs: number): Promise<boolean>;
  getKey(key: string): Promise<{ value: string; expiresAt: Date } | null>;
  bumpKey(key: string, ttlMs: number, by?: number): Promise<{ count: number; expiresAt: Date }>;
  extendKey(key: string, value: string, ttlMs: number): Promise<boolean>;
  deleteKey(key: string, value?: string): Promise<boolean>;
  sweepKeys(): Promise<number>;

  close(): Promise<void>;
}
