/**
 * The store, written once for both engines on top of a `Driver`. The SQL is portable (SQLite 3.35+
 * and Postgres 13+ both have ON CONFLICT, RETURNING, row values and partial indexes); the four
 * places that differ (migration lock, table lookup, claim locking, array parameter) branch on
 * `pg`.
 *
 * `SqlStore` is the facade: migrations are here, each concern's SQL is in its own module
 * (partners.ts, ledger.ts, events.ts, webhooks.ts, responses.ts, suppressions.ts, inbox.ts; shared helpers
 * in sql-shared.ts), and every method below hands its arguments to that module's function of the
 * same name. Each function's contract is documented there.
 *
 * Unique constraints, not application checks, are what prevent duplicates: the ledger's primary key
 * (campaign, touch, partner), webhook receipts' svix id, responses' idempotency key, suppressions'
 * email. Code paths that could race rely on them.
 */
import { createHash } from 'node:crypto';
import * as deliveries from './deliveries.ts';
import type { Driver } from './driver.ts';
import * as events from './events.ts';
import * as inbox from './inbox.ts';
import * as keyed from './keyed.ts';
import * as ledger from './ledger.ts';
import { migrations, renderMigration } from './migrations.ts';
import * as partners from './partners.ts';
import * as responses from './responses.ts';
import { iso, type SqlContext, str } from './sql-shared.ts';
import * as suppressions from './suppressions.ts';
import type { MigrationStatus, Store } from './types.ts';
import * as webhooks from './webhooks.ts';

export { normalizeEmail } from './sql-shared.ts';

/** A concern function's arguments after the context: the facade method's parameters. */
// biome-ignore lint/suspicious/noExplicitAny: matches any function; only its parameters are read
type Args<F> = F extends (ctx: SqlContext, ...rest: infer A) => any ? A : never;

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
  readonly #ctx: SqlContext;

  constructor(driver: Driver, options: SqlStoreOptions = {}) {
    this.#db = driver;
    this.engine = driver.engine;
    this.location = driver.location;
    this.#pg = driver.engine === 'postgres';
    this.#schema = options.schema;
    this.#ctx = { db: driver, engine: driver.engine, pg: this.#pg };
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
  // Partners (partners.ts)

  upsertPartners(...args: Args<typeof partners.upsertPartners>) {
    return partners.upsertPartners(this.#ctx, ...args);
  }
  findPartnerByToken(...args: Args<typeof partners.findPartnerByToken>) {
    return partners.findPartnerByToken(this.#ctx, ...args);
  }
  findPartner(...args: Args<typeof partners.findPartner>) {
    return partners.findPartner(this.#ctx, ...args);
  }
  findPartnersByEmail(...args: Args<typeof partners.findPartnersByEmail>) {
    return partners.findPartnersByEmail(this.#ctx, ...args);
  }
  listPartners(...args: Args<typeof partners.listPartners>) {
    return partners.listPartners(this.#ctx, ...args);
  }

  // -------------------------------------------------------------------------------------------
  // Send ledger (ledger.ts)

  planSends(...args: Args<typeof ledger.planSends>) {
    return ledger.planSends(this.#ctx, ...args);
  }
  claimSends(...args: Args<typeof ledger.claimSends>) {
    return ledger.claimSends(this.#ctx, ...args);
  }
  markDispatched(...args: Args<typeof ledger.markDispatched>) {
    return ledger.markDispatched(this.#ctx, ...args);
  }
  markSent(...args: Args<typeof ledger.markSent>) {
    return ledger.markSent(this.#ctx, ...args);
  }
  markFailed(...args: Args<typeof ledger.markFailed>) {
    return ledger.markFailed(this.#ctx, ...args);
  }
  markSkipped(...args: Args<typeof ledger.markSkipped>) {
    return ledger.markSkipped(this.#ctx, ...args);
  }
  releaseStuckSends(...args: Args<typeof ledger.releaseStuckSends>) {
    return ledger.releaseStuckSends(this.#ctx, ...args);
  }
  requeueFailedSends(...args: Args<typeof ledger.requeueFailedSends>) {
    return ledger.requeueFailedSends(this.#ctx, ...args);
  }
  getSend(...args: Args<typeof ledger.getSend>) {
    return ledger.getSend(this.#ctx, ...args);
  }
  listLedger(...args: Args<typeof ledger.listLedger>) {
    return ledger.listLedger(this.#ctx, ...args);
  }
  listSentTouches(...args: Args<typeof ledger.listSentTouches>) {
    return ledger.listSentTouches(this.#ctx, ...args);
  }
  countLedger(...args: Args<typeof ledger.countLedger>) {
    return ledger.countLedger(this.#ctx, ...args);
  }

  // -------------------------------------------------------------------------------------------
  // Events (events.ts)

  appendEvents(...args: Args<typeof events.appendEvents>) {
    return events.appendEvents(this.#ctx, ...args);
  }
  listEvents(...args: Args<typeof events.listEvents>) {
    return events.listEvents(this.#ctx, ...args);
  }
  countEvents(...args: Args<typeof events.countEvents>) {
    return events.countEvents(this.#ctx, ...args);
  }
  countEventsBy(...args: Args<typeof events.countEventsBy>) {
    return events.countEventsBy(this.#ctx, ...args);
  }
  summarizeEvents(...args: Args<typeof events.summarizeEvents>) {
    return events.summarizeEvents(this.#ctx, ...args);
  }
  engagementSummary(...args: Args<typeof events.engagementSummary>) {
    return events.engagementSummary(this.#ctx, ...args);
  }
  engagementByDay(...args: Args<typeof events.engagementByDay>) {
    return events.engagementByDay(this.#ctx, ...args);
  }
  lastEventId(...args: Args<typeof events.lastEventId>) {
    return events.lastEventId(this.#ctx, ...args);
  }

  // -------------------------------------------------------------------------------------------
  // Webhooks (webhooks.ts)

  recordWebhookOnce(...args: Args<typeof webhooks.recordWebhookOnce>) {
    return webhooks.recordWebhookOnce(this.#ctx, ...args);
  }

  // -------------------------------------------------------------------------------------------
  // Outgoing webhook deliveries (deliveries.ts)

  queueDeliveries(...args: Args<typeof deliveries.queueDeliveries>) {
    return deliveries.queueDeliveries(this.#ctx, ...args);
  }
  claimDeliveries(...args: Args<typeof deliveries.claimDeliveries>) {
    return deliveries.claimDeliveries(this.#ctx, ...args);
  }
  recordAttempt(...args: Args<typeof deliveries.recordAttempt>) {
    return deliveries.recordAttempt(this.#ctx, ...args);
  }
  listDeliveries(...args: Args<typeof deliveries.listDeliveries>) {
    return deliveries.listDeliveries(this.#ctx, ...args);
  }
  listAttempts(...args: Args<typeof deliveries.listAttempts>) {
    return deliveries.listAttempts(this.#ctx, ...args);
  }

  // -------------------------------------------------------------------------------------------
  // Responses (responses.ts)

  addResponse(...args: Args<typeof responses.addResponse>) {
    return responses.addResponse(this.#ctx, ...args);
  }
  listResponses(...args: Args<typeof responses.listResponses>) {
    return responses.listResponses(this.#ctx, ...args);
  }
  verifyRegistration(...args: Args<typeof responses.verifyRegistration>) {
    return responses.verifyRegistration(this.#ctx, ...args);
  }
  removeResponses(...args: Args<typeof responses.removeResponses>) {
    return responses.removeResponses(this.#ctx, ...args);
  }

  // -------------------------------------------------------------------------------------------
  // Suppressions (suppressions.ts)

  addSuppression(...args: Args<typeof suppressions.addSuppression>) {
    return suppressions.addSuppression(this.#ctx, ...args);
  }
  removeSuppression(...args: Args<typeof suppressions.removeSuppression>) {
    return suppressions.removeSuppression(this.#ctx, ...args);
  }
  isSuppressed(...args: Args<typeof suppressions.isSuppressed>) {
    return suppressions.isSuppressed(this.#ctx, ...args);
  }
  suppressedAmong(...args: Args<typeof suppressions.suppressedAmong>) {
    return suppressions.suppressedAmong(this.#ctx, ...args);
  }
  listSuppressions(...args: Args<typeof suppressions.listSuppressions>) {
    return suppressions.listSuppressions(this.#ctx, ...args);
  }

  // -------------------------------------------------------------------------------------------
  // Inbox (inbox.ts)

  addInbound(...args: Args<typeof inbox.addInbound>) {
    return inbox.addInbound(this.#ctx, ...args);
  }
  getInbound(...args: Args<typeof inbox.getInbound>) {
    return inbox.getInbound(this.#ctx, ...args);
  }
  listInbound(...args: Args<typeof inbox.listInbound>) {
    return inbox.listInbound(this.#ctx, ...args);
  }
  correctInbound(...args: Args<typeof inbox.correctInbound>) {
    return inbox.correctInbound(this.#ctx, ...args);
  }
  setInboundEffects(...args: Args<typeof inbox.setInboundEffects>) {
    return inbox.setInboundEffects(this.#ctx, ...args);
  }
  recordSentMessages(...args: Args<typeof inbox.recordSentMessages>) {
    return inbox.recordSentMessages(this.#ctx, ...args);
  }
  findSentMessages(...args: Args<typeof inbox.findSentMessages>) {
    return inbox.findSentMessages(this.#ctx, ...args);
  }
  getInboxCursor(...args: Args<typeof inbox.getInboxCursor>) {
    return inbox.getInboxCursor(this.#ctx, ...args);
  }
  setInboxCursor(...args: Args<typeof inbox.setInboxCursor>) {
    return inbox.setInboxCursor(this.#ctx, ...args);
  }

  // -------------------------------------------------------------------------------------------
  // Keyed rows with expiry (keyed.ts)

  putKeyOnce(...args: Args<typeof keyed.putKeyOnce>) {
    return keyed.putKeyOnce(this.#ctx, ...args);
  }
  getKey(...args: Args<typeof keyed.getKey>) {
    return keyed.getKey(this.#ctx, ...args);
  }
  bumpKey(...args: Args<typeof keyed.bumpKey>) {
    return keyed.bumpKey(this.#ctx, ...args);
  }
  extendKey(...args: Args<typeof keyed.extendKey>) {
    return keyed.extendKey(this.#ctx, ...args);
  }
  deleteKey(...args: Args<typeof keyed.deleteKey>) {
    return keyed.deleteKey(this.#ctx, ...args);
  }
  sweepKeys(...args: Args<typeof keyed.sweepKeys>) {
    return keyed.sweepKeys(this.#ctx, ...args);
  }

  async close(): Promise<void> {
    await this.#db.close();
  }
}
