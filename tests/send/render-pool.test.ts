/**
 * Rendering a send on worker threads (src/lib/email/send/render-pool.ts): the threads build
 * byte-for-byte what the sending thread builds, a send through them delivers every message once
 * and leaves no thread behind (at the end, on abort, on error), and one core means no threads.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Campaign, loadCampaign, type Touch } from '../../src/lib/campaign/load.ts';
import type { Transport } from '../../src/lib/email/message.ts';
import { buildMessage } from '../../src/lib/email/send/build.ts';
import { planTouch, sendTouch } from '../../src/lib/email/send/index.ts';
import {
  liveRenderThreads,
  renderThreadsFor,
  startRenderPool,
} from '../../src/lib/email/send/render-pool.ts';
import { createResendTransport } from '../../src/lib/email/transport/index.ts';
import { openStore, type Store } from '../../src/lib/store/index.ts';
import { type FakeResend, startFakeResend } from '../fake-resend/server.ts';
import { contentDir, FIXTURE_SECRET, type Fixture, makeFixture } from './fixture.ts';

const fixtures: Fixture[] = [];
const stores: Store[] = [];
let fake: FakeResend;
beforeAll(async () => {
  fake = await startFakeResend({ rateLimit: 0 });
});
afterAll(async () => {
  await fake.close();
  for (const s of stores) await s.close();
  for (const f of fixtures) rmSync(f.root, { recursive: true, force: true });
});

function setup(count: number, touches = ['advance-notice']): { f: Fixture; campaign: Campaign } {
  const f = makeFixture({ count, touches });
  fixtures.push(f);
  const loaded = loadCampaign(f.dir, { contentDir });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems, null, 2));
  return { f, campaign: loaded.campaign };
}

async function storeOf(f: Fixture): Promise<Store> {
  const store = await openStore({ dataDir: f.env.AIRCOVER_DATA_DIR as string });
  stores.push(store);
  return store;
}

const transport = () => createResendTransport({ apiKey: fake.apiKey, baseUrl: fake.url, backoffBaseMs: 5 });
const render = { secret: FIXTURE_SECRET, now: new Date('2026-11-20T09:00:00Z') };

describe('render threads', () => {
  test('build exactly what the sending thread builds, for every touch kind', async () => {
    const { campaign } = setup(60, ['advance-notice', 'follow-up', 'referrer-nudge']);
    for (const touch of campaign.touches) {
      const rows = campaign.partners.map((p) => ({
        partnerId: p.id,
        idempotencyKey: `k-${touch.id}-${p.id}`,
      }));
      rows.push({ partnerId: 'gone', idempotencyKey: 'k-gone' });
      const pool = await startRenderPool(campaign, touch, render, 2);
      try {
        const threaded = await pool.render(rows);
        expect(threaded.size).toBe(rows.length);
        for (const row of rows) {
          const partner = campaign.partners.find((p) => p.id === row.partnerId);
          const here = await buildMessage(campaign, touch, partner ? [partner] : undefined, row, render);
          expect(threaded.get(row.idempotencyKey), `${touch.id} ${row.partnerId}`).toEqual(here);
        }
      } finally {
        await pool.close();
      }
      await expect(pool.render(rows)).rejects.toThrow(/closed/);
    }
    expect(liveRenderThreads()).toBe(0);
  });

  test('a send through them delivers the same messages, each once, and stops its threads', async () => {
    const bodies = new Map<number, Map<string, string>>();
    for (const threads of [0, 2]) {
      fake.reset();
      const { f, campaign } = setup(350);
      const store = await storeOf(f);
      const touch = campaign.touches[0] as Touch;
      await planTouch({ store, campaign, render }, touch, { write: true });
      let peak = 0;
      const summary = await sendTouch(
        {
          store,
          transport: transport(),
          campaign,
          render,
          chunkSize: 50,
          renderThreads: threads,
          onProgress: () => {
            peak = Math.max(peak, liveRenderThreads());
          },
        },
        touch,
      );
      expect(summary).toMatchObject({ sent: 350, failed: 0, unresolved: 0 });
      expect(fake.received).toHaveLength(350);
      expect(fake.duplicates().size).toBe(0);
      expect(peak).toBe(threads);
      expect(liveRenderThreads()).toBe(0);
      // Partner ids repeat across the two fixtures (same generator): compare message by message.
      bodies.set(
        threads,
        new Map(
          fake.received.map((e) => [
            e.tags.find((t) => t.name === 'partner')?.value ?? '',
            `${e.subject}\n${e.html}\n${e.text}`,
          ]),
        ),
      );
    }
    expect(bodies.get(2)).toEqual(bodies.get(0));
  });

  test('an abort or a failing call ends the send and its threads', async () => {
    fake.reset();
    const { f, campaign } = setup(400);
    const store = await storeOf(f);
    const touch = campaign.touches[0] as Touch;
    await planTouch({ store, campaign, render }, touch, { write: true });
    const controller = new AbortController();
    const aborted = await sendTouch(
      {
        store,
        transport: transport(),
        campaign,
        render,
        chunkSize: 50,
        renderThreads: 2,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.sent >= 100) controller.abort();
        },
      },
      touch,
    );
    expect(aborted.aborted).toBe(true);
    expect(liveRenderThreads()).toBe(0);

    const inner = transport();
    let calls = 0;
    const dying: Transport = {
      kind: 'resend',
      async *send(messages, options) {
        if (++calls === 2) throw new Error('killed');
        yield* inner.send(messages, options);
      },
    };
    await expect(
      sendTouch({ store, transport: dying, campaign, render, chunkSize: 50, renderThreads: 2 }, touch),
    ).rejects.toThrow('killed');
    expect(liveRenderThreads()).toBe(0);

    // What is left goes out afterwards, each message once.
    await planTouch({ store, campaign, render }, touch, { write: true });
    const rest = await sendTouch(
      { store, transport: transport(), campaign, render, renderThreads: 2 },
      touch,
    );
    expect(rest.failed).toBe(0);
    expect(fake.received).toHaveLength(400);
    expect(fake.duplicates().size).toBe(0);
    expect(liveRenderThreads()).toBe(0);
  });

  test('one core renders in the sending thread; AIRCOVER_RENDER_THREADS overrides', () => {
    expect(renderThreadsFor({}, 1)).toBe(0);
    expect(renderThreadsFor({}, 2)).toBe(2);
    expect(renderThreadsFor({}, 64)).toBe(4);
    expect(renderThreadsFor({ AIRCOVER_RENDER_THREADS: '0' }, 8)).toBe(0);
    expect(renderThreadsFor({ AIRCOVER_RENDER_THREADS: '3' }, 1)).toBe(3);
    expect(renderThreadsFor({ AIRCOVER_RENDER_THREADS: 'many' }, 2)).toBe(2);
  });
});
