/**
 * The planner and the sender with send windows, on a real store (SQLite; Postgres too with
 * AIRCOVER_TEST_DATABASE_URL): partners whose window has not opened are `scheduled` with their due
 * time, get no ledger row the sender could claim, and go out once their morning comes. The
 * campaign.yaml errors name file, line and field.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import { type Campaign, loadCampaign, type Touch } from '../../src/lib/campaign/load.ts';
import { planTouch, sendTouch } from '../../src/lib/email/send/index.ts';
import { createOutboxTransport } from '../../src/lib/email/transport/outbox.ts';
import type { Store } from '../../src/lib/store/index.ts';
import { contentDir, FIXTURE_SECRET, type Fixture } from '../send/fixture.ts';
import { engines } from '../store/engines.ts';
import { windowFixture } from './fixture.ts';

const render = { secret: FIXTURE_SECRET };

function load(f: Fixture): Campaign {
  const loaded = loadCampaign(f.dir, { contentDir });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems, null, 2));
  return loaded.campaign;
}

const fixtures: Fixture[] = [];
afterAll(() => {
  for (const f of fixtures) rmSync(f.root, { recursive: true, force: true });
});

describe.each(engines)('send windows in the planner ($name)', (engine) => {
  const stores: Store[] = [];
  afterAll(async () => {
    for (const s of stores) await s.close();
    await engine.cleanup();
  });

  test('only partners whose morning has come are sent; the rest wait with their due time and go later', async () => {
    const f = windowFixture();
    fixtures.push(f);
    const campaign = load(f);
    const touch = campaign.touches.find((t) => t.id === 'advance-notice') as Touch;
    const store = await (await engine.fresh()).open();
    stores.push(store);
    const zoneOf = (id: string) => campaign.partners.find((p) => p.id === id)?.timeZone;
    const transport = createOutboxTransport({ dir: join(f.root, 'outbox') });

    // 14:00 UTC on Wednesday 10 March: 09:00 in New York, inside the window; nowhere else.
    const first = new Date('2027-03-10T14:00:00Z');
    const plan = await planTouch({ store, campaign, render, now: first }, touch, { write: true });
    const byZone = Object.fromEntries(
      plan.rows.map((r) => [zoneOf(r.partner.id), [r.category, r.dueAt.toISOString()]]),
    );
    expect(byZone).toEqual({
      'Pacific/Honolulu': ['scheduled', '2027-03-10T18:30:00.000Z'],
      'America/New_York': ['send', '2027-03-10T13:30:00.000Z'],
      'Europe/Berlin': ['scheduled', '2027-03-11T07:30:00.000Z'],
      'Australia/Sydney': ['scheduled', '2027-03-10T21:30:00.000Z'],
      'Asia/Kolkata': ['scheduled', '2027-03-11T03:00:00.000Z'],
    });
    expect(plan.counts.scheduled).toBe(4);
    expect(plan.toSend).toBe(1);
    // Nothing the sender could claim early: one planned row only.
    const ledger = await store.listLedger({ campaign: campaign.id, touch: touch.id });
    expect(ledger.map((e) => [zoneOf(e.partnerId), e.state])).toEqual([['America/New_York', 'planned']]);
    const sent = await sendTouch({ store, transport, campaign, render, renderThreads: 0 }, touch);
    expect(sent.sent).toBe(1);

    // 19:00 UTC: Honolulu's 09:00. Sydney opens at 21:30.
    const second = await planTouch(
      { store, campaign, render, now: new Date('2027-03-10T19:00:00Z') },
      touch,
      { write: true },
    );
    expect(second.rows.filter((r) => r.category === 'send').map((r) => zoneOf(r.partner.id))).toEqual([
      'Pacific/Honolulu',
    ]);
    expect(second.counts.sent).toBe(1);
    expect((await sendTouch({ store, transport, campaign, render, renderThreads: 0 }, touch)).sent).toBe(1);

    // Thursday 08:00 UTC: everyone's window has opened; each message goes once.
    const third = await planTouch({ store, campaign, render, now: new Date('2027-03-11T08:00:00Z') }, touch, {
      write: true,
    });
    expect(third.counts).toMatchObject({ sent: 2, send: 3, scheduled: 0 });
    expect((await sendTouch({ store, transport, campaign, render, renderThreads: 0 }, touch)).sent).toBe(3);
    const states = (await store.listLedger({ campaign: campaign.id, touch: touch.id })).map((e) => e.state);
    expect(states).toEqual(['sent', 'sent', 'sent', 'sent', 'sent']);
  });

  test('a row planned before the window was set is not claimed before its time', async () => {
    const f = windowFixture();
    fixtures.push(f);
    const campaign = load(f);
    const touch = campaign.touches.find((t) => t.id === 'advance-notice') as Touch;
    const store = await (await engine.fresh()).open();
    stores.push(store);
    const now = new Date('2027-03-10T14:00:00Z');
    // Planned with no window (every row `planned`), then planned again with it.
    const { window: _unused, ...bare } = touch;
    await planTouch({ store, campaign, render, now }, bare, { write: true });
    expect(
      (await store.listLedger({ campaign: campaign.id })).filter((e) => e.state === 'planned'),
    ).toHaveLength(5);
    await planTouch({ store, campaign, render, now }, touch, { write: true });
    const transport = createOutboxTransport({ dir: join(f.root, 'outbox') });
    expect((await sendTouch({ store, transport, campaign, render, renderThreads: 0 }, touch)).sent).toBe(1);
    const skipped = (await store.listLedger({ campaign: campaign.id })).filter((e) => e.state === 'skipped');
    expect(skipped.map((e) => e.skipReason).sort()).toEqual([
      'scheduled for 2027-03-10T18:30:00.000Z',
      'scheduled for 2027-03-10T21:30:00.000Z',
      'scheduled for 2027-03-11T03:00:00.000Z',
      'scheduled for 2027-03-11T07:30:00.000Z',
    ]);
  });
});

describe('sendWindow in campaign.yaml', () => {
  test('errors name the file, line and field', () => {
    const f = windowFixture({ sendWindow: { days: ['mon', 'funday'], start: '8:30', end: '10:30' } });
    fixtures.push(f);
    const loaded = loadCampaign(f.dir, { contentDir });
    expect(loaded.ok).toBe(false);
    const text = readFileSync(join(f.dir, 'campaign.yaml'), 'utf8').split('\n');
    const lineOf = (needle: string) => text.findIndex((l) => l.includes(needle)) + 1;
    const problems = loaded.problems.map((p) => [p.field, p.line, p.file?.endsWith('campaign.yaml')]);
    expect(problems).toContainEqual(['sendWindow.days.1', lineOf('funday'), true]);
    expect(problems).toContainEqual(['sendWindow.start', lineOf('start: 8:30'), true]);
  });

  test("a touch's override without a campaign window must be complete", () => {
    const f = windowFixture();
    fixtures.push(f);
    const def = parseYaml(readFileSync(join(f.dir, 'campaign.yaml'), 'utf8')) as {
      sendWindow?: unknown;
      touches: { sendWindow?: unknown }[];
    };
    delete def.sendWindow;
    (def.touches[0] as { sendWindow?: unknown }).sendWindow = { start: '09:00' };
    writeFileSync(join(f.dir, 'campaign.yaml'), stringify(def));
    const loaded = loadCampaign(f.dir, { contentDir });
    expect(loaded.ok).toBe(false);
    const problem = loaded.problems.find((p) => p.code === 'touch.send-window');
    expect(problem).toMatchObject({ field: 'touches.0.sendWindow.end' });
    expect(problem?.line).toBeGreaterThan(1);
  });
});
