/**
 * The scheduler `aircover serve` runs with AIRCOVER_SCHEDULER=on: two instances on one store, one
 * runs and the other skips (the store lease); a run sends the partners whose window has opened and
 * the next run the rest; each run is logged and the last one kept in the store. Real store (SQLite,
 * and Postgres with AIRCOVER_TEST_DATABASE_URL), real outbox transport.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { type Campaign, loadCampaign } from '../../src/lib/campaign/load.ts';
import { lastSchedulerRun, runDueSends } from '../../src/lib/email/send/scheduler.ts';
import { createOutboxTransport } from '../../src/lib/email/transport/outbox.ts';
import type { Store } from '../../src/lib/store/index.ts';
import { contentDir, FIXTURE_SECRET, type Fixture } from '../send/fixture.ts';
import { engines } from '../store/engines.ts';
import { windowFixture } from './fixture.ts';

const fixtures: Fixture[] = [];
afterAll(() => {
  for (const f of fixtures) rmSync(f.root, { recursive: true, force: true });
});

describe.each(engines)('scheduler ($name)', (engine) => {
  const stores: Store[] = [];
  afterAll(async () => {
    for (const s of stores) await s.close();
    await engine.cleanup();
  });

  test('one runner across instances; each run sends who is due, logs, and the next run the rest', async () => {
    const f = windowFixture();
    fixtures.push(f);
    const loaded = loadCampaign(f.dir, { contentDir });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    const campaign: Campaign = loaded.campaign;
    const db = await engine.fresh();
    const a = await db.open();
    const b = await db.open();
    stores.push(a, b);
    const transport = createOutboxTransport({ dir: join(f.root, 'outbox') });
    const logs: string[] = [];
    const context = (store: Store, now: string) => ({
      store,
      transport,
      campaigns: () => [campaign],
      now: () => new Date(now),
      log: (line: string) => logs.push(line),
      render: { secret: FIXTURE_SECRET },
    });

    // Two instances at once at 14:00 UTC (New York's morning): one runs, one skips.
    const [first, second] = await Promise.all([
      runDueSends(context(a, '2027-03-10T14:00:00Z')),
      runDueSends(context(b, '2027-03-10T14:00:00Z')),
    ]);
    const ran = [first, second].filter((r) => !r.skipped);
    const skipped = [first, second].filter((r) => r.skipped);
    expect(ran).toHaveLength(1);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]?.skipped).toMatch(/scheduler is locked by/);
    expect(ran[0]?.campaigns).toEqual([
      { campaign: f.campaign, touches: ['advance-notice'], sent: 1, failed: 0, waiting: 4 },
    ]);
    expect(logs).toContain(
      `scheduler: ${f.campaign} [advance-notice] 1 sent, 0 failed, 4 waiting for their window`,
    );
    expect(logs.some((l) => l.startsWith('scheduler: skipped'))).toBe(true);

    // The next morning everyone else's window has opened.
    const next = await runDueSends(context(b, '2027-03-11T08:00:00Z'));
    expect(next.campaigns[0]).toMatchObject({ sent: 4, failed: 0, waiting: 0 });
    const ledger = await a.listLedger({ campaign: f.campaign, touch: 'advance-notice' });
    expect(ledger.map((e) => e.state)).toEqual(['sent', 'sent', 'sent', 'sent', 'sent']);
    // Nothing twice: a third run finds nothing new to send.
    const again = await runDueSends(context(a, '2027-03-11T08:05:00Z'));
    expect(again.campaigns[0]).toMatchObject({ sent: 0, failed: 0 });
    expect((await lastSchedulerRun(b))?.startedAt).toBe('2027-03-11T08:05:00.000Z');
  });
});
