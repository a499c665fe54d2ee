/**
 * Engagement events (beacons, forms, webhooks) and what is read from them: lists, counts, grouped
 * summaries, and the engagement summary tables appendEvents keeps in the events' transaction.
 */
import type { Queryable, Row } from './driver.ts';
import {
  chunks,
  insertMany,
  iso,
  json,
  jsonText,
  oneOf,
  placeholders,
  type SqlContext,
  str,
  strOrNull,
  time,
  Where,
} from './sql-shared.ts';
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
  type EngagementDay,
  type EngagementSummary,
  type EventCountKey,
  type EventFilter,
  type EventInput,
  type EventListOptions,
  type EventSource,
  type EventSummary,
  type EventSummaryOptions,
  eventSources,
  maxEventMetadataBytes,
  type StoredEvent,
  type Verdict,
  verdicts,
} from './types.ts';

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

export const eventColumns = [
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

export function eventValues(event: EventInput, now: string): unknown[] {
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

/**
 * Store a batch of events in ONE transaction (the collector's group commit): all of them or, on
 * error, none. Events whose `eventKey` is already stored are counted as duplicates, not errors.
 */
export async function appendEvents(ctx: SqlContext, events: EventInput[]): Promise<AppendResult> {
  if (events.length === 0) return { inserted: 0, duplicates: 0 };
  const now = new Date().toISOString();
  const values = events.map((e) => eventValues(e, now));
  const inserted = await ctx.db.transaction((tx) => insertEvents(ctx, tx, events, values));
  return { inserted, duplicates: events.length - inserted };
}

/**
 * The events, then the engagement summary of those actually inserted (a duplicate event key adds
 * nothing): one upsert per (campaign, partner) and per (campaign, day) in the batch, in the
 * caller's transaction, so the summary commits or rolls back with its events.
 */
export async function insertEvents(
  ctx: SqlContext,
  tx: Queryable,
  events: EventInput[],
  values: unknown[][],
): Promise<number> {
  const inserted = await insertNewEvents(ctx, tx, values);
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
    ctx.engine,
    'engagement_summary',
    [...summaryColumns],
    partners,
    summaryUpsert(ctx.engine),
  );
  const days = summary.dayRows();
  if (days.length) {
    await insertMany(tx, ctx.engine, 'engagement_daily', [...dailyColumns], days, dailyUpsert(ctx.engine));
  }
  return count;
}

/** Inserts the rows; which of them were new (false: their event key was already stored). */
async function insertNewEvents(ctx: SqlContext, tx: Queryable, values: unknown[][]): Promise<boolean[]> {
  const conflict = 'ON CONFLICT (event_key) WHERE event_key IS NOT NULL DO NOTHING';
  const tuple = `(${placeholders(eventColumns.length)})`;
  const keyAt = eventColumns.indexOf('event_key');
  const inserted: boolean[] = [];
  for (const chunk of chunks(values, eventColumns.length, ctx.engine)) {
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

function eventWhere(filter: EventFilter): Where {
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
export async function listEvents(ctx: SqlContext, options: EventListOptions = {}): Promise<StoredEvent[]> {
  const where = eventWhere(options);
  if (options.afterId !== undefined) where.add('id > ?', options.afterId);
  const params = [...where.params];
  let query = `SELECT * FROM events ${where.sql} ORDER BY ${options.afterId !== undefined ? 'id' : 'occurred_at, id'}`;
  if (options.limit !== undefined) {
    query += ' LIMIT ?';
    params.push(options.limit);
  }
  return (await ctx.db.query(query, params)).map(toEvent);
}

export async function countEvents(ctx: SqlContext, filter: EventFilter = {}): Promise<number> {
  const where = eventWhere(filter);
  const rows = await ctx.db.query(`SELECT count(*) AS n FROM events ${where.sql}`, where.params);
  return Number(rows[0]?.n ?? 0);
}

/**
 * Counts grouped by type, partner, verdict or touch (events with no partner/touch are left out of
 * those groupings). Human only unless `includeNonHuman`: for a verdict breakdown pass it.
 */
export async function countEventsBy(
  ctx: SqlContext,
  key: EventCountKey,
  filter: EventFilter = {},
): Promise<Record<string, number>> {
  const column = { type: 'type', partner: 'partner_id', verdict: 'verdict', touch: 'touch' }[key];
  if (!column) throw new TypeError(`invalid count key: ${key}`);
  const where = eventWhere(filter).add(`${column} IS NOT NULL`);
  const rows = await ctx.db.query(
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
export async function summarizeEvents(
  ctx: SqlContext,
  options: EventSummaryOptions = {},
): Promise<EventSummary[]> {
  const metrics = options.metrics ?? [];
  for (const name of metrics) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new TypeError(`invalid metric name: ${name}`);
  }
  const byDay = options.by === 'day';
  const group = byDay
    ? ctx.pg
      ? "to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
      : 'substr(occurred_at, 1, 10)'
    : 'partner_id';
  const value = ctx.pg
    ? "(CASE WHEN jsonb_typeof(metadata -> ?) = 'number' THEN (metadata ->> ?)::float8 END)"
    : "(CASE WHEN json_type(metadata, ?) IN ('integer', 'real') THEN json_extract(metadata, ?) END)";
  const selectParams: unknown[] = [];
  const columns = metrics.map((name, i) => {
    // Both engines total numbers only: a string or object under the name counts as nothing.
    const args = ctx.pg ? [name, name] : [`$.${name}`, `$.${name}`];
    selectParams.push(...args, ...args);
    return `sum(${value}) AS s${i}, max(${value}) AS m${i}`;
  });
  const where = eventWhere(options);
  if (options.afterId !== undefined) where.add('id > ?', options.afterId);
  if (options.throughId !== undefined) where.add('id <= ?', options.throughId);
  const rows = await ctx.db.query(
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

export async function engagementSummary(
  ctx: SqlContext,
  campaign?: string,
  partnerId?: string,
): Promise<EngagementSummary[]> {
  const where = new Where().eq('campaign', campaign).eq('partner_id', partnerId);
  const rows = await ctx.db.values(
    `SELECT ${summaryColumns.join(', ')} FROM engagement_summary ${where.sql} ORDER BY campaign, partner_id`,
    where.params,
  );
  return rows.map(toSummary);
}

export async function engagementByDay(ctx: SqlContext, campaign?: string): Promise<EngagementDay[]> {
  const where = new Where().eq('campaign', campaign);
  const rows = await ctx.db.values(
    `SELECT ${dailyColumns.join(', ')} FROM engagement_daily ${where.sql} ORDER BY campaign, day`,
    where.params,
  );
  return rows.map(toDay);
}

/** The largest event id stored (0 when none): the high-water mark for incremental summaries. */
export async function lastEventId(ctx: SqlContext): Promise<number> {
  const rows = await ctx.db.query('SELECT max(id) AS n FROM events');
  return Number(rows[0]?.n ?? 0);
}
