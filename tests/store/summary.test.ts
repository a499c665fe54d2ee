/**
 * The engagement summary (migration 3) against a full recount of the events, on every engine in
 * engines.ts. The recount is the independent path: `summarizeEvents` groups over every event, folded
 * here the way the follow-up queue used to fold them. The summary must equal it after batches of
 * every size, duplicate event keys, webhook effects (and their replays), concurrent writers on
 * several connections and in several processes, and after the migration backfills it from events
 * that were stored before it.
 */
import { execFile } from 'node:child_process';
import { DatabaseSync } from 'node:sqlite';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { emptySignals, engagement, eventTypes } from '../../src/lib/followup/signals.ts';
import {
  type EngagementDay,
  type EngagementSummary,
  type EventInput,
  type EventSummary,
  type Store,
  sqlitePathFor,
  type Verdict,
} from '../../src/lib/store/index.ts';
import { summaryTypes } from '../../src/lib/store/summary.ts';
import { engines, type TestDatabase } from './engines.ts';

const run = promisify(execFile);
const writer = new URL('./fixtures/append-writer.ts', import.meta.url).pathname;

const mailTypes: string[] = ['email.delivered', 'email.opened', 'email.bounced', 'email.received'];
const engagementTypes: string[] = ['page_view', 'visible_time', 'read_progress', 'cta_click', 'download'];
const types = [...engagementTypes, ...mailTypes, 'page_fetch', 'form.call', 'email.clicked'];
const verdictsByWeight: Verdict[] = ['human', 'human', 'human', 'suspect', 'bot'];

/** A deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function events(count: number, seed: number): EventInput[] {
  const r = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(r() * list.length)] as T;
  const base = Date.UTC(2026, 10, 1);
  return Array.from({ length: count }, (): EventInput => {
    const type = pick(types);
    const metadata: Record<string, unknown> = {};
    // Numbers, halves (exact in binary, so totals compare exactly), strings and nothing.
    if (type === 'visible_time') metadata.ms = pick([1000, 2500.5, 8000, '9000', null, -500, undefined]);
    if (type === 'read_progress') {
      metadata.index = pick([0, 1, 3, 7, 'x', -1]);
      metadata.of = pick([8, 8, 4, 0, '8']);
    }
    const partner = r() < 0.05 ? null : `p${Math.floor(r() * 25)}`;
    return {
      campaign: r() < 0.8 ? 'c1' : 'c2',
      partnerId: partner,
      touch: 'invite',
      type,
      source: mailTypes.includes(type) ? 'webhook' : 'page',
      // Spread over four days, milliseconds included.
      occurredAt: new Date(base + Math.floor(r() * 4 * 86_400_000)),
      verdict: pick(verdictsByWeight),
      metadata,
      // A third keyed, from a small pool: duplicates within and across batches.
      eventKey: r() < 0.33 ? `k${Math.floor(r() * 150)}` : null,
    };
  });
}

const earlier = (a: string | null, b: string) => (a !== null && a <= b ? a : b);
const later = (a: string | null, b: string) => (a !== null && a >= b ? a : b);

/** The summary rows as a full recount over every event tells them (`summarizeEvents`). */
async function recount(store: Store): Promise<EngagementSummary[]> {
  const groups = await store.summarizeEvents({ includeNonHuman: true, metrics: ['ms', 'index', 'of'] });
  const rows = new Map<string, EngagementSummary>();
  for (const g of groups) {
    const key = `${g.campaign}/${g.partnerId ?? ''}`;
    let r = rows.get(key);
    if (!r) {
      r = {
        campaign: g.campaign,
        partnerId: g.partnerId,
        humanEvents: 0,
        nonHumanEvents: 0,
        nonHumanMailEvents: 0,
        deliveredAt: null,
        openedAt: null,
        bouncedAt: null,
        repliedAt: null,
        visits: 0,
        visibleMs: 0,
        sections: 0,
        maxIndex: null,
        maxOf: null,
        clicks: 0,
        downloads: 0,
        firstAt: null,
        lastAt: null,
        lastVisitAt: null,
        lastReadingAt: null,
        lastProgressAt: null,
        lastClickAt: null,
        lastDownloadAt: null,
      };
      rows.set(key, r);
    }
    const human = g.verdict === 'human';
    if (human) r.humanEvents += g.count;
    else {
      r.nonHumanEvents += g.count;
      if (mailTypes.includes(g.type)) r.nonHumanMailEvents += g.count;
    }
    if (g.type === 'email.delivered') r.deliveredAt = earlier(r.deliveredAt, g.first);
    else if (g.type === 'email.opened') r.openedAt = earlier(r.openedAt, g.first);
    else if (g.type === 'email.bounced') r.bouncedAt = earlier(r.bouncedAt, g.first);
    else if (g.type === 'email.received') {
      if (human) r.repliedAt = earlier(r.repliedAt, g.first);
    } else if (human && engagementTypes.includes(g.type)) {
      r.firstAt = earlier(r.firstAt, g.first);
      r.lastAt = later(r.lastAt, g.last);
      if (g.type === 'page_view') {
        r.visits += g.count;
        r.lastVisitAt = g.last;
      } else if (g.type === 'visible_time') {
        r.visibleMs += g.sum.ms ?? 0;
        r.lastReadingAt = g.last;
      } else if (g.type === 'read_progress') {
        r.sections += g.count;
        r.maxIndex = g.max.index ?? 0;
        r.maxOf = g.max.of ?? 0;
        r.lastProgressAt = g.last;
      } else if (g.type === 'cta_click') {
        r.clicks += g.count;
        r.lastClickAt = g.last;
      } else {
        r.downloads += g.count;
        r.lastDownloadAt = g.last;
      }
    }
  }
  return sorted([...rows.values()]);
}

async function recountDays(store: Store): Promise<EngagementDay[]> {
  const groups = await store.summarizeEvents({
    by: 'day',
    types: ['page_view', 'visible_time'],
    metrics: ['ms'],
  });
  const days = new Map<string, EngagementDay>();
  for (const g of groups) {
    const key = `${g.campaign}/${g.day}`;
    const d = days.get(key) ?? { campaign: g.campaign, day: String(g.day), visits: 0, visibleMs: 0 };
    if (g.type === 'page_view') d.visits += g.count;
    else d.visibleMs += g.sum.ms ?? 0;
    days.set(key, d);
  }
  return [...days.values()].sort((a, b) => `${a.campaign}/${a.day}`.localeCompare(`${b.campaign}/${b.day}`));
}

/**
 * Key order, and the maxima as the follow-up model reads them: `summarizeEvents` reports "no number"
 * as 0 where the summary keeps null, and the model takes both as 0.
 */
function sorted(rows: EngagementSummary[]): EngagementSummary[] {
  return rows
    .map((r) => ({ ...r, maxIndex: r.maxIndex ?? 0, maxOf: r.maxOf ?? 0 }))
    .sort((a, b) => `${a.campaign}/${a.partnerId ?? ''}`.localeCompare(`${b.campaign}/${b.partnerId ?? ''}`));
}

async function expectParity(store: Store): Promise<EngagementSummary[]> {
  const summary = sorted(await store.engagementSummary());
  expect(summary).toEqual(await recount(store));
  expect(await store.engagementByDay()).toEqual(await recountDays(store));
  // And through the follow-up model: the same human signals as from the groups, partner by partner.
  const groups = await store.summarizeEvents({ includeNonHuman: true, metrics: engagement.metrics });
  const byPartner = new Map<string, EventSummary[]>();
  for (const g of groups) {
    const key = `${g.campaign}/${g.partnerId ?? ''}`;
    byPartner.set(key, [...(byPartner.get(key) ?? []), g]);
  }
  for (const row of summary) {
    const fromGroups = emptySignals();
    for (const g of byPartner.get(`${row.campaign}/${row.partnerId ?? ''}`) ?? [])
      engagement.add(fromGroups, g);
    const fromSummary = emptySignals();
    engagement.addSummary(fromSummary, row);
    expect(fromSummary).toEqual(fromGroups);
  }
  return summary;
}

/** Run SQL straight on the test database, past the store (to rewind a migration). */
async function rawExec(db: TestDatabase, sql: string): Promise<void> {
  const url = db.options.url ?? '';
  if (/^postgres/i.test(url)) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`SET search_path TO ${db.options.schema}`);
      await client.query(sql);
    } finally {
      await client.end();
    }
    return;
  }
  const file = new DatabaseSync(sqlitePathFor(url));
  try {
    file.exec(sql);
  } finally {
    file.close();
  }
}

describe.each(engines)('engagement summary on $name', (engine) => {
  const open: Store[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  afterAll(() => engine.cleanup());

  async function fresh() {
    const db = await engine.fresh();
    const store = await db.open();
    open.push(store);
    const another = async () => {
      const s = await db.open();
      open.push(s);
      return s;
    };
    return { db, store, another };
  }

  it('knows the event types the follow-up model reads', () => {
    expect([summaryTypes.visit]).toEqual([...eventTypes.visit]);
    expect([summaryTypes.visible]).toEqual([...eventTypes.visible]);
    expect([summaryTypes.progress]).toEqual([...eventTypes.progress]);
    expect([summaryTypes.click]).toEqual([...eventTypes.click]);
    expect([summaryTypes.download]).toEqual([...eventTypes.download]);
    expect([summaryTypes.delivered]).toEqual([...eventTypes.delivered]);
    expect([summaryTypes.opened]).toEqual([...eventTypes.opened]);
    expect([summaryTypes.bounced]).toEqual([...eventTypes.bounced]);
    expect([summaryTypes.replied]).toEqual([...eventTypes.replied]);
  });

  it('equals a full recount after batches of every size, duplicates and webhooks', async () => {
    const { store } = await fresh();
    expect(await store.engagementSummary()).toEqual([]);
    const all = events(3000, 42);
    let at = 0;
    let inserted = 0;
    for (const size of [1, 1, 7, 50, 200, 500, 1, 1000, 1240]) {
      inserted += (await store.appendEvents(all.slice(at, at + size))).inserted;
      at += size;
    }
    // The same events again: every keyed one is a duplicate and adds nothing.
    inserted += (await store.appendEvents(all.slice(0, 300))).inserted;
    // Webhook effects carry events too; a replay of the same svix id adds nothing.
    const mail = events(60, 7).map((e, i) => ({
      ...e,
      type: i % 2 ? 'email.delivered' : 'email.bounced',
      source: 'webhook' as const,
      eventKey: `w:svix-1:${i}`,
    }));
    expect(await store.recordWebhookOnce('svix-1', { events: mail })).toBe(true);
    expect(await store.recordWebhookOnce('svix-1', { events: mail })).toBe(false);
    expect(inserted).toBeLessThan(3000);
    expect(await store.countEvents({ includeNonHuman: true })).toBe(inserted + 60);
    const summary = await expectParity(store);
    expect(summary.some((r) => r.partnerId === null)).toBe(true);
    expect(summary.filter((r) => r.campaign === 'c1').length).toBeGreaterThan(20);
    expect(await store.engagementSummary('c2')).toEqual(
      (await store.engagementSummary()).filter((r) => r.campaign === 'c2'),
    );
  });

  it('loses nothing to concurrent writers on several connections', async () => {
    const { store, another } = await fresh();
    const writers = [store, await another(), await another()];
    const all = events(1800, 9);
    await Promise.all(
      writers.map(async (s, w) => {
        // Every writer writes all the keyed events (racing on the same keys) and its third of the rest.
        for (let i = 0; i < all.length; i += 30) {
          const batch = all.slice(i, i + 30).filter((e, j) => e.eventKey || (i + j) % 3 === w);
          await s.appendEvents(batch);
        }
      }),
    );
    await expectParity(store);
  });

  it('loses nothing to concurrent writer processes racing on the same keys', async () => {
    const { db, store } = await fresh();
    // Three processes write the same 200 keyed page views of one partner.
    await Promise.all(
      [1, 2, 3].map(() =>
        run(process.execPath, [writer, JSON.stringify(db.options), 'same', '200', '10'], { timeout: 60_000 }),
      ),
    );
    const [row] = await store.engagementSummary('multi');
    expect(row).toMatchObject({ partnerId: 'same', humanEvents: 200, visits: 200 });
    await expectParity(store);
  });

  it('is backfilled by its migration from the events stored before it', async () => {
    const { db, store } = await fresh();
    for (let i = 0; i < 4; i++) await store.appendEvents(events(500, 100 + i));
    const maintained = await expectParity(store);
    await store.close();
    open.splice(open.indexOf(store), 1);
    // Back to the schema before migration 3, events kept: as an existing deployment upgrades.
    await rawExec(
      db,
      'DROP TABLE engagement_summary; DROP TABLE engagement_daily; DELETE FROM schema_migrations WHERE version = 3;',
    );
    const upgraded = await db.open();
    open.push(upgraded);
    expect(sorted(await upgraded.engagementSummary())).toEqual(maintained);
    await expectParity(upgraded);
  });

  it("migration 4 refiles the personal page's sections and time apart from paper reading", async () => {
    const { db, store } = await fresh();
    const at = new Date(Date.UTC(2026, 10, 2));
    const old = (type: string, page: string, metadata: Record<string, unknown>, n: number): EventInput => ({
      campaign: 'm4',
      partnerId: 'skimmer',
      type,
      source: 'page',
      occurredAt: at,
      verdict: 'human',
      metadata: { page, ...metadata },
      eventKey: `m4-${n}`,
    });
    await store.appendEvents([
      // As the old collector stored a personal-page skim: it fed the paper's progress.
      old('read_progress', 'partner', { section: 'webinar', index: 3, of: 4 }, 1),
      old('visible_time', 'partner', { ms: 14_000 }, 2),
      old('read_progress', 'advance', { section: 'results', index: 1, of: 8 }, 3),
      old('visible_time', 'advance', { ms: 5_000 }, 4),
    ]);
    await store.close();
    open.splice(open.indexOf(store), 1);
    await rawExec(db, 'DELETE FROM schema_migrations WHERE version = 4;');
    const upgraded = await db.open();
    open.push(upgraded);
    const types = (await upgraded.listEvents({ campaign: 'm4' }))
      .map((e) => `${e.metadata.page}:${e.type}`)
      .sort();
    expect(types).toEqual([
      'advance:read_progress',
      'advance:visible_time',
      'partner:page_time',
      'partner:section_seen',
    ]);
    const [row] = await upgraded.engagementSummary('m4');
    expect(row).toMatchObject({ sections: 1, maxIndex: 1, maxOf: 8, visibleMs: 5_000, humanEvents: 4 });
    await expectParity(upgraded);
  });
});
