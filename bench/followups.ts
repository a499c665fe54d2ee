#!/usr/bin/env node
/**
 * The follow-up queue at scale: 10,000 partners with 50 events each (half a million events: page
 * views, visible time, reading progress, clicks, email events, and scanner hits labelled bot),
 * plus sends and responses, in SQLite (and in Postgres when AIRCOVER_TEST_DATABASE_URL is set).
 * Times building the whole queue and the dashboard's campaign page (funnel, engagement per day,
 * partner table): the first run, then best and median of 5 runs. Both read the engagement
 * summary the store keeps as events are written (src/lib/store/summary.ts). The baseline, in the
 * same run and on the same database: one query aggregating the campaign's events per partner, type
 * and verdict (counts, first and last times, visible time, furthest section read), which is what the
 * queue would cost without the summary. Goals: the queue and the page faster than that baseline,
 * and under half a second on SQLite. JSON out.
 *
 *   npm run bench -- followups [--partners 10000] [--events 50]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import type { FollowupCampaign, FollowupPartner } from '../src/lib/followup/index.ts';
import { buildQueue, campaignPage } from '../src/lib/followup/index.ts';
import { type EventInput, openStore, type ResponseInput, type Store } from '../src/lib/store/index.ts';
import { numberArg, printJson, round } from './lib.ts';

const PARTNERS = numberArg('partners', 10_000);
const EVENTS = numberArg('events', 50);
const DAY = 86_400_000;
const now = new Date();

function campaign(): FollowupCampaign {
  const at = (days: number) => new Date(now.getTime() + days * DAY);
  const start = at(5);
  const partners: FollowupPartner[] = Array.from({ length: PARTNERS }, (_, i) => ({
    id: `p${i}`,
    email: `p${i}@bench.example.com`,
    company: `Company ${i}`,
    firstName: `First${i}`,
    lastName: 'Bench',
    owner: i % 2 ? 'maren' : 'tomas',
    gatekeepers: i % 3 === 0 ? [{ name: `Gate ${i}`, email: `gate${i}@bench.example.com` }] : [],
    referrer: i % 5 === 0 ? { name: `Ref ${i}`, email: `ref${i}@bench.example.com` } : undefined,
  }));
  return {
    id: 'bench',
    name: 'Bench campaign',
    timeZone: 'Europe/Copenhagen',
    locale: 'en-GB',
    webinar: { id: 'bench-live', title: 'Bench live', start, end: new Date(start.getTime() + 3_600_000) },
    touches: [
      { id: 'announce', kind: 'announce', audience: 'all', at: at(-30), template: 'a.md' },
      { id: 'invite', kind: 'webinar-invite', audience: 'not-registered', at: at(-25), template: 'b.md' },
      { id: 'follow-up', kind: 'follow-up', audience: 'silent', at: at(-20), template: 'c.md' },
      { id: 'nudge', kind: 'referrer-nudge', audience: 'silent', at: at(-18), template: 'd.md' },
      { id: 'reminder', kind: 'reminder', audience: 'registered', at: at(4), template: 'e.md' },
      { id: 'recording', kind: 'recording', audience: 'no-show', at: at(6), template: 'f.md' },
    ],
    partners,
    paperTitle: 'Bench paper',
  };
}

/** One partner's events: a realistic mix, about a tenth of them scanner hits. */
function partnerEvents(i: number): EventInput[] {
  const out: EventInput[] = [];
  const base = now.getTime() - 30 * DAY;
  const engaged = i % 4 === 0;
  for (let k = 0; k < EVENTS; k++) {
    const at = new Date(base + ((i * 7919 + k * 104_729) % (29 * DAY)));
    const common = { campaign: 'bench', partnerId: `p${i}`, occurredAt: at } as const;
    if (k === 0) out.push({ ...common, type: 'email.delivered', source: 'webhook', verdict: 'human' });
    else if (k === 1) out.push({ ...common, type: 'email.opened', source: 'webhook', verdict: 'suspect' });
    else if (k % 10 === 2)
      out.push({ ...common, type: 'page_fetch', source: 'page', verdict: 'bot', verdictReason: 'scanner' });
    else if (!engaged)
      out.push({ ...common, type: 'page_view', source: 'page', verdict: k % 7 ? 'suspect' : 'human' });
    else if (k % 3 === 0)
      out.push({ ...common, type: 'visible_time', source: 'page', verdict: 'human', metadata: { ms: 8000 } });
    else if (k % 3 === 1)
      out.push({
        ...common,
        type: 'read_progress',
        source: 'page',
        verdict: 'human',
        metadata: { page: 'paper', section: `s${k % 8}`, index: k % 8, of: 8 },
      });
    else out.push({ ...common, type: 'page_view', source: 'page', verdict: 'human' });
  }
  return out;
}

async function seed(store: Store, c: FollowupCampaign): Promise<number> {
  const started = performance.now();
  await store.upsertPartners(
    'bench',
    c.partners.map((p) => ({
      partnerId: p.id,
      token: `bench-token-${p.id}`,
      email: p.email,
      owner: p.owner ?? null,
    })),
  );
  for (let i = 0; i < PARTNERS; i += 200) {
    const batch: EventInput[] = [];
    for (let j = i; j < Math.min(PARTNERS, i + 200); j++) batch.push(...partnerEvents(j));
    await store.appendEvents(batch);
  }
  await store.planSends(
    c.partners.map((p) => ({
      campaign: 'bench',
      touch: 'announce',
      partnerId: p.id,
      recipient: p.email,
      idempotencyKey: `bench:announce:${p.id}`,
    })),
  );
  const claimed = await store.claimSends('bench', 'announce', PARTNERS);
  for (const row of claimed) await store.markSent(row.idempotencyKey, `m-${row.partnerId}`);
  const responses: ResponseInput[] = [];
  c.partners.forEach((p, i) => {
    const common = {
      campaign: 'bench',
      partnerId: p.id,
      source: 'form' as const,
      occurredAt: new Date(now.getTime() - (i % 20) * DAY),
    };
    if (i % 20 === 1)
      responses.push({
        ...common,
        kind: 'feedback',
        idempotencyKey: `f${i}`,
        text: 'good',
        consentToQuote: i % 40 === 1,
      });
    if (i % 20 === 2)
      responses.push({ ...common, kind: 'registration', webinar: 'bench-live', email: p.email });
    if (i % 50 === 3) responses.push({ ...common, kind: 'call-request', idempotencyKey: `c${i}` });
    if (i % 50 === 4)
      responses.push({
        ...common,
        kind: 'not-now',
        idempotencyKey: `n${i}`,
        until: new Date(now.getTime() + 10 * DAY),
      });
    if (i % 100 === 5) responses.push({ ...common, kind: 'decline', idempotencyKey: `d${i}` });
  });
  for (const r of responses) await store.addResponse(r);
  return (performance.now() - started) / 1000;
}

/** The first (cold) run, then best and median of five warm runs (incremental summaries). */
async function time(
  fn: () => Promise<unknown>,
): Promise<{ coldMs: number; bestMs: number; medianMs: number }> {
  const cold = performance.now();
  await fn();
  const coldMs = round(performance.now() - cold, 1);
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    await fn();
    runs.push(performance.now() - started);
  }
  runs.sort((a, b) => a - b);
  return { coldMs, bestMs: round(runs[0] ?? 0, 1), medianMs: round(runs[2] ?? 0, 1) };
}

/** Aggregating the raw events, the way the queue worked before the summary (the baseline). */
const AGGREGATE = {
  sqlite: `SELECT partner_id, type, verdict, count(*) AS n, min(occurred_at) AS first, max(occurred_at) AS last,
    sum(CASE WHEN type = 'visible_time' THEN json_extract(metadata, '$.ms') END) AS ms,
    max(CASE WHEN type = 'read_progress' THEN json_extract(metadata, '$.index') END) AS progress
    FROM events WHERE campaign = 'bench' GROUP BY partner_id, type, verdict`,
  postgres: `SELECT partner_id, type, verdict, count(*) AS n, min(occurred_at) AS first, max(occurred_at) AS last,
    sum(CASE WHEN type = 'visible_time' THEN (metadata->>'ms')::numeric END) AS ms,
    max(CASE WHEN type = 'read_progress' THEN (metadata->>'index')::numeric END) AS progress
    FROM events WHERE campaign = 'bench' GROUP BY partner_id, type, verdict`,
};

async function measure(engine: string, store: Store, aggregate: () => Promise<unknown>) {
  const c = campaign();
  const seedSeconds = await seed(store, c);
  const events = await store.countEvents({ campaign: 'bench', includeNonHuman: true });
  let queueLength = 0;
  const queue = await time(async () => {
    queueLength = (await buildQueue(store, [c], { now })).length;
  });
  const page = await time(() => campaignPage(store, c, now));
  const baseline = await time(aggregate);
  return {
    engine,
    partners: PARTNERS,
    events,
    seedSeconds: round(seedSeconds, 1),
    queueLength,
    queue,
    campaignPage: page,
    baselineAggregateEvents: baseline,
    ratio: {
      queue: round(queue.medianMs / baseline.medianMs, 2),
      campaignPage: round(page.medianMs / baseline.medianMs, 2),
    },
  };
}

const results = [];
const dir = mkdtempSync(join(tmpdir(), 'aircover-bench-followups-'));
try {
  const file = join(dir, 'bench.sqlite');
  const store = await openStore({ url: `sqlite:${file}` });
  const raw = new DatabaseSync(file, { readOnly: true });
  try {
    results.push(await measure('sqlite', store, async () => raw.prepare(AGGREGATE.sqlite).all()));
  } finally {
    raw.close();
    await store.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const pgUrl = process.env.AIRCOVER_TEST_DATABASE_URL;
if (pgUrl) {
  const schema = `aircover_bench_${process.pid}`;
  const store = await openStore({ url: pgUrl, schema });
  const raw = new pg.Client({ connectionString: pgUrl });
  await raw.connect();
  await raw.query(`SET search_path TO ${schema}`);
  try {
    results.push(await measure('postgres', store, () => raw.query(AGGREGATE.postgres)));
  } finally {
    await raw.end();
    await store.close();
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
}

const sqlite = results.find((r) => r.engine === 'sqlite');
printJson({
  bench: 'followups',
  loadavg: loadavg().map((l) => round(l, 2)),
  baseline: 'one query aggregating the events per partner, type and verdict, same database, same run',
  results,
  goals: {
    fasterThanAggregating: results.every((r) => r.ratio.queue < 1 && r.ratio.campaignPage < 1),
    under500msOnSqlite:
      sqlite !== undefined && sqlite.queue.medianMs < 500 && sqlite.campaignPage.medianMs < 500,
  },
});
