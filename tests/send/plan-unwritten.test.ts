/**
 * A plan that is not written, after a preflight (a dry run, a test send), decides exactly what the
 * written plan decides, writes nothing, and derives no keys; without a preflight (the schedule) it
 * still derives them, so a message that does not render stops it; a send of one touch compiles that
 * touch's templates as the whole campaign's compilation does. On a real store (SQLite; Postgres
 * too with AIRCOVER_TEST_DATABASE_URL), with partners in several states.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { type Campaign, loadCampaign, type Touch } from '../../src/lib/campaign/load.ts';
import { planTouch, sendTouch } from '../../src/lib/email/send/index.ts';
import type { PlanRow } from '../../src/lib/email/send/plan-rows.ts';
import { createOutboxTransport } from '../../src/lib/email/transport/outbox.ts';
import { compileCampaign, compileTouch } from '../../src/lib/personalize/compile.ts';
import type { Store } from '../../src/lib/store/index.ts';
import { engines } from '../store/engines.ts';
import { contentDir, FIXTURE_SECRET, type Fixture, makeFixture, setReferrers } from './fixture.ts';

const render = { secret: FIXTURE_SECRET };
const touches = ['advance-notice', 'follow-up', 'referrer-nudge'];

function load(f: Fixture): Campaign {
  const loaded = loadCampaign(f.dir, { contentDir });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems, null, 2));
  return loaded.campaign;
}

/** What a plan decided for a row, without the keys only a written plan derives. */
const decision = (r: PlanRow) => ({
  partner: r.partner.id,
  category: r.category,
  recipient: r.recipient,
  dueAt: r.dueAt.toISOString(),
  until: r.until?.toISOString() ?? null,
  note: r.note ? { key: r.note.key, covers: r.note.covers.map((p) => p.id) } : null,
});

const fixtures: Fixture[] = [];
afterAll(() => {
  for (const f of fixtures) rmSync(f.root, { recursive: true, force: true });
});

describe.each(engines)('a plan that is not written ($name)', (engine) => {
  const stores: Store[] = [];
  afterAll(async () => {
    for (const s of stores) await s.close();
    await engine.cleanup();
  });

  test('decides as the written plan does, writes no row and carries no key', async () => {
    const f = makeFixture({ count: 12, touches });
    fixtures.push(f);
    setReferrers(f, {
      0: ['Aoife Brennan', 'aoife@referrer.example.org'],
      1: ['Aoife Brennan', 'aoife@referrer.example.org'],
      5: ['Tomasz Nowak', 'tomasz@referrer.example.org'],
    });
    const campaign = load(f);
    const at = (id: string) => campaign.touches.find((t) => t.id === id) as Touch;
    const [, p1, p2, p3] = f.ids as [string, string, string, string];
    const now = new Date('2027-06-01T12:00:00Z');
    const store = await (await engine.fresh()).open();
    stores.push(store);
    // History: the first touch went out to everyone; then one partner declined, one paused,
    // one gave feedback.
    await planTouch({ store, campaign, render, now }, at('advance-notice'), { write: true });
    const transport = createOutboxTransport({ dir: join(f.root, 'outbox') });
    const first = await sendTouch(
      { store, transport, campaign, render, renderThreads: 0 },
      at('advance-notice'),
    );
    expect(first.sent).toBe(12);
    const response = { campaign: campaign.id, source: 'form' as const };
    await store.addResponse({ ...response, kind: 'decline', partnerId: p1, idempotencyKey: 'd1' });
    await store.addResponse({
      ...response,
      kind: 'not-now',
      partnerId: p2,
      idempotencyKey: 'n2',
      until: '2027-09-01',
    });
    await store.addResponse({
      ...response,
      kind: 'feedback',
      partnerId: p3,
      idempotencyKey: 'f3',
      text: 'Useful.',
    });

    for (const id of touches) {
      const touch = at(id);
      const before = await store.listLedger({ campaign: campaign.id, touch: id });
      const unwritten = await planTouch({ store, campaign, render, now }, touch, {
        write: false,
        checked: true,
      });
      expect(await store.listLedger({ campaign: campaign.id, touch: id })).toEqual(before);
      // No key is derived for a partner's message that is not written. (A referrer's note still
      // is: deriving it prepares the note for its whole group, which the preflight, rendering each
      // partner alone, did not.)
      const own = unwritten.rows.filter((r) => !r.note);
      expect(own.filter((r) => r.idempotencyKey && r.category === 'send')).toEqual([]);
      expect(own.filter((r) => r.contentVersion)).toEqual([]);
      const written = await planTouch({ store, campaign, render, now }, touch, { write: true });
      expect(unwritten.rows.map(decision)).toEqual(written.rows.map(decision));
      expect(unwritten.counts).toEqual(written.counts);
      expect(unwritten.toSend).toBe(written.toSend);
      // The written plan keys every message it is to send.
      const toSend = written.rows.filter((r) => r.category === 'send');
      expect(toSend.every((r) => r.idempotencyKey && r.contentVersion)).toBe(true);
    }
    // The states above are all there (the comparison covered more than "send").
    const categories = new Set<string>();
    for (const id of touches) {
      const plan = await planTouch({ store, campaign, render, now }, at(id), { write: false });
      for (const r of plan.rows) categories.add(r.category);
    }
    expect([...categories].sort()).toEqual(
      expect.arrayContaining(['declined', 'paused', 'responded', 'sent', 'send']),
    );
  });
  test('without a preflight (the schedule) each key is still derived: a touch that cannot render stops it', async () => {
    const f = makeFixture({ count: 3, touches: ['advance-notice'] });
    fixtures.push(f);
    const campaign = load(f);
    const touch = campaign.touches[0] as Touch;
    touch.email.body = '{% if %}';
    const store = await (await engine.fresh()).open();
    stores.push(store);
    const now = new Date('2027-06-01T12:00:00Z');
    await expect(planTouch({ store, campaign, render, now }, touch, { write: false })).rejects.toThrow(
      /does not render/,
    );
    expect(await store.listLedger({ campaign: campaign.id, touch: touch.id })).toEqual([]);
  });
});

describe('compiling one touch', () => {
  test('gives the templates and problems the whole campaign compilation gives for that touch', () => {
    const f = makeFixture({
      count: 3,
      touches: ['advance-notice', 'announce', 'follow-up', 'referrer-nudge'],
    });
    fixtures.push(f);
    const campaign = load(f);
    // A touch with an unknown column and a touch that does not parse, beside sound ones.
    const [first, second] = campaign.touches as [Touch, Touch, ...Touch[]];
    first.email.subject = 'For {{ partner.no_such_column }}';
    second.email.body = '{% if %}';
    const whole = compileCampaign(campaign);
    // One touch at a time, in reverse order, on a fresh copy (no compilation shared with the above).
    const again = load(f);
    const [a, b] = again.touches as [Touch, Touch, ...Touch[]];
    a.email.subject = first.email.subject;
    b.email.body = second.email.body;
    for (const touch of [...again.touches].reverse()) {
      const one = compileTouch(again, touch);
      expect(one.problems).toEqual(whole.problems.filter((p) => p.touch === touch.id));
      expect(one.compiled !== undefined).toBe(whole.touches.has(touch.id));
    }
    expect(whole.problems.map((p) => [p.touch, p.code])).toEqual([
      [first.id, 'template.unknown-column'],
      [second.id, 'template.liquid'],
    ]);
    expect(whole.touches.has(first.id)).toBe(true);
    expect(whole.touches.has(second.id)).toBe(false);
  });
});
