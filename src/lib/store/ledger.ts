/**
 * The send ledger: one row per (campaign, touch, partner), planned, claimed, sent, failed or
 * skipped. Its primary key and idempotency keys are what keep a touch from going out twice.
 */
import type { Row } from './driver.ts';
import {
  insertMany,
  iso,
  isoOrNull,
  normalizeEmail,
  oneOf,
  placeholders,
  type SqlContext,
  str,
  strOrNull,
  time,
  Where,
} from './sql-shared.ts';
import {
  type ClaimOptions,
  type LedgerEntry,
  type LedgerFilter,
  type PlanEntry,
  type PlanResult,
  type SendState,
  type SentDetails,
  sendStates,
  type TimeInput,
} from './types.ts';

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
    covers: coversOf(row.covers),
    subjectVariant: strOrNull(row.subject_variant),
    subject: strOrNull(row.subject),
  };
}

function coversOf(value: unknown): string[] | null {
  if (value === null || value === undefined || value === '') return null;
  const parsed: unknown = JSON.parse(String(value));
  return Array.isArray(parsed) ? parsed.map(String) : null;
}

const byPlan = (a: LedgerEntry, b: LedgerEntry) =>
  a.plannedAt < b.plannedAt ? -1 : a.plannedAt > b.plannedAt ? 1 : a.partnerId < b.partnerId ? -1 : 1;

/**
 * Make the ledger hold the plan. A missing row is inserted. A row that never reached a provider
 * (`planned` or `skipped`, zero attempts) is refreshed to the new entry: the plan is recomputed on
 * every run, so a pause that ended becomes `planned` again and a new suppression becomes
 * `skipped`. Any other row (`sent`, `sending`, `failed`, or attempted before) is kept exactly as
 * it is, idempotency key included: an earlier attempt may have reached the provider, and only the
 * same key lets it deduplicate a resend. A sent row is never re-planned.
 */
export async function planSends(ctx: SqlContext, entries: PlanEntry[]): Promise<PlanResult> {
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
  return ctx.db.transaction(async (tx) => {
    // Sorted, so two planners of overlapping touches take their locks in one order.
    for (const [groupKey, group] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
      const first = group[0] as PlanEntry;
      // Postgres: planners of one touch take turns. ON CONFLICT names one unique index; two
      // planners inserting the same new row at once could instead trip the idempotency key's
      // index, an error rather than "a concurrent planner's row wins". With the lock, the second
      // reads the first's committed rows below and inserts none of them. (SQLite's write lock
      // already serialises transactions.)
      if (ctx.engine === 'postgres')
        await tx.query('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [
          `aircover ledger ${groupKey}`,
        ]);
      const existing = new Map(
        (
          await tx.query(
            `SELECT partner_id, state, attempts, recipient, idempotency_key, content_version, skip_reason, covers
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
        const covers = entry.covers ? JSON.stringify(entry.covers) : null;
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
            covers,
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
          (row.skip_reason ?? null) === skipReason &&
          (row.covers ?? null) === covers;
        if (!refreshable || same) {
          result.kept++;
          continue;
        }
        const changed = await tx.run(
          `UPDATE send_ledger SET state = ?, recipient = ?, idempotency_key = ?, content_version = ?,
             skip_reason = ?, covers = ?, updated_at = ?
           WHERE campaign = ? AND touch = ? AND partner_id = ? AND state IN ('planned', 'skipped') AND attempts = 0`,
          [
            state,
            recipient,
            entry.idempotencyKey,
            entry.contentVersion ?? null,
            skipReason,
            covers,
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
        ctx.engine,
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
          'covers',
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
export async function claimSends(
  ctx: SqlContext,
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
      ORDER BY planned_at, partner_id LIMIT ?${ctx.pg ? ' FOR UPDATE SKIP LOCKED' : ''}
    )
    UPDATE send_ledger SET state = 'sending', attempts = attempts + 1, claimed_at = ?, updated_at = ?,
      request_key = NULL
    WHERE (campaign, touch, partner_id) IN (SELECT campaign, touch, partner_id FROM picked) AND ${eligible}
    RETURNING *`;
  const rows = await ctx.db.transaction((tx) =>
    tx.query(sql, [campaign, touch, maxAttempts, limit, now, now, campaign, touch, maxAttempts]),
  );
  return rows.map(toLedger).sort(byPlan);
}

/**
 * Just before a provider call: record its key on the claimed rows it carries, so a rerun after a
 * kill re-dispatches exactly that group under exactly that key. Only `sending` rows change.
 */
export async function markDispatched(
  ctx: SqlContext,
  idempotencyKeys: string[],
  requestKey: string,
): Promise<number> {
  if (idempotencyKeys.length === 0) return 0;
  const now = new Date().toISOString();
  return ctx.db.transaction(async (tx) => {
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
export async function markSent(
  ctx: SqlContext,
  idempotencyKey: string,
  providerMessageId: string | null,
  sent: SentDetails = {},
): Promise<boolean> {
  const now = new Date().toISOString();
  const changed = await ctx.db.run(
    `UPDATE send_ledger SET state = 'sent', provider_message_id = ?, sent_at = ?, updated_at = ?,
       last_error = NULL, retryable = FALSE, subject_variant = ?, subject = ?
     WHERE idempotency_key = ? AND state <> 'sent'`,
    [
      providerMessageId,
      now,
      now,
      sent.subjectVariant ?? null,
      sent.subject == null ? null : sent.subject.slice(0, 998),
      idempotencyKey,
    ],
  );
  return changed > 0;
}

/**
 * An attempt failed. `retryable` rows are claimed again by `claimSends`; others stay failed until a
 * person looks. A `sent` or `skipped` row is never turned into a failure.
 */
export async function markFailed(
  ctx: SqlContext,
  idempotencyKey: string,
  error: string,
  retryable: boolean,
): Promise<boolean> {
  const changed = await ctx.db.run(
    `UPDATE send_ledger SET state = 'failed', last_error = ?, retryable = ?, updated_at = ?
     WHERE idempotency_key = ? AND state IN ('planned', 'sending', 'failed')`,
    [error.slice(0, 4000), retryable, new Date().toISOString(), idempotencyKey],
  );
  return changed > 0;
}

/** Decided not to send (suppressed, declined, paused, already done what the touch asks). Never for a sent row. */
export async function markSkipped(ctx: SqlContext, idempotencyKey: string, reason: string): Promise<boolean> {
  const changed = await ctx.db.run(
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
export async function releaseStuckSends(
  ctx: SqlContext,
  options: {
    campaign: string;
    touch?: string;
    claimedBefore?: TimeInput;
  },
): Promise<LedgerEntry[]> {
  const where = new Where()
    .add('campaign = ?', options.campaign)
    .add("state = 'sending'")
    .eq('touch', options.touch);
  if (options.claimedBefore !== undefined) where.add('claimed_at < ?', time(options.claimedBefore));
  const rows = await ctx.db.transaction((tx) =>
    tx.query(`UPDATE send_ledger SET state = 'planned', updated_at = ? ${where.sql} RETURNING *`, [
      new Date().toISOString(),
      ...where.params,
    ]),
  );
  return rows.map(toLedger).sort(byPlan);
}

/**
 * How a failed row whose outcome is unknown starts its `last_error`: it was in flight and may
 * have been delivered, so nothing requeues it automatically (a person checks the provider log).
 */
export const UNKNOWN_OUTCOME = 'outcome unknown';

/**
 * `aircover send --retry-failed`: failed rows of a campaign (one touch, or all) go back to
 * `planned` with no attempts, exactly like rows that never reached the provider, so the next plan
 * re-checks them (suppressed, declined, paused) and refreshes their idempotency key to the
 * current content, and the next claim sends them. They were refused, so none was delivered.
 * Their last error stays for the listing. Rows whose outcome is unknown are left failed and
 * returned apart. With `dryRun`, nothing changes and the rows that would move are returned.
 */
export async function requeueFailedSends(
  ctx: SqlContext,
  options: { campaign: string; touch?: string | undefined; dryRun?: boolean | undefined },
): Promise<{ requeued: LedgerEntry[]; unknown: LedgerEntry[] }> {
  const where = new Where()
    .add('campaign = ?', options.campaign)
    .add("state = 'failed'")
    .eq('touch', options.touch);
  const known = `(last_error IS NULL OR last_error NOT LIKE '${UNKNOWN_OUTCOME}%')`;
  return ctx.db.transaction(async (tx) => {
    const failed = (await tx.query(`SELECT * FROM send_ledger ${where.sql}`, where.params)).map(toLedger);
    const unknown = failed.filter((r) => r.lastError?.startsWith(UNKNOWN_OUTCOME)).sort(byPlan);
    if (options.dryRun) {
      const requeued = failed.filter((r) => !r.lastError?.startsWith(UNKNOWN_OUTCOME)).sort(byPlan);
      return { requeued, unknown };
    }
    const rows = await tx.query(
      `UPDATE send_ledger SET state = 'planned', attempts = 0, retryable = FALSE, request_key = NULL,
         claimed_at = NULL, updated_at = ?
       ${where.sql} AND ${known} RETURNING *`,
      [new Date().toISOString(), ...where.params],
    );
    return { requeued: rows.map(toLedger).sort(byPlan), unknown };
  });
}

export async function getSend(
  ctx: SqlContext,
  campaign: string,
  touch: string,
  partnerId: string,
): Promise<LedgerEntry | null> {
  const rows = await ctx.db.query(
    'SELECT * FROM send_ledger WHERE campaign = ? AND touch = ? AND partner_id = ?',
    [campaign, touch, partnerId],
  );
  return rows[0] ? toLedger(rows[0]) : null;
}

export async function listLedger(ctx: SqlContext, filter: LedgerFilter): Promise<LedgerEntry[]> {
  const where = new Where()
    .add('campaign = ?', filter.campaign)
    .eq('touch', filter.touch)
    .eq('partner_id', filter.partnerId);
  // covers is a JSON list of ids as text; the LIKE narrows, the exact check below decides.
  if (filter.covering !== undefined)
    where
      .add('covers IS NOT NULL')
      .add(
        "covers LIKE ? ESCAPE '\\'",
        `%${JSON.stringify(filter.covering).replace(/[\\%_]/g, (c) => `\\${c}`)}%`,
      );
  if (filter.state !== undefined) {
    const states = Array.isArray(filter.state) ? filter.state : [filter.state];
    if (states.length === 0) return [];
    for (const s of states) oneOf(sendStates, s, 'send state');
    where.in('state', states);
  }
  const rows = await ctx.db.query(
    `SELECT * FROM send_ledger ${where.sql} ORDER BY touch, planned_at, partner_id`,
    where.params,
  );
  const entries = rows.map(toLedger);
  const covering = filter.covering;
  return covering === undefined ? entries : entries.filter((e) => e.covers?.includes(covering));
}

export async function listSentTouches(
  ctx: SqlContext,
  campaign: string,
): Promise<{ partnerId: string; touch: string; sentAt: string }[]> {
  const rows = await ctx.db.values(
    // By touch, as listLedger: a partner's touches sent at the same instant keep one order.
    "SELECT partner_id, touch, sent_at FROM send_ledger WHERE campaign = ? AND state = 'sent' AND sent_at IS NOT NULL ORDER BY touch",
    [campaign],
  );
  return rows.map((r) => ({ partnerId: str(r[0]), touch: str(r[1]), sentAt: iso(r[2]) }));
}

/** Rows per state, every state present (zero when none): the plan summary and progress. */
export async function countLedger(
  ctx: SqlContext,
  campaign: string,
  touch?: string,
): Promise<Record<SendState, number>> {
  const rows =
    touch === undefined
      ? await ctx.db.query('SELECT state, count(*) AS n FROM send_ledger WHERE campaign = ? GROUP BY state', [
          campaign,
        ])
      : await ctx.db.query(
          'SELECT state, count(*) AS n FROM send_ledger WHERE campaign = ? AND touch = ? GROUP BY state',
          [campaign, touch],
        );
  const counts = Object.fromEntries(sendStates.map((s) => [s, 0])) as Record<SendState, number>;
  for (const row of rows) counts[str(row.state) as SendState] = Number(row.n);
  return counts;
}
