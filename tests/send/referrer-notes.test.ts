/**
 * One note per referrer: a referrer-nudge touch sends each referrer ONE message listing every
 * silent partner they introduced, keyed in the ledger per referrer per touch, through the real
 * Resend SDK against the fake server and a real store (SQLite; Postgres when configured).
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Campaign, loadCampaign, type Touch } from '../../src/lib/campaign/load.ts';
import { planTouch, sendTouch } from '../../src/lib/email/send/index.ts';
import { referrerKey } from '../../src/lib/email/send/referrer-notes.ts';
import { createResendTransport } from '../../src/lib/email/transport/index.ts';
import type { Store } from '../../src/lib/store/index.ts';
import { type FakeResend, startFakeResend } from '../fake-resend/server.ts';
import { engines } from '../store/engines.ts';
import { contentDir, FIXTURE_SECRET, type Fixture, makeFixture, setReferrers } from './fixture.ts';

const render = { secret: FIXTURE_SECRET };
const AOIFE = 'aoife.brennan@referrer.example.org';

function load(f: Fixture): Campaign {
  const loaded = loadCampaign(f.dir, { contentDir });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems, null, 2));
  return loaded.campaign;
}

const nudgeOf = (c: Campaign) => c.touches.find((t) => t.kind === 'referrer-nudge') as Touch;

describe.each(engines)('referrer notes ($name)', (engine) => {
  let fake: FakeResend;
  const fixtures: Fixture[] = [];
  const stores: Store[] = [];
  const fresh = async () => {
    const store = await (await engine.fresh()).open();
    stores.push(store);
    return store;
  };
  const transport = () =>
    createResendTransport({ apiKey: fake.apiKey, baseUrl: fake.url, backoffBaseMs: 5, backoffMaxMs: 40 });
  const notesTo = (email: string) =>
    fake.received.filter(
      (e) => e.tags.some((t) => t.value === 'referrer-nudge') && e.to.some((to) => to.includes(email)),
    );

  beforeAll(async () => {
    fake = await startFakeResend({ rateLimit: 0 });
  });
  afterAll(async () => {
    await fake.close();
    for (const s of stores) await s.close();
    await engine.cleanup();
    for (const f of fixtures) rmSync(f.root, { recursive: true, force: true });
  });

  test('three silent partners, one referrer: one note listing the three; a rerun sends nothing; a late joiner gets no second note', async () => {
    fake.reset();
    const f = makeFixture({ count: 8, touches: ['advance-notice', 'follow-up', 'referrer-nudge'] });
    fixtures.push(f);
    // The same referrer on three rows (one address written in another case), another on a fourth.
    setReferrers(f, {
      0: ['Aoife Brennan', AOIFE],
      1: ['Aoife Brennan', AOIFE],
      2: ['Aoife Brennan', AOIFE.toUpperCase()],
      3: ['Tomasz Nowak', 'tomasz.nowak@referrer.example.org'],
    });
    const campaign = load(f);
    const [p0, p1, p2, p3, p4] = f.ids as [string, string, string, string, string];
    const store = await fresh();
    const touch = nudgeOf(campaign);

    const plan = await planTouch({ store, campaign, render }, touch, { write: true });
    const notes = plan.rows.filter((r) => r.note && r.category === 'send');
    expect(notes.map((n) => [n.recipient.toLowerCase(), n.note?.covers.map((p) => p.id)])).toEqual([
      [AOIFE, [p0, p1, p2]],
      ['tomasz.nowak@referrer.example.org', [p3]],
    ]);
    expect(plan.counts.send).toBe(2);
    expect(plan.counts.covered).toBe(4);
    expect(plan.toSend).toBe(2);
    // The ledger: one row per referrer (keyed by the address), the partners' own rows point at it.
    const ledger = await store.listLedger({ campaign: f.campaign, touch: touch.id });
    const noteRow = ledger.find((r) => r.partnerId === referrerKey(AOIFE));
    expect(noteRow).toMatchObject({ state: 'planned', covers: [p0, p1, p2], recipient: AOIFE });
    expect(ledger.filter((r) => r.state === 'planned')).toHaveLength(2);
    expect(ledger.find((r) => r.partnerId === p1)?.skipReason).toBe(`in the note to ${referrerKey(AOIFE)}`);

    const summary = await sendTouch({ store, transport: transport(), campaign, render }, touch);
    expect(summary).toMatchObject({ sent: 2, failed: 0 });
    const [note, ...more] = notesTo(AOIFE);
    expect(more).toHaveLength(0);
    const names = campaign.partners.slice(0, 3).map((p) => p.firstName);
    for (const name of names) expect(note?.text).toContain(name);
    expect(note?.subject).toBe('3 introductions you made: where they stand');
    // One ready introduction per partner, each behind its own signed link.
    expect(note?.html?.match(/\/api\/intro\?/g)).toHaveLength(3);
    // Its Message-ID is recorded as sent to the referrer (under the first covered partner), so a
    // reply in its thread is matched as the referrer's, not the partner's (inbox/match.ts).
    const [sentNote] = await store.findSentMessages([note?.headers['Message-ID'] ?? '']);
    expect(sentNote).toMatchObject({ partnerId: p0, touch: touch.id });
    expect(sentNote?.recipient.toLowerCase()).toBe(AOIFE);
    expect(notesTo('tomasz.nowak@referrer.example.org')).toHaveLength(1);

    // A rerun: the notes are sent; nothing is planned, nothing goes out.
    const again = await planTouch({ store, campaign, render }, touch, { write: true });
    expect(again.toSend).toBe(0);
    expect(again.rows.filter((r) => r.note && r.category === 'sent')).toHaveLength(2);
    expect((await sendTouch({ store, transport: transport(), campaign, render }, touch)).sent).toBe(0);

    // A fifth partner names the same referrer after the note went out: no second note this touch.
    setReferrers(f, {
      0: ['Aoife Brennan', AOIFE],
      1: ['Aoife Brennan', AOIFE],
      2: ['Aoife Brennan', AOIFE],
      3: ['Tomasz Nowak', 'tomasz.nowak@referrer.example.org'],
      4: ['Aoife Brennan', AOIFE],
    });
    const grown = load(f);
    const late = await planTouch({ store, campaign: grown, render }, nudgeOf(grown), { write: true });
    expect(late.toSend).toBe(0);
    expect(late.rows.find((r) => r.partner.id === p4)?.category).toBe('after-note');
    await sendTouch({ store, transport: transport(), campaign: grown, render }, nudgeOf(grown));
    expect(notesTo(AOIFE)).toHaveLength(1);
    expect(fake.duplicates().size).toBe(0);
  });

  test('before the send, the one planned row follows the group: a partner joining or answering refreshes it, never doubles it', async () => {
    fake.reset();
    const f = makeFixture({ count: 6, touches: ['advance-notice', 'follow-up', 'referrer-nudge'] });
    fixtures.push(f);
    setReferrers(f, { 0: ['Aoife Brennan', AOIFE], 1: ['Aoife Brennan', AOIFE] });
    const store = await fresh();
    const first = load(f);
    const [p0, p1, p2] = f.ids as [string, string, string];
    await planTouch({ store, campaign: first, render }, nudgeOf(first), { write: true });

    setReferrers(f, {
      0: ['Aoife Brennan', AOIFE],
      1: ['Aoife Brennan', AOIFE],
      2: ['Aoife Brennan', AOIFE],
    });
    const grown = load(f);
    await planTouch({ store, campaign: grown, render }, nudgeOf(grown), { write: true });
    let rows = (await store.listLedger({ campaign: f.campaign, touch: 'referrer-nudge' })).filter(
      (r) => r.covers,
    );
    expect(rows.map((r) => [r.state, r.covers])).toEqual([['planned', [p0, p1, p2]]]);

    // p1 answers (asks for a call): the note covers the two who are still silent.
    await store.addResponse({
      kind: 'call-request',
      idempotencyKey: 'call-p1',
      campaign: f.campaign,
      partnerId: p1,
      source: 'form',
    });
    const plan = await planTouch({ store, campaign: grown, render }, nudgeOf(grown), { write: true });
    expect(plan.rows.find((r) => r.partner.id === p1)?.category).toBe('responded');
    rows = (await store.listLedger({ campaign: f.campaign, touch: 'referrer-nudge' })).filter(
      (r) => r.covers,
    );
    expect(rows.map((r) => [r.state, r.covers])).toEqual([['planned', [p0, p2]]]);

    await sendTouch({ store, transport: transport(), campaign: grown, render }, nudgeOf(grown));
    const notes = notesTo(AOIFE);
    expect(notes).toHaveLength(1);
    expect(notes[0]?.text).not.toContain(
      `${grown.partners[1]?.firstName} ${grown.partners[1]?.lastName ?? ''}`.trim(),
    );
  });
});
