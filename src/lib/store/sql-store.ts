/**
 * The store, written once for both engines on top of a `Driver`. The SQL is portable (SQLite 3.35+
 * and Postgres 13+ both have ON CONFLICT, RETURNING, row values and partial indexes); the four
 * places that differ (migration lock, table lookup, claim locking, array parameter) branch on
 * `this.#pg`.
 *
 * Unique constraints, not application checks, are what prevent duplicates: the ledger's primary key
 * (campaign, touch, partner), webhook receipts' svix id, responses' idempotency key, suppressions'
 * email. Code paths that could race rely on them.
 */
import { createHash } from 'node:crypto';
import type { Driver, Queryable, Row } from './driver.ts';
import { migrations, renderMigration } from './migrations.ts';
import {
  dailyColumns,
  dailyUpsert,
  SummaryBatch,
  summaryColumns,
  summaryUpsert,
  toDay,
  toSummary,
} from './summary.ts';
import {
  type AppendResult,
  type ClaimOptions,
  type EngagementDay,
  type EngagementSummary,
  type Engine,
  type EventCountKey,
  type EventFilter,
  type EventInput,
  type EventListOptions,
  type EventSource,
  type EventSummary,
  type EventSummaryOptions,
  eventSources,
  type LedgerEntry,
  type LedgerFilter,
  type MigrationStatus,
  maxEventMetadataBytes,
  type Partner,
  type PartnerInput,
  type PlanEntry,
  type PlanResult,
  type ResponseFilter,
  type ResponseInput,
  type ResponseKind,
  type ResponseSource,
  responseKinds,
  type SendState,
  type Store,
  type StoredEvent,
  type StoredResponse,
  type Suppression,
  type SuppressionInput,
  type SuppressionReason,
  sendStates,
  suppressionReasons,
  type TimeInput,
  type Verdict,
  verdicts,
  type WebhookEffects,
} from './types.ts';

// ---------------------------------------------------------------------------------------------
// Value helpers

/** Trimmed and lower-cased: the one form of an address used as a key. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** A time input as the canonical ISO string; invalid dates are a caller bug, so they throw. */
function time(input: TimeInput): string {
  const date = input instanceof Date ? input : new Date(input);
  if (Number.isNaN(date.getTime())) throw new RangeError(`invalid time: ${String(input)}`);
  return date.toISOString();
}

/** A stored time as the canonical ISO string (SQLite keeps the string we wrote, pg gives a Date). */
function iso(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return String(value);
}
function isoOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : iso(value);
}
function str(value: unknown): string {
  return String(value);
}
function strOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}
function boolOrNull(value: unknown): boolean | null {
  return value === null || value === undefined ? null : Boolean(value);
}
function json<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}
function jsonText(value: unknown): string {
  return JSON.stringify(value ?? {});
}

function oneOf<T extends string>(allowed: readonly T[], value: unknown, what: string): T {
  if (!allowed.includes(value as T)) throw new TypeError(`invalid ${what}: ${String(value)}`);
  return value as T;
}

const placeholders = (count: number) => Array.from({ length: count }, () => '?').join(', ');

/** A WHERE clause built from optional conditions, each added together with its parameters. */
class Where {
  readonly #conditions: string[] = [];
  readonly params: unknown[] = [];

  /** A condition with its parameters, in the order of its `?`s. */
  add(condition: string, ...params: unknown[]): this {
    this.#conditions.push(condition);
    this.params.push(...params);
    return this;
  }

  /** `column = ?`, when `value` is given (not undefined). */
  eq(column: string, value: unknown): this {
    return value === undefined ? this : this.add(`${column} = ?`, value);
  }

  /** `column IN (?, …)`; an empty list matches nothing. */
  in(column: string, values: readonly unknown[]): this {
    return values.length === 0
      ? this.add('1 = 0')
      : this.add(`${column} IN (${placeholders(values.length)})`, ...values);
  }

  /** `WHERE a AND b …`, or '' when there is no condition. */
  get sql(): string {
    return this.#conditions.length ? `WHERE ${this.#conditions.join(' AND ')}` : '';
  }
}

/**
 * Rows per INSERT statement. Postgres: as many as fit well under its parameter limit, since every
 * statement is a round trip. SQLite: one prepared single-row statement run per row inside the
 * transaction: no round trips to save, measured no slower than multi-row VALUES, and one cached
 * statement instead of one per batch size.
 */
function chunks<T>(rows: T[], columns: number, engine: Engine): T[][] {
  const size = engine === 'sqlite' ? 1 : Math.max(1, Math.min(500, Math.floor(30000 / columns)));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

async function insertMany(
  q: Queryable,
  engine: Engine,
  table: string,
  columns: string[],
  rows: unknown[][],
  suffix: string,
): Promise<number> {
  let changed = 0;
  const tuple = `(${placeholders(columns.length)})`;
  for (const chunk of chunks(rows, columns.length, engine)) {
    const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${chunk.map(() => tuple).join(', ')} ${suffix}`;
    changed += await q.run(sql, chunk.flat());
  }
  return changed;
}

// ---------------------------------------------------------------------------------------------
// Row mappers

function toPartner(row: Row): Partner {
  return {
    campaign: str(row.campaign),
    partnerId: str(row.partner_id),
    token: str(row.token),
    email: str(row.email),
    company: strOrNull(row.company),
    firstName: strOrNull(row.first_name),
    lastName: strOrNull(row.last_name),
    owner: strOrNull(row.owner),
    referrerEmail: strOrNull(row.referrer_email),
    data: json<Record<string, unknown>>(row.data),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

function toLedger(row: Row): LedgerEntry {
  return {
    campaign: str(row.campaign),
    touch: str(row.touch),
    partnerId: str(row.partner_id),
    state: str(row.state) as SendState,
    recipient: str(row.recipient),
    idempotencyKey: str(row.idempotency_key),
    contentVersion: strOrNull(row.content_version),
    providerMessageId: strOrNull(row.provider_message_id),
    attempts: Number(row.attempts),
    retryable: Boolean(row.retryable),
    lastError: strOrNull(row.last_error),
    skipReason: strOrNull(row.skip_reason),
    plannedAt: iso(row.planned_at),
    claimedAt: isoOrNull(row.claimed_at),
    requestKey: strOrNull(row.request_key),
    sentAt: isoOrNull(row.sent_at),
    updatedAt: iso(row.updated_at),
  };
}

const byPlan = (a: LedgerEntry, b: LedgerEntry) =>
  a.plannedAt < b.plannedAt ? -1 : a.plannedAt > b.plannedAt ? 1 : a.partnerId < b.partnerId ? -1 : 1;

function toEvent(row: Row): StoredEvent {
  return {
    id: Number(row.id),
    campaign: str(row.campaign),
    partnerId: strOrNull(row.partner_id),
    touch: strOrNull(row.touch),
    type: str(row.type),
    source: str(row.source) as EventSource,
    occurredAt: iso(row.occurred_at),
    receivedAt: iso(row.received_at),
    verdict: str(row.verdict) as Verdict,
    verdictReason: strOrNull(row.verdict_reason),
    userAgent: strOrNull(row.user_agent),
    ipHash: strOrNull(row.ip_hash),
    metadata: json<Record<string, unknown>>(row.metadata),
    eventKey: strOrNull(row.event_key),
  };
}

function toResponse(row: Row): StoredResponse {
  return {
    id: Number(row.id),
    idempotencyKey: str(row.idempotency_key),
    kind: str(row.kind) as ResponseKind,
    campaign: strOrNull(row.campaign),
    partnerId: strOrNull(row.partner_id),
    touch: strOrNull(row.touch),
    email: strOrNull(row.email),
    name: strOrNull(row.name),
    webinar: strOrNull(row.webinar),
    text: strOrNull(row.body),
    rating: row.rating === null || row.rating === undefined ? null : Number(row.rating),
    consentToQuote: boolOrNull(row.consent_to_quote),
    until: isoOrNull(row.until_at),
    preferredTimes:
      row.preferred_times === null || row.preferred_times === undefined
        ? null
        : json<string[]>(row.preferred_times),
    source: str(row.source) as ResponseSource,
    occurredAt: iso(row.occurred_at),
    createdAt: iso(row.created_at),
    data: json<Record<string, unknown>>(row.data),
  };
}

function toSuppression(row: Row): Suppression {
  return {
    email: str(row.email),
    reason: str(row.reason) as SuppressionReason,
    source: str(row.source),
    campaign: strOrNull(row.campaign),
    note: strOrNull(row.note),
    createdAt: iso(row.created_at),
  };
}

// ---------------------------------------------------------------------------------------------

const eventColumns = [
  'campaign',
  'partner_id',
  'touch',
  'type',
  'source',
  'occurred_at',
  'received_at',
  'verdict',
  'verdict_reason',
  'user_agent',
  'ip_hash',
  'metadata',
  'event_key',
];

function eventValues(event: EventInput, now: string): unknown[] {
  if (!event.campaign) throw new TypeError('event without campaign');
  if (!event.type) throw new TypeError('event without type');
  const metadata = jsonText(event.metadata);
  if (Buffer.byteLength(metadata) > maxEventMetadataBytes) {
    throw new RangeError(`event metadata over ${maxEventMetadataBytes} bytes`);
  }
  return [
    event.campaign,
    event.partnerId ?? null,
    event.touch ?? null,
    event.type,
    oneOf(eventSources, event.source, 'event source'),
    time(event.occurredAt),
    event.receivedAt === undefined ? now : time(event.receivedAt),
    oneOf(verdicts, event.verdict, 'verdict'),
    event.verdictReason ?? null,
    event.userAgent ?? null,
    event.ipHash ?? null,
    metadata,
    event.eventKey ?? null,
  ];
}

const suppressionColumns = ['email', 'reason', 'source', 'campaign', 'note', 'created_at'];

function suppressionValues(s: SuppressionInput, now: string): unknown[] {
  const email = normalizeEmail(s.email);
  if (!email) throw new TypeError('suppression without email');
  return [
    email,
    oneOf(suppressionReasons, s.reason, 'suppression reason'),
    s.source,
    s.campaign ?? null,
    s.note ?? null,
    now,
  ];
}

/** Arbitrary constant for pg_advisory_xact_lock: serialises concurrent `migrate()` calls. */
const migrationLockKey = 7_262_911_403;

export interface SqlStoreOptions {
  /** Postgres schema to create before migrating (tests, several deployments in one database). */
  schema?: string;
}

export class SqlStore implements Store {
  readonly engine: Driver['engine'];
  readonly location: string;
  readonly #db: Driver;
  readonly #pg: boolean;
  readonly #schema: string | undefined;

  constructor(driver: Driver, options: SqlStoreOptions = {}) {
    this.#db = driver;
    this.engine = driver.engine;
    this.location = driver.location;
    this.#pg = driver.engine === 'postgres';
    this.#schema = options.schema;
  }

  // -------------------------------------------------------------------------------------------
  // Migrations

  #migrationsTable(): string {
    const ts = this.#pg ? 'TIMESTAMPTZ' : 'TEXT';
    return `CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at ${ts} NOT NULL)`;
  }

  #checksum(sql: string): string {
    return createHash('sha256').update(sql).digest('hex');
  }

  /**
   * All pending migrations in one transaction: a failure leaves the schema as it was. Concurrent
   * callers (several server instances starting at once) are serialised by BEGIN IMMEDIATE on SQLite
   * and an advisory lock on Postgres, and the second finds nothing left to do.
   */
  async migrate(): Promise<{ applied: number[] }> {
    return this.#db.transaction(async (tx) => {
      if (this.#pg) {
        await tx.query('SELECT pg_advisory_xact_lock(?)', [migrationLockKey]);
        if (this.#schema) await tx.exec(`CREATE SCHEMA IF NOT EXISTS ${this.#schema}`);
      }
      await tx.exec(this.#migrationsTable());
      const done = new Set(
        (await tx.query('SELECT version FROM schema_migrations')).map((r) => Number(r.version)),
      );
      const applied: number[] = [];
      for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
        if (done.has(migration.version)) continue;
        const sql = renderMigration(migration, this.engine);
        await tx.exec(sql);
        await tx.run(
          'INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)',
          [migration.version, migration.name, this.#checksum(sql), new Date().toISOString()],
        );
        applied.push(migration.version);
      }
      return { applied };
    });
  }

  async migrationStatus(): Promise<MigrationStatus[]> {
    const exists = this.#pg
      ? (await this.#db.query('SELECT to_regclass(?) IS NOT NULL AS present', ['schema_migrations']))[0]
          ?.present
      : (
          await this.#db.query(
            "SELECT count(*) AS present FROM sqlite_master WHERE type = 'table' AND name = ?",
            ['schema_migrations'],
          )
        )[0]?.present;
    const rows = exists
      ? await this.#db.query('SELECT version, name, checksum, applied_at FROM schema_migrations')
      : [];
    const applied = new Map(rows.map((r) => [Number(r.version), r]));
    const known = new Set(migrations.map((m) => m.version));
    const status: MigrationStatus[] = migrations.map((m) => {
      const row = applied.get(m.version);
      return {
        version: m.version,
        name: m.name,
        appliedAt: row ? iso(row.applied_at) : null,
        changed: row ? row.checksum !== this.#checksum(renderMigration(m, this.engine)) : false,
      };
    });
    // Applied by a newer version of aircover: shown, so nobody runs old code on a newer schema unaware.
    for (const [version, row] of applied) {
      if (!known.has(version)) {
        status.push({
          version,
          name: `${str(row.name)} (unknown to this version)`,
          appliedAt: iso(row.applied_at),
          changed: false,
        });
      }
    }
    return status.sort((a, b) => a.version - b.version);
  }

  // -------------------------------------------------------------------------------------------
  // Partners

  /**
   * Insert or refresh a campaign's partners (from partners.csv). Rows absent from `rows` are kept:
   * links already sent must keep working. A token already used by another partner is an error.
   */
  async upsertPartners(
    campaign: string,
    rows: PartnerInput[],
  ): Promise<{ inserted: number; updated: number }> {
    if (rows.length === 0) return { inserted: 0, updated: 0 };
    // The same partner twice in one batch: the last row wins on both engines (Postgres refuses to
    // update one row twice in a statement).
    const unique = [...new Map(rows.map((p) => [p.partnerId, p])).values()];
    const now = new Date().toISOString();
    return this.#db.transaction(async (tx) => {
      const existing = new Set(
        (await tx.query('SELECT partner_id FROM partners WHERE campaign = ?', [campaign])).map((r) =>
          str(r.partner_id),
        ),
      );
      const values = unique.map((p) => [
        campaign,
        p.partnerId,
        p.token,
        normalizeEmail(p.email),
        p.company ?? null,
        p.firstName ?? null,
        p.lastName ?? null,
        p.owner ?? null,
        p.referrerEmail ? normalizeEmail(p.referrerEmail) : null,
        jsonText(p.data),
        now,
        now,
      ]);
      await insertMany(
        tx,
        this.engine,
        'partners',
        [
          'campaign',
          'partner_id',
          'token',
          'email',
          'company',
          'first_name',
          'last_name',
          'owner',
          'referrer_email',
          'data',
          'created_at',
          'updated_at',
        ],
        values,
        `ON CONFLICT (campaign, partner_id) DO UPDATE SET token = excluded.token, email = excluded.email,
          company = excluded.company, first_name = excluded.first_name, last_name = excluded.last_name,
          owner = excluded.owner, referrer_email = excluded.referrer_email, data = excluded.data,
          updated_at = excluded.updated_at`,
      );
      const inserted = unique.filter((p) => !existing.has(p.partnerId)).length;
      return { inserted, updated: unique.length - inserted };
    });
  }

  /** The personal page's lookup: one indexed read. */
  async findPartnerByToken(token: string): Promise<Partner | null> {
    const rows = await this.#db.query('SELECT * FROM partners WHERE token = ?', [token]);
    return rows[0] ? toPartner(rows[0]) : null;
  }

  async findPartner(campaign: string, partnerId: string): Promise<Partner | null> {
    const rows = await this.#db.query('SELECT * FROM partners WHERE campaign = ? AND partner_id = ?', [
      campaign,
      partnerId,
    ]);
    return rows[0] ? toPartner(rows[0]) : null;
  }

  /** Every campaign's row for one address: a person's history is one timeline (rule 7). */
  async findPartnersByEmail(email: string): Promise<Partner[]> {
    const rows = await this.#db.query(
      'SELECT * FROM partners WHERE email = ? ORDER BY campaign, partner_id',
      [normalizeEmail(email)],
    );
    return rows.map(toPartner);
  }

  async listPartners(campaign?: string): Promise<Partner[]> {
    const rows =
      campaign === undefined
        ? await this.#db.query('SELECT * FROM partners ORDER BY campaign, partner_id')
        : await this.#db.query('SELECT * FROM partners WHERE campaign = ? ORDER BY partner_id', [campaign]);
    return rows.map(toPartner);
  }

  // -------------------------------------------------------------------------------------------
  // Send ledger

  /**
   * Make the ledger hold the plan. A missing row is inserted. A row that never reached a provider
   * (`planned` or `skipped`, zero attempts) is refreshed to the new entry: the plan is recomputed on
   * every run, so a pause that ended becomes `planned` again and a new suppression becomes
   * `skipped`. Any other row (`sent`, `sending`, `failed`, or attempted before) is kept exactly as
   * it is, idempotency key included: an earlier attempt may have reached the provider, and only the
   * same key lets it deduplicate a resend. A sent row is never re-planned.
   */
  async planSends(entries: PlanEntry[]): Promise<PlanResult> {
    const result: PlanResult = { inserted: 0, updated: 0, kept: 0 };
    if (entries.length === 0) return result;
    const now = new Date().toISOString();
    const groups = new Map<string, PlanEntry[]>();
    for (const entry of entries) {
      const state = entry.state ?? 'planned';
      if (state !== 'planned' && state !== 'skipped') throw new TypeError(`cannot plan state ${state}`);
      if (!entry.idempotencyKey) throw new TypeError('plan entry without idempotency key');
      const key = JSON.stringify([entry.campaign, entry.touch]);
      const group = groups.get(key) ?? [];
      group.push(entry);
      groups.set(key, group);
    }
    return this.#db.transaction(async (tx) => {
      for (const group of groups.values()) {
        const first = group[0] as PlanEntry;
        const existing = new Map(
          (
            await tx.query(
              `SELECT partner_id, state, attempts, recipient, idempotency_key, content_version, skip_reason
               FROM send_ledger WHERE campaign = ? AND touch = ?`,
              [first.campaign, first.touch],
            )
          ).map((r) => [str(r.partner_id), r]),
        );
        const fresh: unknown[][] = [];
        const seen = new Set<string>();
        for (const entry of group) {
          if (seen.has(entry.partnerId)) {
            result.kept++;
            continue;
          }
          seen.add(entry.partnerId);
          const state = entry.state ?? 'planned';
          const recipient = normalizeEmail(entry.recipient);
          const skipReason = state === 'skipped' ? (entry.skipReason ?? 'skipped') : null;
          const row = existing.get(entry.partnerId);
          if (!row) {
            fresh.push([
              entry.campaign,
              entry.touch,
              entry.partnerId,
              state,
              recipient,
              entry.idempotencyKey,
              entry.contentVersion ?? null,
              skipReason,
              now,
              now,
            ]);
            continue;
          }
          const refreshable =
            (row.state === 'planned' || row.state === 'skipped') && Number(row.attempts) === 0;
          const same =
            row.state === state &&
            row.recipient === recipient &&
            row.idempotency_key === entry.idempotencyKey &&
            (row.content_version ?? null) === (entry.contentVersion ?? null) &&
            (row.skip_reason ?? null) === skipReason;
          if (!refreshable || same) {
            result.kept++;
            continue;
          }
          const changed = await tx.run(
            `UPDATE send_ledger SET state = ?, recipient = ?, idempotency_key = ?, content_version = ?,
               skip_reason = ?, updated_at = ?
             WHERE campaign = ? AND touch = ? AND partner_id = ? AND state IN ('planned', 'skipped') AND attempts = 0`,
            [
              state,
              recipient,
              entry.idempotencyKey,
              entry.contentVersion ?? null,
              skipReason,
              now,
              entry.campaign,
              entry.touch,
              entry.partnerId,
            ],
          );
          if (changed > 0) result.updated++;
          else result.kept++;
        }
        const inserted = await insertMany(
          tx,
          this.engine,
          'send_ledger',
          [
            'campaign',
            'touch',
            'partner_id',
            'state',
            'recipient',
            'idempotency_key',
            'content_version',
            'skip_reason',
            'planned_at',
            'updated_at',
          ],
          fresh,
          // A concurrent planner's row wins; an idempotency key reused for another partner still fails.
          'ON CONFLICT (campaign, touch, partner_id) DO NOTHING',
        );
        result.inserted += inserted;
        result.kept += fresh.length - inserted;
      }
      return result;
    });
  }

  /**
   * Atomically move up to `limit` rows of one touch from `planned` (or retryable `failed`) to
   * `sending`, counting the attempt, and return them. Two claimers never get the same row: SQLite
   * holds the write lock for the statement's transaction, Postgres uses FOR UPDATE SKIP LOCKED so
   * concurrent senders take disjoint rows without waiting on each other.
   */
  async claimSends(
    campaign: string,
    touch: string,
    limit: number,
    options: ClaimOptions = {},
  ): Promise<LedgerEntry[]> {
    if (limit <= 0) return [];
    const now = new Date().toISOString();
    const maxAttempts = options.maxAttempts ?? 2_147_483_647;
    const eligible = `campaign = ? AND touch = ?
      AND (state = 'planned' OR (state = 'failed' AND retryable = TRUE AND attempts < ?))`;
    // The pick is a MATERIALIZED CTE, evaluated once: as `IN (subquery)` Postgres may re-run the
    // subquery per candidate row, and with SKIP LOCKED each run picks other rows, so one claim
    // could take more than `limit` rows.
    const sql = `WITH picked AS MATERIALIZED (
        SELECT campaign, touch, partner_id FROM send_ledger WHERE ${eligible}
        ORDER BY planned_at, partner_id LIMIT ?${this.#pg ? ' FOR UPDATE SKIP LOCKED' : ''}
      )
      UPDATE send_ledger SET state = 'sending', attempts = attempts + 1, claimed_at = ?, updated_at = ?,
        request_key = NULL
      WHERE (campaign, touch, partner_id) IN (SELECT campaign, touch, partner_id FROM picked) AND ${eligible}
      RETURNING *`;
    const rows = await this.#db.transaction((tx) =>
      tx.query(sql, [campaign, touch, maxAttempts, limit, now, now, campaign, touch, maxAttempts]),
    );
    return rows.map(toLedger).sort(byPlan);
  }

  /**
   * Just before a provider call: record its key on the claimed rows it carries, so a rerun after a
   * kill re-dispatches exactly that group under exactly that key. Only `sending` rows change.
   */
  async markDispatched(idempotencyKeys: string[], requestKey: string): Promise<number> {
    if (idempotencyKeys.length === 0) return 0;
    const now = new Date().toISOString();
    return this.#db.transaction(async (tx) => {
      let changed = 0;
      for (let i = 0; i < idempotencyKeys.length; i += 500) {
        const keys = idempotencyKeys.slice(i, i + 500);
        changed += await tx.run(
          `UPDATE send_ledger SET request_key = ?, updated_at = ?
           WHERE state = 'sending' AND idempotency_key IN (${placeholders(keys.length)})`,
          [requestKey, now, ...keys],
        );
      }
      return changed;
    });
  }

  /**
   * The provider accepted the message. Accepted from any state but `sent` (acceptance is the truth,
   * even for a row released as stuck meanwhile). True when this call recorded it; false for an
   * unknown key or a row already sent.
   */
  async markSent(idempotencyKey: string, providerMessageId: string | null): Promise<boolean> {
    const now = new Date().toISOString();
    const changed = await this.#db.run(
      `UPDATE send_ledger SET state = 'sent', provider_message_id = ?, sent_at = ?, updated_at = ?,
         last_error = NULL, retryable = FALSE
       WHERE idempotency_key = ? AND state <> 'sent'`,
      [providerMessageId, now, now, idempotencyKey],
    );
    return changed > 0;
  }

  /**
   * An attempt failed. `retryable` rows are claimed again by `claimSends`; others stay failed until a
   * person looks. A `sent` or `skipped` row is never turned into a failure.
   */
  async markFailed(idempotencyKey: string, error: string, retryable: boolean): Promise<boolean> {
    const changed = await this.#db.run(
      `UPDATE send_ledger SET state = 'failed', last_error = ?, retryable = ?, updated_at = ?
       WHERE idempotency_key = ? AND state IN ('planned', 'sending', 'failed')`,
      [error.slice(0, 4000), retryable, new Date().toISOString(), idempotencyKey],
    );
    return changed > 0;
  }

  /** Decided not to send (suppressed, declined, paused, already done what the touch asks). Never for a sent row. */
  async markSkipped(idempotencyKey: string, reason: string): Promise<boolean> {
    const changed = await this.#db.run(
      `UPDATE send_ledger SET state = 'skipped', skip_reason = ?, updated_at = ?
       WHERE idempotency_key = ? AND state <> 'sent'`,
      [reason, new Date().toISOString(), idempotencyKey],
    );
    return changed > 0;
  }

  /**
   * After a crash: rows left in `sending` go back to `planned` with their idempotency key, so the
   * next claim resends them and the provider deduplicates (Resend keeps keys 24 h; the returned rows
   * carry `claimedAt` so the sender can warn about older ones). Run it only when no other sender is
   * working on the touch, or pass `claimedBefore` older than any live claim.
   */
  async releaseStuckSends(options: {
    campaign: string;
    touch?: string;
    claimedBefore?: TimeInput;
  }): Promise<LedgerEntry[]> {
    const where = new Where()
      .add('campaign = ?', options.campaign)
      .add("state = 'sending'")
      .eq('touch', options.touch);
    if (options.claimedBefore !== undefined) where.add('claimed_at < ?', time(options.claimedBefore));
    const rows = await this.#db.transaction((tx) =>
      tx.query(`UPDATE send_ledger SET state = 'planned', updated_at = ? ${where.sql} RETURNING *`, [
        new Date().toISOString(),
        ...where.params,
      ]),
    );
    return rows.map(toLedger).sort(byPlan);
  }

  async getSend(campaign: string, touch: string, partnerId: string): Promise<LedgerEntry | null> {
    const rows = await this.#db.query(
      'SELECT * FROM send_ledger WHERE campaign = ? AND touch = ? AND partner_id = ?',
      [campaign, touch, partnerId],
    );
    return rows[0] ? toLedger(rows[0]) : null;
  }

  async listLedger(filter: LedgerFilter): Promise<LedgerEntry[]> {
    const where = new Where()
      .add('campaign = ?', filter.campaign)
      .eq('touch', filter.touch)
      .eq('partner_id', filter.partnerId);
    if (filter.state !== undefined) {
      const states = Array.isArray(filter.state) ? filter.state : [filter.state];
      if (states.length === 0) return [];
      for (const s of states) oneOf(sendStates, s, 'send state');
      where.in('state', states);
    }
    const rows = await this.#db.query(
      `SELECT * FROM send_ledger ${where.sql} ORDER BY touch, planned_at, partner_id`,
      where.params,
    );
    return rows.map(toLedger);
  }

  async listSentTouches(campaign: string): Promise<{ partnerId: string; touch: string; sentAt: string }[]> {
    const rows = await this.#db.values(
      // By touch, as listLedger: a partner's touches sent at the same instant keep one order.
      "SELECT partner_id, touch, sent_at FROM send_ledger WHERE campaign = ? AND state = 'sent' AND sent_at IS NOT NULL ORDER BY touch",
      [campaign],
    );
    return rows.map((r) => ({ partnerId: str(r[0]), touch: str(r[1]), sentAt: iso(r[2]) }));
  }

  /** Rows per state, every state present (zero when none): the plan summary and progress. */
  async countLedger(campaign: string, touch?: string): Promise<Record<SendState, number>> {
    const rows =
      touch === undefined
        ? await this.#db.query(
            'SELECT state, count(*) AS n FROM send_ledger WHERE campaign = ? GROUP BY state',
            [campaign],
          )
        : await this.#db.query(
            'SELECT state, count(*) AS n FROM send_ledger WHERE campaign = ? AND touch = ? GROUP BY state',
            [campaign, touch],
          );
    const counts = Object.fromEntries(sendStates.map((s) => [s, 0])) as Record<SendState, number>;
    for (const row of rows) counts[str(row.state) as SendState] = Number(row.n);
    return counts;
  }

  // -------------------------------------------------------------------------------------------
  // Events

  /**
   * Store a batch of events in ONE transaction (the collector's group commit): all of them or, on
   * error, none. Events whose `eventKey` is already stored are counted as duplicates, not errors.
   */
  async appendEvents(events: EventInput[]): Promise<AppendResult> {
    if (events.length === 0) return { inserted: 0, duplicates: 0 };
    const now = new Date().toISOString();
    const values = events.map((e) => eventValues(e, now));
    const inserted = await this.#db.transaction((tx) => this.#insertEvents(tx, events, values));
    return { inserted, duplicates: events.length - inserted };
  }

  /**
   * The events, then the engagement summary of those actually inserted (a duplicate event key adds
   * nothing): one upsert per (campaign, partner) and per (campaign, day) in the batch, in the
   * caller's transaction, so the summary commits or rolls back with its events.
   */
  async #insertEvents(tx: Queryable, events: EventInput[], values: unknown[][]): Promise<number> {
    const inserted = await this.#insertNewEvents(tx, values);
    const summary = new SummaryBatch();
    let count = 0;
    values.forEach((v, i) => {
      if (!inserted[i]) return;
      count++;
      summary.add({
        campaign: v[0] as string,
        partnerId: v[1] as string | null,
        type: v[3] as string,
        occurredAt: v[5] as string,
        verdict: v[7] as string,
        metadata: events[i]?.metadata,
      });
    });
    if (count === 0) return 0;
    const partners = summary.partnerRows();
    await insertMany(
      tx,
      this.engine,
      'engagement_summary',
      [...summaryColumns],
      partners,
      summaryUpsert(this.engine),
    );
    const days = summary.dayRows();
    if (days.length) {
      await insertMany(
        tx,
        this.engine,
        'engagement_daily',
        [...dailyColumns],
        days,
        dailyUpsert(this.engine),
      );
    }
    return count;
  }

  /** Inserts the rows; which of them were new (false: their event key was already stored). */
  async #insertNewEvents(tx: Queryable, values: unknown[][]): Promise<boolean[]> {
    const conflict = 'ON CONFLICT (event_key) WHERE event_key IS NOT NULL DO NOTHING';
    const tuple = `(${placeholders(eventColumns.length)})`;
    const keyAt = eventColumns.indexOf('event_key');
    const inserted: boolean[] = [];
    for (const chunk of chunks(values, eventColumns.length, this.engine)) {
      const sql = `INSERT INTO events (${eventColumns.join(', ')}) VALUES ${chunk.map(() => tuple).join(', ')} ${conflict}`;
      if (chunk.length === 1 || !chunk.some((row) => row[keyAt] !== null)) {
        // One row (SQLite always), or no row that could conflict: the count tells.
        const changed = await tx.run(sql, chunk.flat());
        for (let i = 0; i < chunk.length; i++) inserted.push(changed > 0);
        continue;
      }
      // Postgres, several rows with keys: the keys it returns are the rows it inserted (of two rows
      // with one key in a statement, the first).
      const returned = new Set(
        (await tx.query(`${sql} RETURNING event_key`, chunk.flat())).map((r) => r.event_key),
      );
      for (const row of chunk) {
        const key = row[keyAt];
        inserted.push(key === null || returned.delete(key));
      }
    }
    return inserted;
  }

  #eventWhere(filter: EventFilter): Where {
    const where = new Where()
      .eq('campaign', filter.campaign)
      .eq('partner_id', filter.partnerId)
      .eq('touch', filter.touch);
    if (filter.since !== undefined) where.add('occurred_at >= ?', time(filter.since));
    if (filter.until !== undefined) where.add('occurred_at < ?', time(filter.until));
    if (filter.types !== undefined) where.in('type', filter.types);
    if (!filter.includeNonHuman) where.add("verdict = 'human'");
    return where;
  }

  /**
   * Events matching the filter, human only unless `includeNonHuman`. Ordered by time of occurrence,
   * or by id when paging with `afterId` (ids only grow, so `afterId` tails new events).
   */
  async listEvents(options: EventListOptions = {}): Promise<StoredEvent[]> {
    const where = this.#eventWhere(options);
    if (options.afterId !== undefined) where.add('id > ?', options.afterId);
    const params = [...where.params];
    let query = `SELECT * FROM events ${where.sql} ORDER BY ${options.afterId !== undefined ? 'id' : 'occurred_at, id'}`;
    if (options.limit !== undefined) {
      query += ' LIMIT ?';
      params.push(options.limit);
    }
    return (await this.#db.query(query, params)).map(toEvent);
  }

  async countEvents(filter: EventFilter = {}): Promise<number> {
    const where = this.#eventWhere(filter);
    const rows = await this.#db.query(`SELECT count(*) AS n FROM events ${where.sql}`, where.params);
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * Counts grouped by type, partner, verdict or touch (events with no partner/touch are left out of
   * those groupings). Human only unless `includeNonHuman`: for a verdict breakdown pass it.
   */
  async countEventsBy(key: EventCountKey, filter: EventFilter = {}): Promise<Record<string, number>> {
    const column = { type: 'type', partner: 'partner_id', verdict: 'verdict', touch: 'touch' }[key];
    if (!column) throw new TypeError(`invalid count key: ${key}`);
    const where = this.#eventWhere(filter).add(`${column} IS NOT NULL`);
    const rows = await this.#db.query(
      `SELECT ${column} AS k, count(*) AS n FROM events ${where.sql} GROUP BY ${column} ORDER BY ${column}`,
      where.params,
    );
    return Object.fromEntries(rows.map((r) => [str(r.k), Number(r.n)]));
  }

  /**
   * Events aggregated in the database: count, first and last time, and the total and maximum of
   * chosen numeric metadata fields, per (campaign, partner, type, verdict) or per UTC day. One
   * scan of the events index instead of every row through the driver: the follow-up queue of a
   * 10,000-partner campaign reads a few ten thousand groups, not half a million events.
   */
  async summarizeEvents(options: EventSummaryOptions = {}): Promise<EventSummary[]> {
    const metrics = options.metrics ?? [];
    for (const name of metrics) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new TypeError(`invalid metric name: ${name}`);
    }
    const byDay = options.by === 'day';
    const group = byDay
      ? this.#pg
        ? "to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
        : 'substr(occurred_at, 1, 10)'
      : 'partner_id';
    const value = this.#pg
      ? "(CASE WHEN jsonb_typeof(metadata -> ?) = 'number' THEN (metadata ->> ?)::float8 END)"
      : "(CASE WHEN json_type(metadata, ?) IN ('integer', 'real') THEN json_extract(metadata, ?) END)";
    const selectParams: unknown[] = [];
    const columns = metrics.map((name, i) => {
      // Both engines total numbers only: a string or object under the name counts as nothing.
      const args = this.#pg ? [name, name] : [`$.${name}`, `$.${name}`];
      selectParams.push(...args, ...args);
      return `sum(${value}) AS s${i}, max(${value}) AS m${i}`;
    });
    const where = this.#eventWhere(options);
    if (options.afterId !== undefined) where.add('id > ?', options.afterId);
    if (options.throughId !== undefined) where.add('id <= ?', options.throughId);
    const rows = await this.#db.query(
      `SELECT campaign, ${group} AS g, type, verdict, count(*) AS n, min(occurred_at) AS f, max(occurred_at) AS l${
        columns.length ? `, ${columns.join(', ')}` : ''
      } FROM events ${where.sql} GROUP BY campaign, ${group}, type, verdict`,
      [...selectParams, ...where.params],
    );
    return rows.map((r) => {
      const sum: Record<string, number> = {};
      const max: Record<string, number> = {};
      metrics.forEach((name, i) => {
        sum[name] = Number(r[`s${i}`] ?? 0) || 0;
        max[name] = Number(r[`m${i}`] ?? 0) || 0;
      });
      const g = strOrNull(r.g);
      return {
        campaign: str(r.campaign),
        partnerId: byDay ? null : g,
        day: byDay ? g : null,
        type: str(r.type),
        verdict: str(r.verdict) as Verdict,
        count: Number(r.n),
        first: iso(r.f),
        last: iso(r.l),
        sum,
        max,
      };
    });
  }

  async engagementSummary(campaign?: string, partnerId?: string): Promise<EngagementSummary[]> {
    const where = new Where().eq('campaign', campaign).eq('partner_id', partnerId);
    const rows = await this.#db.values(
      `SELECT ${summaryColumns.join(', ')} FROM engagement_summary ${where.sql} ORDER BY campaign, partner_id`,
      where.params,
    );
    return rows.map(toSummary);
  }

  async engagementByDay(campaign?: string): Promise<EngagementDay[]> {
    const where = new Where().eq('campaign', campaign);
    const rows = await this.#db.values(
      `SELECT ${dailyColumns.join(', ')} FROM engagement_daily ${where.sql} ORDER BY campaign, day`,
      where.params,
    );
    return rows.map(toDay);
  }

  /** The largest event id stored (0 when none): the high-water mark for incremental summaries. */
  async lastEventId(): Promise<number> {
    const rows = await this.#db.query('SELECT max(id) AS n FROM events');
    return Number(rows[0]?.n ?? 0);
  }

  // -------------------------------------------------------------------------------------------
  // Webhooks

  /**
   * True the first time a svix id is seen, false on a replay. The receipt and the webhook's effects
   * (its events, the suppressions a bounce or complaint causes) commit together, so a crash between
   * them cannot leave a receipt whose retry would be ignored while its event was lost.
   */
  async recordWebhookOnce(svixId: string, effects: WebhookEffects = {}): Promise<boolean> {
    if (!svixId) throw new TypeError('webhook without svix id');
    const now = new Date().toISOString();
    const events = (effects.events ?? []).map((e) => eventValues(e, now));
    const suppressions = (effects.suppressions ?? []).map((s) => suppressionValues(s, now));
    return this.#db.transaction(async (tx) => {
      const first = await tx.run(
        'INSERT INTO webhook_receipts (svix_id, received_at) VALUES (?, ?) ON CONFLICT (svix_id) DO NOTHING',
        [svixId, now],
      );
      if (first === 0) return false;
      if (events.length) await this.#insertEvents(tx, effects.events ?? [], events);
      if (suppressions.length) {
        await insertMany(
          tx,
          this.engine,
          'suppressions',
          suppressionColumns,
          suppressions,
          'ON CONFLICT (email) DO NOTHING',
        );
      }
      return true;
    });
  }

  // -------------------------------------------------------------------------------------------
  // Responses

  /**
   * Record what someone told us, once. The idempotency key (the form's hidden nonce, or for
   * registrations and attendance the default `${kind}:${webinar}:${email}`) makes a double submit
   * return the first row with `created: false`.
   *
   * Webinar registrations are responses of kind `registration` with `webinar` and `email` set; a
   * unique index on (kind, webinar, email) keeps one per person and webinar whatever key was sent.
   * Registrants need not be partners: `campaign` and `partnerId` may be null.
   */
  async addResponse(response: ResponseInput): Promise<{ created: boolean; id: number }> {
    const kind = oneOf(responseKinds, response.kind, 'response kind');
    const email = response.email ? normalizeEmail(response.email) : null;
    const perWebinar = kind === 'registration' || kind === 'attendance';
    if (perWebinar && (!response.webinar || !email)) throw new TypeError(`${kind} needs webinar and email`);
    const key = response.idempotencyKey ?? (perWebinar ? `${kind}:${response.webinar}:${email}` : undefined);
    if (!key) throw new TypeError(`${kind} response without idempotency key`);
    const now = new Date().toISOString();
    const inserted = await this.#db.query(
      `INSERT INTO responses (idempotency_key, kind, campaign, partner_id, touch, email, name, webinar, body,
         rating, consent_to_quote, until_at, preferred_times, source, occurred_at, created_at, data)
       VALUES (${placeholders(17)}) ON CONFLICT DO NOTHING RETURNING id`,
      [
        key,
        kind,
        response.campaign ?? null,
        response.partnerId ?? null,
        response.touch ?? null,
        email,
        response.name ?? null,
        response.webinar ?? null,
        response.text ?? null,
        response.rating ?? null,
        response.consentToQuote ?? null,
        response.until === undefined || response.until === null ? null : time(response.until),
        response.preferredTimes ? JSON.stringify(response.preferredTimes) : null,
        response.source,
        response.occurredAt === undefined ? now : time(response.occurredAt),
        now,
        jsonText(response.data),
      ],
    );
    if (inserted[0]) return { created: true, id: Number(inserted[0].id) };
    const existing = perWebinar
      ? await this.#db.query(
          'SELECT id FROM responses WHERE idempotency_key = ? OR (kind = ? AND webinar = ? AND email = ?)',
          [key, kind, response.webinar, email],
        )
      : await this.#db.query('SELECT id FROM responses WHERE idempotency_key = ?', [key]);
    if (!existing[0]) throw new Error(`response ${key} conflicted but cannot be found`);
    return { created: false, id: Number(existing[0].id) };
  }

  async listResponses(filter: ResponseFilter = {}): Promise<StoredResponse[]> {
    const where = new Where().eq('campaign', filter.campaign).eq('partner_id', filter.partnerId);
    if (filter.kind !== undefined) {
      const kinds = Array.isArray(filter.kind) ? filter.kind : [filter.kind];
      if (kinds.length === 0) return [];
      where.in('kind', kinds);
    }
    where.eq('webinar', filter.webinar);
    if (filter.email !== undefined) where.eq('email', normalizeEmail(filter.email));
    const rows = await this.#db.query(
      `SELECT * FROM responses ${where.sql} ORDER BY occurred_at, id`,
      where.params,
    );
    return rows.map(toResponse);
  }

  // -------------------------------------------------------------------------------------------
  // Suppressions

  /** Suppress an address (normalised). One row per address: a second call keeps the first reason. */
  async addSuppression(suppression: SuppressionInput): Promise<{ created: boolean }> {
    const values = suppressionValues(suppression, new Date().toISOString());
    const changed = await this.#db.run(
      `INSERT INTO suppressions (${suppressionColumns.join(', ')}) VALUES (${placeholders(suppressionColumns.length)})
       ON CONFLICT (email) DO NOTHING`,
      values,
    );
    return { created: changed > 0 };
  }

  /** Lift a suppression (a manual mistake, a re-subscription). Not for bounces without cause. */
  async removeSuppression(email: string): Promise<boolean> {
    return (await this.#db.run('DELETE FROM suppressions WHERE email = ?', [normalizeEmail(email)])) > 0;
  }

  async isSuppressed(email: string): Promise<boolean> {
    const rows = await this.#db.query('SELECT 1 AS hit FROM suppressions WHERE email = ?', [
      normalizeEmail(email),
    ]);
    return rows.length > 0;
  }

  /** The suppressed addresses among `emails` (normalised), in one query whatever the batch size. */
  async suppressedAmong(emails: string[]): Promise<Set<string>> {
    if (emails.length === 0) return new Set();
    const list = [...new Set(emails.map(normalizeEmail))];
    const rows = this.#pg
      ? await this.#db.query('SELECT email FROM suppressions WHERE email = ANY(?::text[])', [list])
      : await this.#db.query(
          'SELECT email FROM suppressions WHERE email IN (SELECT value FROM json_each(?))',
          [JSON.stringify(list)],
        );
    return new Set(rows.map((r) => str(r.email)));
  }

  async listSuppressions(): Promise<Suppression[]> {
    return (await this.#db.query('SELECT * FROM suppressions ORDER BY created_at, email')).map(toSuppression);
  }

  async close(): Promise<void> {
    await this.#db.close();
  }
}
