/**
 * The one partner-state derivation on crafted timelines in a real SQLite store: the regressions
 * of issue 10 (page skims are not reading, saying no wins, bounces by kind, the sender and the
 * queue agree) read from the same module the sender, queue, report and notes read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildQueue,
  type FollowUp,
  type FollowupCampaign,
  loadCampaignStates,
  loadPartnerStates,
  SOFT_BOUNCE_LIMIT,
} from '../../src/lib/followup/index.ts';
import { campaignPage } from '../../src/lib/followup/queue.ts';
import type { Store } from '../../src/lib/store/index.ts';
import { craftedCampaign, DAY, ev, partner, sent, tempStore } from './helpers.ts';

const now = new Date();
const ago = (days: number) => new Date(now.getTime() - days * DAY);

let store: Store;
let cleanup: () => Promise<void>;
let air: FollowupCampaign;
let queue: FollowUp[];
const item = (id: string) => {
  const found = queue.find((i) => i.partnerId === id);
  if (!found) throw new Error(`no item ${id}`);
  return found;
};
const reading = (id: string, at: Date, index: number, of: number, page = 'advance') =>
  ev('air', id, 'read_progress', at, 'human', { page, section: `h${index}`, index, of });
const bounce = (id: string, at: Date, type: string, n: number) => ({
  ...ev('air', id, 'email.bounced', at, 'bot', { bounce: { type, subType: 'General' } }),
  eventKey: `bounce-${id}-${n}`,
});

beforeAll(async () => {
  ({ store, cleanup } = await tempStore());
  air = craftedCampaign('air', [
    partner('skimmer'),
    partner('viewer'),
    partner('reader'),
    partner('decliner'),
    partner('pauser'),
    partner('soft'),
    partner('softer'),
    partner('hard'),
    partner('complainer'),
  ]);
  await sent(
    store,
    air,
    'announce',
    air.partners.map((p) => p.id),
  );
  await store.appendEvents([
    // The skimmer wheels through every section of their personal page: sections seen, not reading.
    ev('air', 'skimmer', 'page_view', ago(2), 'human', { page: 'partner' }),
    ...[0, 1, 2, 3].map((i) =>
      ev('air', 'skimmer', 'section_seen', ago(2), 'human', {
        page: 'partner',
        section: `s${i}`,
        index: i,
        of: 4,
      }),
    ),
    ev('air', 'skimmer', 'page_time', ago(2), 'human', { page: 'partner', ms: 14_000 }),
    // One human page view: still silent, for the sender and the queue alike.
    ev('air', 'viewer', 'page_view', ago(2), 'human', { page: 'partner' }),
    // The reader reads the advance copy past half.
    ...[0, 1, 2, 3, 4].map((i) => reading('reader', ago(1), i, 8)),
    ev('air', 'reader', 'visible_time', ago(1), 'human', { page: 'advance', ms: 200_000 }),
    // The decliner and the pauser read the whole paper after saying no / not now.
    ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => reading('decliner', ago(1), i, 8)),
    ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => reading('pauser', ago(1), i, 8)),
    ev('air', 'complainer', 'visible_time', ago(1), 'human', { page: 'paper', ms: 300_000 }),
    bounce('soft', ago(3), 'Transient', 1),
    ...Array.from({ length: SOFT_BOUNCE_LIMIT }, (_, n) =>
      bounce('softer', ago(3 - n * 0.1), 'Undetermined', n),
    ),
    bounce('hard', ago(3), 'Permanent', 1),
  ]);
  await store.addResponse({
    kind: 'decline',
    idempotencyKey: 'decline-1',
    campaign: 'air',
    partnerId: 'decliner',
    source: 'page',
    occurredAt: ago(2),
  });
  await store.addResponse({
    kind: 'not-now',
    idempotencyKey: 'notnow-1',
    campaign: 'air',
    partnerId: 'pauser',
    source: 'page',
    occurredAt: ago(2),
    until: new Date(now.getTime() + 30 * DAY),
  });
  await store.addSuppression({
    email: 'complainer@partners.example.com',
    reason: 'complaint',
    source: 'webhook',
  });
  queue = await buildQueue(store, [air], { now });
});

afterAll(async () => cleanup());

describe('reading means the paper', () => {
  it('a personal-page skimmer has sections seen, no paper progress, and is not hot', () => {
    const s = item('skimmer');
    expect(s.status).toBe('visited');
    expect(s.hot).toBe(false);
    expect(s.reading).toMatchObject({ paperProgress: 0, sectionsSeen: 4 });
    expect(s.reason).not.toMatch(/read \d+%/);
    expect(s.reason).toMatch(/saw 4 sections of their page/);
  });

  it('the paper reader is hot, quoting the paper progress', () => {
    const r = item('reader');
    expect(r.status).toBe('engaged-hot');
    expect(r.hot).toBe(true);
    expect(r.reason).toMatch(/read 63% of "The integrator's share"/);
  });

  it("the funnel's reading stage counts paper readers only", async () => {
    const page = await campaignPage(store, air, now);
    const stage = page.report.funnel.find((f) => f.stage === 'read half the paper');
    // reader, decliner, pauser read the paper; the skimmer did not.
    expect(stage?.partners).toBe(3);
  });
});

describe('saying no wins', () => {
  it('a decliner who reads later is declined, not hot, with the reading withheld', () => {
    const d = item('decliner');
    expect(d.status).toBe('declined');
    expect(d.hot).toBe(false);
    expect(d.hotWithheld).toMatchObject({ status: 'declined' });
  });
  it('a paused partner who reads is not now, not hot', () => {
    const p = item('pauser');
    expect(p.status).toBe('not-now');
    expect(p.hot).toBe(false);
    expect(p.priority).toBeGreaterThan(0);
  });
  it('a complainer is never hot', () => {
    const c = item('complainer');
    expect(c.status).toBe('complained');
    expect(c.hot).toBe(false);
    expect(c.touches.every((t) => !t.send && t.reason === 'suppressed')).toBe(true);
  });
});

describe('bounces by kind', () => {
  it('one transient bounce is "delivery delayed": not bounced, still sent to', () => {
    const s = item('soft');
    expect(s.status).toBe('delivery-delayed');
    expect(s.action).toBe('wait');
    expect(s.touches.find((t) => t.touch === 'follow-up')).toMatchObject({ send: true });
  });
  it(`${SOFT_BOUNCE_LIMIT} soft bounces count as bounced and stop sending`, () => {
    const s = item('softer');
    expect(s.status).toBe('bounced');
    expect(s.touches.every((t) => !t.send)).toBe(true);
  });
  it('a permanent bounce is bounced', () => {
    expect(item('hard').status).toBe('bounced');
    expect(item('hard').action).toBe('find-address');
  });
});

describe('one verdict for the sender and the queue', () => {
  it('after one human page view the partner is silent for both', async () => {
    const flags = await loadPartnerStates(store, air, now);
    expect(item('viewer').audiences.silent).toBe(true);
    expect(item('viewer').action).toBe('next-touch');
    const { states } = await loadCampaignStates(store, air, { now });
    for (const p of air.partners) {
      expect(states.get(p.id)?.flags).toEqual(flags.get(p.id));
      expect(states.get(p.id)?.audiences).toEqual(item(p.id).audiences);
    }
  });
});

describe('no-show: the sender and the queue agree before and after the attendance import', () => {
  it('a registrant after the webinar is "registered, wait for the import" for both, then a no-show for both', async () => {
    const past = craftedCampaign('past', [partner('came'), partner('absent')], { now, webinarDays: -2 });
    await sent(store, past, 'announce', ['came', 'absent']);
    for (const id of ['came', 'absent'])
      await store.addResponse({
        kind: 'registration',
        campaign: 'past',
        partnerId: id,
        webinar: 'past-live',
        email: `${id}@partners.example.com`,
        source: 'form',
        occurredAt: ago(5),
      });
    const before = await buildQueue(store, [past], { now });
    const absentBefore = before.find((i) => i.partnerId === 'absent');
    expect(absentBefore).toMatchObject({ status: 'registered', action: 'wait' });
    expect(absentBefore?.audiences['no-show']).toBe(false);
    expect((await loadPartnerStates(store, past, now)).get('absent')?.noShow).toBe(false);

    await store.addResponse({
      kind: 'attendance',
      campaign: 'past',
      partnerId: 'came',
      webinar: 'past-live',
      email: 'came@partners.example.com',
      source: 'import',
      occurredAt: ago(2),
    });
    const after = await buildQueue(store, [past], { now });
    expect(after.find((i) => i.partnerId === 'absent')).toMatchObject({
      status: 'no-show',
      action: 'send-recording',
    });
    expect(after.find((i) => i.partnerId === 'absent')?.audiences['no-show']).toBe(true);
    expect(after.find((i) => i.partnerId === 'came')?.audiences['no-show']).toBe(false);
    const flags = await loadPartnerStates(store, past, now);
    expect(flags.get('absent')?.noShow).toBe(true);
    expect(flags.get('came')?.noShow).toBe(false);
  });
});

describe('a cancelled webinar', () => {
  it('has no no-shows and asks for no reminders', async () => {
    const gone = craftedCampaign('gone', [partner('booked')], { now, webinarDays: -2 });
    const cancelled = {
      ...gone,
      webinar: gone.webinar ? { ...gone.webinar, status: 'cancelled' as const } : undefined,
    };
    await store.addResponse({
      kind: 'registration',
      campaign: 'gone',
      partnerId: 'booked',
      webinar: 'gone-live',
      email: 'booked@partners.example.com',
      source: 'form',
      occurredAt: ago(5),
    });
    await store.addResponse({
      kind: 'attendance',
      campaign: 'gone',
      partnerId: 'someone-else',
      webinar: 'gone-live',
      email: 'else@partners.example.com',
      source: 'import',
      occurredAt: ago(2),
    });
    const [row] = await buildQueue(store, [cancelled], { now });
    expect(row).toMatchObject({ status: 'registered', action: 'wait' });
    expect(row?.reason).toMatch(/cancelled/);
    expect(row?.audiences['no-show']).toBe(false);
  });
});

describe('a webinar cancelled with `aircover webinar cancel` (a schedule change in the store)', () => {
  it('is read by the state module: the registrant waits, no reminder is due', async () => {
    const gone = craftedCampaign('gone2', [partner('booked2')], { now, webinarDays: 3 });
    await store.addResponse({
      kind: 'registration',
      campaign: 'gone2',
      partnerId: 'booked2',
      webinar: 'gone2-live',
      email: 'booked2@partners.example.com',
      source: 'form',
      occurredAt: ago(1),
    });
    const [before] = await buildQueue(store, [gone], { now });
    expect(before).toMatchObject({ status: 'registered', action: 'remind' });
    await store.appendEvents([
      {
        campaign: 'webinar:gone2-live',
        partnerId: null,
        type: 'webinar.schedule',
        source: 'cli',
        occurredAt: now,
        verdict: 'human',
        metadata: {
          sequence: 1,
          start: gone.webinar?.start.toISOString(),
          timeZone: 'UTC',
          locale: 'en-GB',
          status: 'cancelled',
          at: now.toISOString(),
        },
        eventKey: 'webinar:gone2-live:seq:1',
      },
    ]);
    const [after] = await buildQueue(store, [gone], { now });
    expect(after).toMatchObject({ status: 'registered', action: 'wait' });
    expect(after?.reason).toMatch(/cancelled/);
  });
});
