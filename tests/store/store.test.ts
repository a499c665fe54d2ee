/**
 * One store suite, run against every engine in engines.ts (SQLite always, Postgres when
 * AIRCOVER_TEST_DATABASE_URL is set).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type EventInput, migrations, type PlanEntry, type Store } from '../../src/lib/store/index.ts';
import { engines, type TestDatabase } from './engines.ts';

const run = promisify(execFile);
const allVersions = migrations.map((m) => m.version).sort((a, b) => a - b);
const writer = new URL('./fixtures/append-writer.ts', import.meta.url).pathname;
const claimer = new URL('./fixtures/claim-worker.ts', import.meta.url).pathname;

const plan = (campaign: string, touch: string, count: number, version = 'v1'): PlanEntry[] =>
  Array.from({ length: count }, (_, i) => {
    const partnerId = `p${String(i).padStart(4, '0')}`;
    return {
      campaign,
      touch,
      partnerId,
      recipient: `${partnerId}@example.com`,
      idempotencyKey: `${campaign}:${touch}:${partnerId}:${version}`,
      contentVersion: version,
    };
  });

const event = (overrides: Partial<EventInput> = {}): EventInput => ({
  campaign: 'c1',
  partnerId: 'p1',
  touch: 'invite',
  type: 'page_view',
  source: 'page',
  occurredAt: '2026-11-01T10:00:00.000Z',
  verdict: 'human',
  ...overrides,
});

describe.each(engines)('store on $name', (engine) => {
  const open: Store[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  afterAll(() => engine.cleanup());

  async function fresh(): Promise<{ db: TestDatabase; store: Store; another: () => Promise<Store> }> {
    const db = await engine.fresh();
    const store = await db.open();
    open.push(store);
    return {
      db,
      store,
      another: async () => {
        const s = await db.open();
        open.push(s);
        return s;
      },
    };
  }

  describe('migrations', () => {
    it('apply once, and again is a no-op', async () => {
      const db = await engine.fresh();
      const store = await db.open({ migrate: false });
      open.push(store);
      expect((await store.migrationStatus()).every((m) => m.appliedAt === null)).toBe(true);
      expect((await store.migrate()).applied).toEqual(allVersions);
      expect((await store.migrate()).applied).toEqual([]);
      const status = await store.migrationStatus();
      expect(status.every((m) => m.appliedAt !== null && !m.changed)).toBe(true);
      // Opening again (which migrates) leaves everything as it is.
      const again = await db.open();
      open.push(again);
      expect((await again.migrate()).applied).toEqual([]);
    });

    it('concurrent migrators apply each migration exactly once', async () => {
      const db = await engine.fresh();
      const stores = await Promise.all([1, 2, 3].map(() => db.open({ migrate: false })));
      open.push(...stores);
      const results = await Promise.all(stores.map((s) => s.migrate()));
      expect(results.flatMap((r) => r.applied).sort((a, b) => a - b)).toEqual(allVersions);
    });
  });

  describe('partners', () => {
    it('upsert, find by token, list, refresh without losing rows', async () => {
      const { store } = await fresh();
      const first = await store.upsertPartners('c1', [
        {
          partnerId: 'acme',
          token: 'tok-acme',
          email: ' Ann@Acme.COM',
          company: 'Acme',
          data: { saves: 120 },
        },
        { partnerId: 'globex', token: 'tok-globex', email: 'g@globex.com', referrerEmail: 'Ref@x.com' },
      ]);
      expect(first).toEqual({ inserted: 2, updated: 0 });
      const acme = await store.findPartnerByToken('tok-acme');
      expect(acme).toMatchObject({
        campaign: 'c1',
        partnerId: 'acme',
        email: 'ann@acme.com',
        data: { saves: 120 },
      });
      expect(acme?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(await store.findPartnerByToken('nope')).toBeNull();
      const second = await store.upsertPartners('c1', [
        { partnerId: 'acme', token: 'tok-acme', email: 'ann@acme.com', company: 'Acme Corp' },
      ]);
      expect(second).toEqual({ inserted: 0, updated: 1 });
      expect((await store.findPartner('c1', 'acme'))?.company).toBe('Acme Corp');
      // One partner twice in a batch: the last row wins, on both engines.
      expect(
        await store.upsertPartners('c1', [
          { partnerId: 'acme', token: 'tok-acme', email: 'ann@acme.com', company: 'Acme 1' },
          { partnerId: 'acme', token: 'tok-acme', email: 'ann@acme.com', company: 'Acme 2' },
        ]),
      ).toEqual({ inserted: 0, updated: 1 });
      expect((await store.findPartner('c1', 'acme'))?.company).toBe('Acme 2');
      expect((await store.listPartners('c1')).map((p) => p.partnerId)).toEqual(['acme', 'globex']);
      await store.upsertPartners('c2', [{ partnerId: 'acme', token: 'tok-acme-2', email: 'ANN@acme.com' }]);
      expect((await store.findPartnersByEmail('ann@ACME.com')).map((p) => p.campaign)).toEqual(['c1', 'c2']);
      expect(await store.listPartners()).toHaveLength(3);
      // A token belongs to one partner.
      await expect(
        store.upsertPartners('c2', [{ partnerId: 'other', token: 'tok-acme', email: 'x@y.z' }]),
      ).rejects.toThrow();
    });
  });

  describe('send ledger', () => {
    it('holds one row per (campaign, touch, partner), also under concurrent planners', async () => {
      const { store, another } = await fresh();
      const other = await another();
      const entries = plan('c1', 'invite', 50);
      const results = await Promise.all([
        store.planSends(entries),
        other.planSends(entries),
        store.planSends([...entries, ...entries]),
      ]);
      expect(results.reduce((n, r) => n + r.inserted, 0)).toBe(50);
      expect(await store.listLedger({ campaign: 'c1', touch: 'invite' })).toHaveLength(50);
      // Same partner with another key: still one row (refreshed, since never attempted).
      const changed = await store.planSends(plan('c1', 'invite', 1, 'v2'));
      expect(changed).toEqual({ inserted: 0, updated: 1, kept: 0 });
      expect(await store.listLedger({ campaign: 'c1', touch: 'invite', partnerId: 'p0000' })).toHaveLength(1);
      // An idempotency key reused for another partner is a bug, refused loudly.
      const [a] = plan('c1', 'invite', 1);
      await expect(
        store.planSends([
          { ...(a as PlanEntry), partnerId: 'someone-else', idempotencyKey: 'c1:invite:p0001:v1' },
        ]),
      ).rejects.toThrow();
      expect(await store.countLedger('c1', 'invite')).toEqual({
        planned: 50,
        sending: 0,
        sent: 0,
        failed: 0,
        skipped: 0,
      });
    });

    it('claims atomically: concurrent claimers never get the same row', async () => {
      const { store, another } = await fresh();
      const others = [await another(), await another()];
      await store.planSends(plan('c1', 'invite', 300));
      const claimers = [store, ...others, store, ...others];
      const claimed: string[] = [];
      await Promise.all(
        claimers.map(async (s) => {
          for (;;) {
            const rows = await s.claimSends('c1', 'invite', 7);
            if (rows.length === 0) return;
            expect(rows.length).toBeLessThanOrEqual(7);
            for (const row of rows) {
              expect(row.state).toBe('sending');
              expect(row.attempts).toBe(1);
              claimed.push(row.partnerId);
            }
          }
        }),
      );
      expect(claimed).toHaveLength(300);
      expect(new Set(claimed).size).toBe(300);
      expect((await store.countLedger('c1')).sending).toBe(300);
    });

    it('claims atomically across processes: every row sent exactly once', async () => {
      const { db, store } = await fresh();
      await store.planSends(plan('c1', 'invite', 400));
      const options = JSON.stringify(db.options);
      const outputs = await Promise.all(
        [1, 2, 3].map(() => run(process.execPath, [claimer, options, 'c1', 'invite', '5'])),
      );
      const claimed = outputs.flatMap((o) => JSON.parse(o.stdout) as string[]);
      expect(claimed).toHaveLength(400);
      expect(new Set(claimed).size).toBe(400);
      expect((await store.countLedger('c1', 'invite')).sent).toBe(400);
    });

    it('records the request key of a dispatch on sending rows only; a new claim clears it', async () => {
      const { store } = await fresh();
      await store.planSends(plan('c1', 'invite', 4));
      const claimed = await store.claimSends('c1', 'invite', 3);
      const keys = claimed.map((r) => r.idempotencyKey);
      const unclaimed = plan('c1', 'invite', 4)[3]?.idempotencyKey as string;
      expect(await store.markDispatched([...keys, unclaimed], 'batch-1')).toBe(3);
      const sending = await store.listLedger({ campaign: 'c1', state: 'sending' });
      expect(sending.map((r) => r.requestKey)).toEqual(['batch-1', 'batch-1', 'batch-1']);
      expect((await store.getSend('c1', 'invite', 'p0003'))?.requestKey).toBeNull();
      await store.markFailed(keys[0] as string, 'timeout', true);
      const [again] = await store.claimSends('c1', 'invite', 1);
      expect(again?.requestKey).toBeNull();
    });

    it('never re-plans or re-claims a sent row; failures keep their key', async () => {
      const { store } = await fresh();
      await store.planSends(plan('c1', 'invite', 3));
      const [a, b, c] = await store.claimSends('c1', 'invite', 3);
      if (!a || !b || !c) throw new Error('expected three claims');
      expect(await store.markSent(a.idempotencyKey, 'msg_1')).toBe(true);
      expect(await store.markSent(a.idempotencyKey, 'msg_other')).toBe(false);
      expect(await store.markFailed(a.idempotencyKey, 'late error', true)).toBe(false);
      expect(await store.markSkipped(a.idempotencyKey, 'suppressed')).toBe(false);
      expect(await store.markFailed(b.idempotencyKey, '500 from provider', true)).toBe(true);
      expect(await store.markFailed(c.idempotencyKey, '422 invalid address', false)).toBe(true);

      // A new content version plans new keys: nothing that was sent or attempted changes.
      const replanned = await store.planSends([
        ...plan('c1', 'invite', 3, 'v2'),
        ...plan('c1', 'invite', 4, 'v2').slice(3),
      ]);
      expect(replanned).toEqual({ inserted: 1, updated: 0, kept: 3 });
      const sent = await store.getSend('c1', 'invite', a.partnerId);
      expect(sent).toMatchObject({
        state: 'sent',
        providerMessageId: 'msg_1',
        idempotencyKey: a.idempotencyKey,
      });
      expect(sent?.sentAt).not.toBeNull();
      const failed = await store.getSend('c1', 'invite', b.partnerId);
      expect(failed).toMatchObject({ state: 'failed', retryable: true, idempotencyKey: b.idempotencyKey });

      // Retryable failures and the new row are claimed again; the sent and the fatal ones are not.
      const retry = await store.claimSends('c1', 'invite', 10);
      expect(retry.map((r) => r.partnerId).sort()).toEqual([b.partnerId, 'p0003']);
      expect(retry.find((r) => r.partnerId === b.partnerId)?.attempts).toBe(2);
      await store.markFailed(b.idempotencyKey, 'again', true);
      expect(await store.claimSends('c1', 'invite', 10, { maxAttempts: 2 })).toEqual([]);
      expect((await store.listLedger({ campaign: 'c1', state: ['sent', 'failed'] })).length).toBe(3);
    });

    it('skips: planned as skipped, refreshed when never attempted, and markSkipped', async () => {
      const { store } = await fresh();
      const [one, two] = plan('c1', 'reminder', 2);
      if (!one || !two) throw new Error('plan');
      await store.planSends([{ ...one, state: 'skipped', skipReason: 'paused until 2026-12-01' }, two]);
      expect((await store.getSend('c1', 'reminder', one.partnerId))?.skipReason).toBe(
        'paused until 2026-12-01',
      );
      // The pause ended: the next plan makes it planned again.
      expect(await store.planSends([one])).toEqual({ inserted: 0, updated: 1, kept: 0 });
      const claimed = await store.claimSends('c1', 'reminder', 5);
      expect(claimed).toHaveLength(2);
      expect(await store.markSkipped(two.idempotencyKey, 'suppressed')).toBe(true);
      expect((await store.countLedger('c1', 'reminder')).skipped).toBe(1);
    });

    it('recovers rows stuck in sending after a crash, keeping their idempotency key', async () => {
      const { store } = await fresh();
      await store.planSends(plan('c1', 'invite', 5));
      const claimed = await store.claimSends('c1', 'invite', 5);
      await store.markSent(claimed[0]?.idempotencyKey as string, 'msg_0');
      // Nothing claimed before this moment in the past.
      expect(
        await store.releaseStuckSends({ campaign: 'c1', claimedBefore: '2000-01-01T00:00:00Z' }),
      ).toEqual([]);
      const released = await store.releaseStuckSends({ campaign: 'c1', touch: 'invite' });
      expect(released.map((r) => r.partnerId)).toEqual(claimed.slice(1).map((r) => r.partnerId));
      expect(released.every((r) => r.state === 'planned')).toBe(true);
      const again = await store.claimSends('c1', 'invite', 10);
      expect(again.map((r) => r.idempotencyKey)).toEqual(claimed.slice(1).map((r) => r.idempotencyKey));
      expect(again.every((r) => r.attempts === 2)).toBe(true);
    });
  });

  describe('events', () => {
    it('appends a batch in one transaction, filters, and keeps bots out by default', async () => {
      const { store } = await fresh();
      const batch: EventInput[] = [];
      for (let i = 0; i < 1000; i++) {
        batch.push(
          event({
            partnerId: `p${i % 10}`,
            type: i % 2 ? 'page_view' : 'read_progress',
            occurredAt: new Date(Date.UTC(2026, 10, 1, 10, 0, i)),
            verdict: i % 5 === 0 ? 'bot' : i % 5 === 1 ? 'suspect' : 'human',
            verdictReason: i % 5 === 0 ? 'headless agent' : null,
            metadata: { i, depth: i % 100 },
            userAgent: 'Mozilla/5.0',
            ipHash: 'h:abc',
          }),
        );
      }
      expect(await store.appendEvents(batch)).toEqual({ inserted: 1000, duplicates: 0 });
      expect(await store.countEvents({ campaign: 'c1' })).toBe(600);
      expect(await store.countEvents({ campaign: 'c1', includeNonHuman: true })).toBe(1000);
      expect(await store.countEventsBy('verdict', { includeNonHuman: true })).toEqual({
        bot: 200,
        human: 600,
        suspect: 200,
      });
      expect(await store.countEventsBy('type', { campaign: 'c1' })).toEqual({
        page_view: 300,
        read_progress: 300,
      });
      const p3 = await store.listEvents({ campaign: 'c1', partnerId: 'p3', types: ['page_view'] });
      expect(p3).toHaveLength(100);
      expect(p3.every((e) => e.verdict === 'human' && e.partnerId === 'p3')).toBe(true);
      const window = await store.listEvents({
        campaign: 'c1',
        since: '2026-11-01T10:00:10.000Z',
        until: new Date('2026-11-01T10:00:20.000Z'),
        includeNonHuman: true,
      });
      expect(window.map((e) => e.metadata.i)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
      expect(window[0]).toMatchObject({
        occurredAt: '2026-11-01T10:00:10.000Z',
        source: 'page',
        ipHash: 'h:abc',
      });
      expect(typeof window[0]?.receivedAt).toBe('string');
      const page = await store.listEvents({ includeNonHuman: true, limit: 5 });
      const next = await store.listEvents({
        includeNonHuman: true,
        afterId: page[4]?.id as number,
        limit: 5,
      });
      expect(next[0]?.id).toBeGreaterThan(page[4]?.id as number);
      expect(await store.listEvents({ campaign: 'other' })).toEqual([]);
    });

    it('summarizes per partner or per UTC day, totalling numeric metadata only', async () => {
      const { store } = await fresh();
      await store.appendEvents([
        event({
          partnerId: 'a',
          type: 'visible_time',
          occurredAt: '2026-11-01T23:59:00Z',
          metadata: { seconds: 30 },
        }),
        event({
          partnerId: 'a',
          type: 'visible_time',
          occurredAt: '2026-11-02T00:01:00Z',
          metadata: { seconds: 12.5 },
        }),
        event({
          partnerId: 'a',
          type: 'visible_time',
          occurredAt: '2026-11-02T00:02:00Z',
          metadata: { seconds: 'x' },
        }),
        event({ partnerId: 'b', type: 'visible_time', verdict: 'bot', metadata: { seconds: 99 } }),
        event({ partnerId: 'b', type: 'page_view', metadata: {} }),
      ]);
      const byPartner = await store.summarizeEvents({ campaign: 'c1', metrics: ['seconds'] });
      const a = byPartner.find((r) => r.partnerId === 'a' && r.type === 'visible_time');
      expect(a).toMatchObject({
        count: 3,
        verdict: 'human',
        first: '2026-11-01T23:59:00.000Z',
        last: '2026-11-02T00:02:00.000Z',
        sum: { seconds: 42.5 },
        max: { seconds: 30 },
      });
      expect(byPartner.find((r) => r.partnerId === 'b' && r.type === 'page_view')?.sum).toEqual({
        seconds: 0,
      });
      expect(byPartner.some((r) => r.verdict === 'bot')).toBe(false);
      const withBots = await store.summarizeEvents({
        campaign: 'c1',
        includeNonHuman: true,
        metrics: ['seconds'],
      });
      expect(withBots.find((r) => r.verdict === 'bot')?.max).toEqual({ seconds: 99 });
      const byDay = await store.summarizeEvents({ campaign: 'c1', by: 'day', types: ['visible_time'] });
      expect(byDay.map((r) => [r.day, r.count]).sort()).toEqual([
        ['2026-11-01', 1],
        ['2026-11-02', 2],
      ]);
      await expect(store.summarizeEvents({ metrics: ['x); DROP TABLE events; --'] })).rejects.toThrow(
        TypeError,
      );
    });

    it('dedupes by event key and refuses a bad batch whole', async () => {
      const { store } = await fresh();
      expect(
        await store.appendEvents([event({ eventKey: 'b1' }), event({ eventKey: 'b1' }), event()]),
      ).toEqual({
        inserted: 2,
        duplicates: 1,
      });
      expect(await store.appendEvents([event({ eventKey: 'b1' })])).toEqual({ inserted: 0, duplicates: 1 });
      await expect(
        store.appendEvents([event(), event({ metadata: { big: 'x'.repeat(10_000) } })]),
      ).rejects.toThrow(RangeError);
      await expect(store.appendEvents([event(), event({ verdict: 'robot' as never })])).rejects.toThrow();
      expect(await store.countEvents({ includeNonHuman: true })).toBe(2);
    });

    it('concurrent writers on several connections lose nothing', async () => {
      const { store, another } = await fresh();
      const writers = [store, await another(), await another()];
      await Promise.all(
        writers.flatMap((s, w) =>
          Array.from({ length: 20 }, (_, b) =>
            s.appendEvents(
              Array.from({ length: 25 }, (_, i) =>
                event({ partnerId: `w${w}`, eventKey: `w${w}-${b}-${i}` }),
              ),
            ),
          ),
        ),
      );
      expect(await store.countEvents()).toBe(3 * 20 * 25);
    });

    it('concurrent writer processes lose nothing', async () => {
      const { db, store } = await fresh();
      const options = JSON.stringify(db.options);
      await Promise.all(
        ['a', 'b', 'c'].map((label) => run(process.execPath, [writer, options, label, '600', '20'])),
      );
      expect(await store.countEventsBy('partner', { campaign: 'multi' })).toEqual({ a: 600, b: 600, c: 600 });
    });
  });

  describe('webhook receipts', () => {
    it('N concurrent deliveries of one svix id: exactly one is first, its effects applied once', async () => {
      const { store, another } = await fresh();
      const stores = [store, await another(), await another()];
      const results = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          (stores[i % stores.length] as Store).recordWebhookOnce('msg_abc', {
            events: [event({ type: 'email.bounced', source: 'webhook' })],
            suppressions: [
              { email: 'Bounce@Example.com', reason: 'hard-bounce', source: 'webhook', campaign: 'c1' },
            ],
          }),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.countEvents({ types: ['email.bounced'] })).toBe(1);
      expect(await store.isSuppressed('bounce@example.com')).toBe(true);
      expect(await store.recordWebhookOnce('msg_abc')).toBe(false);
      expect(await store.recordWebhookOnce('msg_def')).toBe(true);
    });
  });

  describe('responses', () => {
    it('one row per idempotency key, even when submitted concurrently', async () => {
      const { store, another } = await fresh();
      const other = await another();
      const feedback = {
        kind: 'feedback' as const,
        idempotencyKey: 'form-nonce-1',
        campaign: 'c1',
        partnerId: 'acme',
        text: 'Useful, but add the EU numbers.',
        rating: 4,
        consentToQuote: true,
        source: 'form' as const,
      };
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? store : other).addResponse(feedback)),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.id)).size).toBe(1);
      const [stored] = await store.listResponses({ campaign: 'c1', partnerId: 'acme', kind: 'feedback' });
      expect(stored).toMatchObject({ text: feedback.text, rating: 4, consentToQuote: true, source: 'form' });
      await expect(store.addResponse({ kind: 'decline', source: 'form' })).rejects.toThrow(/idempotency key/);
    });

    it('keeps not-now dates, call times, manual outcomes', async () => {
      const { store } = await fresh();
      await store.addResponse({
        kind: 'not-now',
        idempotencyKey: 'n1',
        campaign: 'c1',
        partnerId: 'acme',
        until: '2027-01-15',
        source: 'form',
      });
      await store.addResponse({
        kind: 'call-request',
        idempotencyKey: 'n2',
        campaign: 'c1',
        partnerId: 'acme',
        preferredTimes: ['Tue 10:00', 'Wed 15:30'],
        source: 'form',
      });
      await store.addResponse({
        kind: 'met',
        idempotencyKey: 'n3',
        campaign: 'c1',
        partnerId: 'acme',
        text: 'Coffee at the fair',
        source: 'cli',
        occurredAt: '2026-10-30T12:00:00Z',
      });
      const all = await store.listResponses({ partnerId: 'acme' });
      expect(all.map((r) => r.kind)).toEqual(['met', 'not-now', 'call-request']);
      expect(all[1]?.until).toBe('2027-01-15T00:00:00.000Z');
      expect(all[2]?.preferredTimes).toEqual(['Tue 10:00', 'Wed 15:30']);
      expect(all[0]?.occurredAt).toBe('2026-10-30T12:00:00.000Z');
      expect(await store.listResponses({ kind: ['met', 'called'] })).toHaveLength(1);
    });

    it('registrations: one per person and webinar, partners or not', async () => {
      const { store } = await fresh();
      const a = await store.addResponse({
        kind: 'registration',
        webinar: 'w1',
        email: 'Ann@Acme.com',
        name: 'Ann',
        campaign: 'c1',
        partnerId: 'acme',
        source: 'form',
      });
      const b = await store.addResponse({
        kind: 'registration',
        webinar: 'w1',
        email: ' ann@acme.COM',
        source: 'page',
        idempotencyKey: 'another-form-nonce',
      });
      expect(a.created).toBe(true);
      expect(b).toEqual({ created: false, id: a.id });
      await store.addResponse({
        kind: 'registration',
        webinar: 'w1',
        email: 'public@person.org',
        source: 'form',
      });
      await store.addResponse({ kind: 'registration', webinar: 'w2', email: 'ann@acme.com', source: 'form' });
      const w1 = await store.listResponses({ kind: 'registration', webinar: 'w1' });
      expect(w1.map((r) => r.email)).toEqual(['ann@acme.com', 'public@person.org']);
      expect(w1[1]?.campaign).toBeNull();
      expect(await store.listResponses({ email: 'ANN@acme.com' })).toHaveLength(2);
    });
  });

  describe('suppressions', () => {
    it('normalises addresses and answers a batch in one query', async () => {
      const { store } = await fresh();
      expect(
        await store.addSuppression({
          email: '  Ann@Example.COM ',
          reason: 'unsubscribed',
          source: 'one-click',
        }),
      ).toEqual({ created: true });
      expect(
        await store.addSuppression({ email: 'ann@example.com', reason: 'complaint', source: 'webhook' }),
      ).toEqual({
        created: false,
      });
      expect(await store.isSuppressed('ANN@example.com')).toBe(true);
      expect(await store.isSuppressed('bob@example.com')).toBe(false);
      const many = Array.from({ length: 5000 }, (_, i) => `User${i}@Example.com`);
      for (let i = 0; i < 5000; i += 1000) {
        await store.addSuppression({ email: many[i] as string, reason: 'hard-bounce', source: 'webhook' });
      }
      const hits = await store.suppressedAmong([...many, 'Ann@example.com']);
      expect([...hits].sort()).toEqual([
        'ann@example.com',
        'user0@example.com',
        'user1000@example.com',
        'user2000@example.com',
        'user3000@example.com',
        'user4000@example.com',
      ]);
      expect(await store.suppressedAmong([])).toEqual(new Set());
      const listed = await store.listSuppressions();
      expect(listed[0]).toMatchObject({
        email: 'ann@example.com',
        reason: 'unsubscribed',
        source: 'one-click',
      });
      expect(await store.removeSuppression('ANN@example.com')).toBe(true);
      expect(await store.isSuppressed('ann@example.com')).toBe(false);
      await expect(
        store.addSuppression({ email: 'x@y.z', reason: 'bored' as never, source: 'cli' }),
      ).rejects.toThrow();
    });
  });
});
