/**
 * Incremental event summaries, for `summarizeEvents` questions the store's engagement summary does
 * not answer (other metrics, other groupings). The queue and the dashboard no longer come here: they
 * read `store.engagementSummary()`, kept as events are written, which is fast from the first call.
 *
 * Aggregating half a million events takes seconds on two cores, so a process that asks again keeps
 * each campaign's groups and adds only the events stored since: counts and totals add, first/last
 * and maxima combine. Events are append-only and ids only grow.
 *
 * - SQLite has one writer at a time, so ids become visible in order: everything up to the highest
 *   id seen is final.
 * - Postgres assigns ids before commit, so a slow transaction could still land below the highest
 *   id seen. There, only ids seen at least a minute ago are folded in; newer ones are summed
 *   afresh on every call.
 * - A full recount every 10 minutes (and whenever the highest id goes down) picks up deletions
 *   (`aircover forget`).
 */
import type { EventSummary, EventSummaryOptions, Store } from '../store/types.ts';

interface Entry {
  through: number;
  groups: Map<string, EventSummary>;
  snapshots: { id: number; at: number }[];
  createdAt: number;
}

const caches = new WeakMap<Store, Map<string, Entry>>();
const FULL_RECOUNT_MS = 10 * 60_000;
const PG_SETTLE_MS = 60_000;

const keyOf = (g: EventSummary) =>
  `${g.campaign}\u0000${g.partnerId ?? g.day ?? ''}\u0000${g.type}\u0000${g.verdict}`;

function merge(into: Map<string, EventSummary>, groups: EventSummary[], copy: boolean): void {
  for (const g of groups) {
    const key = keyOf(g);
    const had = into.get(key);
    if (!had) {
      into.set(key, copy ? { ...g, sum: { ...g.sum }, max: { ...g.max } } : g);
      continue;
    }
    const next = copy ? { ...had, sum: { ...had.sum }, max: { ...had.max } } : had;
    next.count += g.count;
    if (g.first < next.first) next.first = g.first;
    if (g.last > next.last) next.last = g.last;
    for (const [name, value] of Object.entries(g.sum)) next.sum[name] = (next.sum[name] ?? 0) + value;
    for (const [name, value] of Object.entries(g.max)) next.max[name] = Math.max(next.max[name] ?? 0, value);
    into.set(key, next);
  }
}

/** `store.summarizeEvents(options)`, answered from a running aggregate. */
export async function summarizeIncremental(
  store: Store,
  options: EventSummaryOptions,
  now: number = Date.now(),
): Promise<EventSummary[]> {
  let perStore = caches.get(store);
  if (!perStore) {
    perStore = new Map();
    caches.set(store, perStore);
  }
  const key = JSON.stringify(options);
  const last = await store.lastEventId();
  let entry = perStore.get(key);
  if (!entry || last < entry.through || now - entry.createdAt > FULL_RECOUNT_MS) {
    entry = { through: 0, groups: new Map(), snapshots: [], createdAt: now };
    perStore.set(key, entry);
  }
  let boundary = last;
  if (store.engine !== 'sqlite') {
    entry.snapshots.push({ id: last, at: now });
    const settled = entry.snapshots.filter((s) => s.at <= now - PG_SETTLE_MS);
    boundary = Math.max(entry.through, ...settled.map((s) => s.id));
    entry.snapshots = entry.snapshots.filter((s) => s.at > now - PG_SETTLE_MS).slice(-100);
  }
  if (boundary > entry.through) {
    merge(
      entry.groups,
      await store.summarizeEvents({ ...options, afterId: entry.through, throughId: boundary }),
      false,
    );
    entry.through = boundary;
  }
  if (last > entry.through) {
    const fresh = new Map(entry.groups);
    merge(fresh, await store.summarizeEvents({ ...options, afterId: entry.through }), true);
    return [...fresh.values()];
  }
  return [...entry.groups.values()];
}

/** Forget every running aggregate of this store (tests; after deleting events). */
export function clearSummaries(store: Store): void {
  caches.delete(store);
}
