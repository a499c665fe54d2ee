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
  updatedAt: string;
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
}

// ---------------------------------------------------------------------------------------------
// Events

export const eventSources = ['page', 'form', 'webhook', 'cli'] as const;
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
] as const;
/**
 * What a person told us. `feedback`..`call-request` come from the personal page's forms;
 * `attendance` from the webinar import; `replied`, `met`, `called`, `not-interested` are manual
 * outcomes recorded by the marketer (`aircover mark`).
 */
export type ResponseKind = (typeof responseKinds)[number];
export const responseSources = ['page', 'form', 'webhook', 'cli', 'import'] as const;
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
  markSent(idempotencyKey: string, providerMessageId: string | null): Promise<boolean>;
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

  // suppressions
  addSuppression(suppression: SuppressionInput): Promise<{ created: boolean }>;
  removeSuppression(email: string): Promise<boolean>;
  isSuppressed(email: string): Promise<boolean>;
  suppressedAmong(emails: string[]): Promise<Set<string>>;
  listSuppressions(): Promise<Suppression[]>;

  /** Keyed rows with expiry, shared by every instance on the database (keyed.ts). */
  putKeyOnce(key: string, value: string, ttlMs: number): Promise<boolean>;
  getKey(key: string): Promise<{ value: string; expiresAt: Date } | null>;
  bumpKey(key: string, ttlMs: number): Promise<{ count: number; expiresAt: Date }>;
  extendKey(key: string, value: string, ttlMs: number): Promise<boolean>;
  deleteKey(key: string, value?: string): Promise<boolean>;
  sweepKeys(): Promise<number>;

  close(): Promise<void>;
}
