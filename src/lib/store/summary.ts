/**
 * The engagement summary (migration 3): per (campaign, partner) and per (campaign, UTC day), what
 * the follow-up queue and the dashboard read instead of aggregating every event. `appendEvents`
 * (and a webhook's events) keep it in the events' own transaction: the batch is folded here in
 * memory, then ONE upsert per partner and per day touched, whatever the number of events.
 *
 * The columns are exactly what the follow-up model needs (src/lib/followup/signals.ts), and they
 * total the same things `summarizeEvents` does: numbers are JSON numbers only, times are ISO
 * strings compared as such, and only human events feed the engagement columns.
 */
import type { EngagementDay, EngagementSummary, Engine } from './types.ts';

/**
 * The event types the summary knows, as the collector and the webhook write them (and as
 * migration 3 backfilled them). tests/store checks them against the follow-up model's list.
 */
export const summaryTypes = {
  visit: 'page_view',
  visible: 'visible_time',
  progress: 'read_progress',
  click: 'cta_click',
  download: 'download',
  delivered: 'email.delivered',
  opened: 'email.opened',
  bounced: 'email.bounced',
  replied: 'email.received',
} as const;

const mailTypes = new Set<string>([
  summaryTypes.delivered,
  summaryTypes.opened,
  summaryTypes.bounced,
  summaryTypes.replied,
]);

/** Column order of the upsert rows; the names are the table's. */
export const summaryColumns = [
  'campaign',
  'partner_id',
  'human_events',
  'nonhuman_events',
  'nonhuman_mail_events',
  'delivered_at',
  'opened_at',
  'bounced_at',
  'replied_at',
  'visits',
  'visible_ms',
  'sections',
  'max_index',
  'max_of',
  'clicks',
  'downloads',
  'first_at',
  'last_at',
  'last_visit_at',
  'last_reading_at',
  'last_progress_at',
  'last_click_at',
  'last_download_at',
] as const;

type Combine = 'add' | 'min' | 'max';
const combine: Record<(typeof summaryColumns)[number], Combine | null> = {
  campaign: null,
  partner_id: null,
  human_events: 'add',
  nonhuman_events: 'add',
  nonhuman_mail_events: 'add',
  delivered_at: 'min',
  opened_at: 'min',
  bounced_at: 'min',
  replied_at: 'min',
  visits: 'add',
  visible_ms: 'add',
  sections: 'add',
  max_index: 'max',
  max_of: 'max',
  clicks: 'add',
  downloads: 'add',
  first_at: 'min',
  last_at: 'max',
  last_visit_at: 'max',
  last_reading_at: 'max',
  last_progress_at: 'max',
  last_click_at: 'max',
  last_download_at: 'max',
};

export const dailyColumns = ['campaign', 'day', 'visits', 'visible_ms'] as const;

/** `ON CONFLICT … DO UPDATE` that adds counts and keeps the earlier/later times (NULL = none yet). */
function upsertSuffix(engine: Engine, table: string, key: string[], columns: readonly string[]): string {
  const pick = (fn: 'min' | 'max', column: string) => {
    const a = `${table}.${column}`;
    const b = `excluded.${column}`;
    // Postgres LEAST/GREATEST skip NULLs; SQLite's min()/max() of several arguments return NULL
    // when any is NULL, so fall back to whichever is set.
    return engine === 'postgres'
      ? `${fn === 'min' ? 'LEAST' : 'GREATEST'}(${a}, ${b})`
      : `coalesce(${fn}(${a}, ${b}), ${a}, ${b})`;
  };
  const sets = columns
    .filter((c) => !key.includes(c))
    .map((c) => {
      const how = (combine as Record<string, Combine | null>)[c] ?? 'add';
      return `${c} = ${how === 'add' ? `${table}.${c} + excluded.${c}` : pick(how, c)}`;
    });
  return `ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${sets.join(', ')}`;
}

const engines: Engine[] = ['sqlite', 'postgres'];
const summaryUpserts = Object.fromEntries(
  engines.map((e) => [e, upsertSuffix(e, 'engagement_summary', ['campaign', 'partner_id'], summaryColumns)]),
) as Record<Engine, string>;
const dailyUpserts = Object.fromEntries(
  engines.map((e) => [e, upsertSuffix(e, 'engagement_daily', ['campaign', 'day'], dailyColumns)]),
) as Record<Engine, string>;
export const summaryUpsert = (engine: Engine): string => summaryUpserts[engine];
export const dailyUpsert = (engine: Engine): string => dailyUpserts[engine];

/** One event as the summary sees it: values already validated and normalised by the store. */
export interface SummaryEvent {
  campaign: string;
  partnerId: string | null;
  type: string;
  verdict: string;
  /** Canonical ISO string. */
  occurredAt: string;
  metadata: unknown;
}

/** A JSON number under `name`, as `summarizeEvents` totals it (strings, objects and NaN are none). */
function num(metadata: unknown, name: string): number | null {
  if (metadata === null || typeof metadata !== 'object') return null;
  const value = (metadata as Record<string, unknown>)[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

const earlier = (a: string | null, b: string) => (a !== null && a <= b ? a : b);
const later = (a: string | null, b: string) => (a !== null && a >= b ? a : b);

/** Where each column sits in an upsert row. */
const c = Object.fromEntries(summaryColumns.map((name, i) => [name, i])) as Record<
  (typeof summaryColumns)[number],
  number
>;
const lastOf: Record<string, number> = {
  [summaryTypes.visit]: c.last_visit_at,
  [summaryTypes.visible]: c.last_reading_at,
  [summaryTypes.progress]: c.last_progress_at,
  [summaryTypes.click]: c.last_click_at,
  [summaryTypes.download]: c.last_download_at,
};
const firstOf: Record<string, number> = {
  [summaryTypes.delivered]: c.delivered_at,
  [summaryTypes.opened]: c.opened_at,
  [summaryTypes.bounced]: c.bounced_at,
};

/** A batch's events folded into one row per (campaign, partner) and per (campaign, day). */
export class SummaryBatch {
  readonly #partners = new Map<string, unknown[]>();
  readonly #days = new Map<string, unknown[]>();

  add(e: SummaryEvent): void {
    const partnerId = e.partnerId ?? '';
    const key = `${e.campaign}\u0000${partnerId}`;
    let row = this.#partners.get(key);
    if (!row) {
      row = summaryColumns.map((name) => (combine[name] === 'add' ? 0 : null));
      row[c.campaign] = e.campaign;
      row[c.partner_id] = partnerId;
      this.#partners.set(key, row);
    }
    const r = row;
    const add = (i: number, n = 1) => {
      r[i] = (r[i] as number) + n;
    };
    const at = e.occurredAt;
    const human = e.verdict === 'human';
    if (human) add(c.human_events);
    else {
      add(c.nonhuman_events);
      if (mailTypes.has(e.type)) add(c.nonhuman_mail_events);
    }
    const first = firstOf[e.type];
    if (first !== undefined) {
      r[first] = earlier(r[first] as string | null, at);
      return;
    }
    if (e.type === summaryTypes.replied) {
      if (human) r[c.replied_at] = earlier(r[c.replied_at] as string | null, at);
      return;
    }
    const last = lastOf[e.type];
    if (!human || last === undefined) return;
    switch (e.type) {
      case summaryTypes.visit:
        add(c.visits);
        this.#day(e, 1, 0);
        break;
      case summaryTypes.visible: {
        const ms = num(e.metadata, 'ms');
        if (ms !== null) add(c.visible_ms, ms);
        this.#day(e, 0, ms ?? 0);
        break;
      }
      case summaryTypes.progress: {
        add(c.sections);
        for (const [name, i] of [
          ['index', c.max_index],
          ['of', c.max_of],
        ] as const) {
          const value = num(e.metadata, name);
          if (value !== null) r[i] = r[i] === null ? value : Math.max(r[i] as number, value);
        }
        break;
      }
      case summaryTypes.click:
        add(c.clicks);
        break;
      default:
        add(c.downloads);
    }
    r[c.first_at] = earlier(r[c.first_at] as string | null, at);
    r[c.last_at] = later(r[c.last_at] as string | null, at);
    r[last] = later(r[last] as string | null, at);
  }

  #day(e: SummaryEvent, visits: number, ms: number): void {
    const day = e.occurredAt.slice(0, 10);
    const key = `${e.campaign}\u0000${day}`;
    const row = this.#days.get(key);
    if (!row) this.#days.set(key, [e.campaign, day, visits, ms]);
    else {
      row[2] = (row[2] as number) + visits;
      row[3] = (row[3] as number) + ms;
    }
  }

  /** Upsert rows, in key order: concurrent Postgres writers then lock rows in the same order. */
  partnerRows(): unknown[][] {
    return [...this.#partners.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
  }

  dayRows(): unknown[][] {
    return [...this.#days.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
  }
}

// ---------------------------------------------------------------------------------------------
// Reading: rows as arrays (`Queryable.values`), columns in `summaryColumns` / `dailyColumns` order.

const iso = (v: unknown): string | null =>
  v === null || v === undefined ? null : v instanceof Date ? v.toISOString() : String(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export function toSummary(r: unknown[]): EngagementSummary {
  const partnerId = String(r[c.partner_id]);
  return {
    campaign: String(r[c.campaign]),
    partnerId: partnerId === '' ? null : partnerId,
    humanEvents: Number(r[c.human_events]),
    nonHumanEvents: Number(r[c.nonhuman_events]),
    nonHumanMailEvents: Number(r[c.nonhuman_mail_events]),
    deliveredAt: iso(r[c.delivered_at]),
    openedAt: iso(r[c.opened_at]),
    bouncedAt: iso(r[c.bounced_at]),
    repliedAt: iso(r[c.replied_at]),
    visits: Number(r[c.visits]),
    visibleMs: Number(r[c.visible_ms]),
    sections: Number(r[c.sections]),
    maxIndex: numOrNull(r[c.max_index]),
    maxOf: numOrNull(r[c.max_of]),
    clicks: Number(r[c.clicks]),
    downloads: Number(r[c.downloads]),
    firstAt: iso(r[c.first_at]),
    lastAt: iso(r[c.last_at]),
    lastVisitAt: iso(r[c.last_visit_at]),
    lastReadingAt: iso(r[c.last_reading_at]),
    lastProgressAt: iso(r[c.last_progress_at]),
    lastClickAt: iso(r[c.last_click_at]),
    lastDownloadAt: iso(r[c.last_download_at]),
  };
}

export function toDay(r: unknown[]): EngagementDay {
  return {
    campaign: String(r[0]),
    day: String(r[1]),
    visits: Number(r[2]),
    visibleMs: Number(r[3]),
  };
}
