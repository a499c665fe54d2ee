/**
 * The sending domain (plan → ledger → transport → ledger) with the real Resend SDK against the
 * fake server and a real store (SQLite; Postgres too when AIRCOVER_TEST_DATABASE_URL is set).
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Campaign, loadCampaign, type Touch } from '../../src/lib/campaign/load.ts';
import type { Transport } from '../../src/lib/email/message.ts';
import { planTouch, sendTouch } from '../../src/lib/email/send/index.ts';
import { createResendTransport } from '../../src/lib/email/transport/index.ts';
import type { Store } from '../../src/lib/store/index.ts';
import { type FakeResend, startFakeResend } from '../fake-resend/server.ts';
import { engines } from '../store/engines.ts';
import { contentDir, FIXTURE_SECRET, type Fixture, makeFixture } from './fixture.ts';

const render = { secret: FIXTURE_SECRET };

function load(f: Fixture): Campaign {
  const loaded = loadCampaign(f.dir, { contentDir });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems, null, 2));
  return loaded.campaign;
}

const touchOf = (c: Campaign, id: string) => c.touches.find((t) => t.id === id) as Touch;
const partnersAt = (fake: FakeResend, touch: string) =>
  fake.received
    .filter((e) => e.tags.some((t) => t.name === 'touch' && t.value === touch))
    .map((e) => e.tags.find((t) => t.name === 'partner')?.value);

function resend(fake: FakeResend, extra: Partial<Parameters<typeof createResendTransport>[0]> = {}) {
  return createResendTransport({
    apiKey: fake.apiKey,
    baseUrl: fake.url,
    backoffBaseMs: 5,
    backoffMaxMs: 40,
    maxRetryAfterMs: 40,
    requestTimeoutMs: 15_000,
    maxAttempts: 12,
    ...extra,
  });
}

async function planAndSend(
  store: Store,
  campaign: Campaign,
  touch: Touch,
  transport: Transport,
  chunkSize = 100,
) {
  const plan = await planTouch({ store, campaign, render }, touch, { write: true });
  const summary = await sendTouch({ store, transport, campaign, render, chunkSize }, touch);
  return { plan, summary };
}

describe.each(engines)('sending ($name)', (engine) => {
  let fake: FakeResend;
  const fixtures: Fixture[] = [];
  const stores: Store[] = [];
  async function fresh(): Promise<Store> {
    const store = await (await engine.fresh()).open();
    stores.push(store);
    return store;
  }
  beforeAll(async () => {
    fake = await startFakeResend({ rateLimit: 0 });
  });
  afterAll(async () => {
    await fake.close();
    for (const s of stores) await s.close();
    await engine.cleanup();
    for (const f of fixtures) rmSync(f.root, { recursive: true, force: true });
  });

  test('suppressed, declined and paused partners get nothing; unsubscribing mid-run or between touches stops what follows; nudges go to the referrer', async () => {
    fake.reset();
    const f = makeFixture({ count: 36, touches: ['advance-notice', 'follow-up', 'referrer-nudge'] });
    fixtures.push(f);
    const campaign = load(f);
    const store = await fresh();
    const [p0, p1, p2, p3, p4] = f.ids as [string, string, string, string, string];
    const late = f.ids[30] as string;
    await store.addSuppression({ email: f.emailOf(p0), reason: 'unsubscribed', source: 'one-click' });
    await store.addResponse({
      kind: 'decline',
      idempotencyKey: 'd1',
      campaign: f.campaign,
      partnerId: p1,
      source: 'form',
    });
    await store.addResponse({
      kind: 'not-now',
      idempotencyKey: 'n1',
      campaign: f.campaign,
      partnerId: p2,
      until: '2099-01-01T00:00:00Z',
      source: 'form',
    });

    // A partner unsubscribes while the first touch is being sent (after its first call).
    const inner = resend(fake);
    let calls = 0;
    const transport: Transport = {
      kind: 'resend',
      async *send(messages, options) {
        yield* inner.send(messages, options);
        if (++calls === 1)
          await store.addSuppression({ email: f.emailOf(late), reason: 'unsubscribed', source: 'one-click' });
      },
    };
    const first = await planAndSend(store, campaign, touchOf(campaign, 'advance-notice'), transport, 10);
    expect(first.plan.counts).toMatchObject({ send: 33, suppressed: 1, declined: 1, paused: 1 });
    expect(first.plan.rows.find((r) => r.category === 'paused')?.until?.toISOString()).toBe(
      '2099-01-01T00:00:00.000Z',
    );
    expect(first.summary).toMatchObject({ sent: 32, skipped: 1, failed: 0 });
    const got = partnersAt(fake, 'advance-notice');
    expect(got).toHaveLength(32);
    for (const id of [p0, p1, p2, late]) expect(got).not.toContain(id);
    expect((await store.getSend(f.campaign, 'advance-notice', late))?.skipReason).toBe('suppressed');
    expect((await store.getSend(f.campaign, 'advance-notice', p2))?.skipReason).toMatch(/^paused until 2099/);

    // Between touches: p3 unsubscribes, p4 asks for a call (already did what the follow-up asks).
    await store.addSuppression({ email: f.emailOf(p3), reason: 'unsubscribed', source: 'unsubscribe-page' });
    await store.addResponse({
      kind: 'call-request',
      idempotencyKey: 'c1',
      campaign: f.campaign,
      partnerId: p4,
      source: 'form',
    });
    const second = await planAndSend(store, campaign, touchOf(campaign, 'follow-up'), resend(fake));
    expect(second.plan.counts).toMatchObject({
      suppressed: 3,
      declined: 1,
      paused: 1,
      responded: 1,
      send: 30,
    });
    const followUps = partnersAt(fake, 'follow-up');
    expect(followUps).toHaveLength(30);
    for (const id of [p0, p1, p2, p3, p4, late]) expect(followUps).not.toContain(id);

    // Referrer nudges go to the referrer, and a suppressed referrer gets none.
    const referred = campaign.partners.filter(
      (p) => p.referrer && ![p0, p1, p2, p3, p4, late].includes(p.id),
    );
    expect(referred.length).toBeGreaterThan(1);
    const quiet = referred[0] as (typeof referred)[number];
    await store.addSuppression({
      email: quiet.referrer?.email as string,
      reason: 'complaint',
      source: 'webhook',
    });
    const third = await planAndSend(store, campaign, touchOf(campaign, 'referrer-nudge'), resend(fake));
    expect(third.summary.sent).toBe(referred.length - 1);
    const nudges = fake.received.filter((e) => e.tags.some((t) => t.value === 'referrer-nudge'));
    expect(nudges.map((e) => /<(.+)>/.exec(e.to[0] ?? '')?.[1]).sort()).toEqual(
      referred
        .slice(1)
        .map((p) => p.referrer?.email.toLowerCase())
        .sort(),
    );
    expect(fake.duplicates().size).toBe(0);

    // Every message carries one-click unsubscribe, a reply-to and the ledger's tags.
    const one = fake.received[0];
    expect(one?.headers['List-Unsubscribe']).toMatch(/^<http.*\/api\/unsubscribe\/.+>$/);
    expect(one?.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(one?.replyTo).toEqual(['maren.holt@kestrel-sensing.example.com']);
    expect(one?.tags.map((t) => t.name).sort()).toEqual(['campaign', 'partner', 'touch']);
  });

  test('429 storms, 5xx bursts and dropped answers are ridden out: every message once', async () => {
    fake.reset();
    const f = makeFixture({ count: 400, touches: ['advance-notice'] });
    fixtures.push(f);
    const campaign = load(f);
    const store = await fresh();
    fake.inject({ type: 'rate_limit_storm', count: 3, retryAfterSeconds: 1 });
    fake.inject({ type: 'server_error', count: 3, status: 503 });
    fake.inject({ type: 'drop', count: 1, when: 'after' });
    // Seven failures in a row, then the provider recovers within the transport's attempts.
    const { summary } = await planAndSend(store, campaign, touchOf(campaign, 'advance-notice'), resend(fake));
    fake.clearFaults();
    expect(summary).toMatchObject({ sent: 400, failed: 0, retryable: 0, unresolved: 0 });
    expect(fake.received).toHaveLength(400);
    expect(fake.duplicates().size).toBe(0);
    expect(fake.requests.some((r) => r.status === 429)).toBe(true);
    expect(fake.requests.some((r) => r.status === 503)).toBe(true);
    expect((await store.countLedger(f.campaign)).sent).toBe(400);
  });

  test('a call accepted by the provider but never recorded is replayed under its key, not sent again', async () => {
    fake.reset();
    const f = makeFixture({ count: 250, touches: ['advance-notice'] });
    fixtures.push(f);
    const campaign = load(f);
    const store = await fresh();
    const touch = touchOf(campaign, 'advance-notice');
    // The process "dies" right after the provider accepted the second call.
    const inner = resend(fake);
    let calls = 0;
    const dying: Transport = {
      kind: 'resend',
      async *send(messages, options) {
        if (++calls === 2) {
          for await (const _ of inner.send(messages, options)) throw new Error('killed');
        }
        yield* inner.send(messages, options);
      },
    };
    await planTouch({ store, campaign, render }, touch, { write: true });
    await expect(sendTouch({ store, transport: dying, campaign, render }, touch)).rejects.toThrow('killed');
    expect(fake.received).toHaveLength(200);
    const inFlight = await store.listLedger({ campaign: f.campaign, state: 'sending' });
    expect(inFlight).toHaveLength(100);
    expect(new Set(inFlight.map((r) => r.requestKey)).size).toBe(1);

    const plan = await planTouch({ store, campaign, render }, touch, { write: true });
    expect(plan.counts).toMatchObject({ sent: 100, 'in-flight': 100, send: 50 });
    const summary = await sendTouch({ store, transport: resend(fake), campaign, render }, touch);
    expect(summary).toMatchObject({ sent: 150, failed: 0 });
    expect(fake.received).toHaveLength(250);
    expect(fake.duplicates().size).toBe(0);
    expect(fake.requests.filter((r) => r.replayed)).toHaveLength(1);
    expect((await store.countLedger(f.campaign)).sent).toBe(250);
  });
});
