/**
 * The seed rules on crafted timelines: every status, every follow-up rule, bot-only engagement
 * that must not count, a partner in two campaigns, and `mark` stopping a sequence.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { touchDecision } from '../../src/lib/campaign/audience.ts';
import {
  addBusinessDays,
  buildQueue,
  type FollowUp,
  type FollowupCampaign,
  loadPartnerStates,
  markOutcome,
  partnerTimeline,
  scoringConfig,
} from '../../src/lib/followup/index.ts';
import type { Store } from '../../src/lib/store/index.ts';
import { craftedCampaign, DAY, ev, partner, sent, tempStore } from './helpers.ts';

const now = new Date();
const ago = (days: number) => new Date(now.getTime() - days * DAY);

let store: Store;
let cleanup: () => Promise<void>;
let air: FollowupCampaign;
let past: FollowupCampaign;
let other: FollowupCampaign;
let queue: FollowUp[];
const item = (campaign: string, id: string) => {
  const found = queue.find((i) => i.campaign === campaign && i.partnerId === id);
  if (!found) throw new Error(`no item ${campaign}/${id}`);
  return found;
};

beforeAll(async () => {
  ({ store, cleanup } = await tempStore());
  const gatekeeper = { name: 'Kari Solheim', role: 'Executive assistant', email: 'kari@gk.example.com' };
  const referrer = { name: 'Aoife Brennan', email: 'aoife@ref.example.com' };
  air = craftedCampaign('air', [
    partner('unsent'),
    partner('silent'),
    partner('opener'),
    partner('botted'),
    partner('warm'),
    partner('hot'),
    partner('reader'),
    partner('registered'),
    partner('caller'),
    partner('feedbacker'),
    partner('paused'),
    partner('resurfaced'),
    partner('decliner'),
    partner('unsub'),
    partner('bouncer', { gatekeepers: [gatekeeper] }),
    partner('last-referred', { referrer }),
    partner('last-gated', { gatekeepers: [gatekeeper] }),
    partner('last-alone'),
    partner('marked'),
    partner('dropped'),
    partner('shared', { email: 'shared@partners.example.com' }),
  ]);
  past = craftedCampaign('past', [partner('attendee'), partner('noshow')], { webinarDays: -3 });
  other = craftedCampaign('other', [partner('shared-b', { email: 'Shared@Partners.example.com ' })]);
  await store.upsertPartners(
    'air',
    air.partners.map((p) => ({ partnerId: p.id, token: `tok-air-${p.id}`, email: p.email })),
  );
  await store.upsertPartners('other', [
    { partnerId: 'shared-b', token: 'tok-other-shared-b', email: 'shared@partners.example.com' },
  ]);

  const everyone = air.partners.map((p) => p.id).filter((id) => id !== 'unsent');
  await sent(store, air, 'announce', everyone);
  for (const id of ['last-referred', 'last-gated', 'last-alone']) {
    await sent(store, air, 'invite', [id]);
    await sent(store, air, 'follow-up', [id]);
  }
  await sent(store, past, 'announce', ['attendee', 'noshow']);
  await sent(store, other, 'announce', ['shared-b']);

  await store.appendEvents([
    ...everyone.map((id) => ev('air', id, 'email.delivered', ago(19), 'human')),
    ev('air', 'opener', 'email.opened', ago(19), 'human'),
    ev('air', 'opener', 'email.opened', ago(18), 'suspect'),
    // A mail scanner "reads" everything seconds after delivery: stored, labelled, never counted.
    ev('air', 'botted', 'page_view', ago(19), 'bot'),
    ev('air', 'botted', 'visible_time', ago(19), 'bot', { ms: 600_000 }),
    ev('air', 'botted', 'read_progress', ago(19), 'suspect', { index: 9, of: 10 }),
    ev('air', 'botted', 'cta_click', ago(19), 'bot'),
    ev('air', 'warm', 'page_view', ago(3)),
    ev('air', 'warm', 'visible_time', ago(3), 'human', { ms: 40_000 }),
    ev('air', 'hot', 'page_view', ago(0.1)),
    ev('air', 'hot', 'visible_time', ago(0.1), 'human', { ms: 100_000 }),
    ev('air', 'hot', 'visible_time', ago(0.05), 'human', { ms: 90_000 }),
    ev('air', 'reader', 'read_progress', ago(1), 'human', { index: 5, of: 10 }),
    ev('air', 'shared', 'page_view', ago(0.2)),
    ev('air', 'shared', 'visible_time', ago(0.2), 'human', { ms: 400_000 }),
    ev('other', 'shared-b', 'page_view', ago(0.3)),
  ]);
  const respond = (
    kind: Parameters<Store['addResponse']>[0]['kind'],
    campaign: string,
    id: string,
    extra = {},
  ) =>
    store.addResponse({
      kind,
      idempotencyKey: `${kind}:${campaign}:${id}`,
      campaign,
      partnerId: id,
      source: 'form',
      occurredAt: ago(1),
      ...extra,
    });
  await respond('registration', 'air', 'registered', {
    webinar: 'air-live',
    email: 'registered@partners.example.com',
  });
  await respond('call-request', 'air', 'caller', { preferredTimes: ['Tuesday morning'] });
  await respond('feedback', 'air', 'feedbacker', {
    text: 'Strong on numbers',
    rating: 4,
    consentToQuote: false,
  });
  await respond('not-now', 'air', 'paused', { until: new Date(now.getTime() + 14 * DAY) });
  await respond('not-now', 'air', 'resurfaced', { until: ago(2), occurredAt: ago(16) });
  await respond('decline', 'air', 'decliner', { text: 'not our market' });
  await respond('registration', 'past', 'attendee', {
    webinar: 'past-live',
    email: 'attendee@partners.example.com',
  });
  await respond('registration', 'past', 'noshow', {
    webinar: 'past-live',
    email: 'noshow@partners.example.com',
  });
  await respond('attendance', 'past', 'attendee', {
    webinar: 'past-live',
    email: 'attendee@partners.example.com',
  });
  await store.addSuppression({
    email: 'unsub@partners.example.com',
    reason: 'unsubscribed',
    source: 'one-click',
  });
  await store.addSuppression({
    email: 'bouncer@partners.example.com',
    reason: 'hard-bounce',
    source: 'webhook',
  });
  await markOutcome(store, [air, past, other], {
    partner: 'marked',
    outcome: 'replied',
    note: 'wants pricing',
  });
  await markOutcome(store, [air], { partner: 'dropped', outcome: 'not-interested', campaign: 'air' });

  queue = await buildQueue(store, [air, past, other], { now });
});

afterAll(async () => {
  await cleanup();
});

describe('statuses', () => {
  it.each([
    ['air', 'unsent', 'not-sent', 'send-first'],
    ['air', 'silent', 'no-response', 'next-touch'],
    ['air', 'opener', 'opened-only', 'next-touch'],
    ['air', 'botted', 'no-response', 'next-touch'],
    ['air', 'warm', 'engaged-warm', 'next-touch'],
    ['air', 'hot', 'engaged-hot', 'personal-follow-up'],
    ['air', 'reader', 'engaged-hot', 'personal-follow-up'],
    ['air', 'registered', 'registered', 'remind'],
    ['past', 'attendee', 'attended', 'thank-next-step'],
    ['past', 'noshow', 'no-show', 'send-recording'],
    ['air', 'caller', 'call-requested', 'schedule-call'],
    ['air', 'feedbacker', 'feedback-given', 'personal-follow-up'],
    ['air', 'paused', 'not-now', 'wait'],
    ['air', 'resurfaced', 'no-response', 'next-touch'],
    ['air', 'decliner', 'declined', 'thank-and-stop'],
    ['air', 'unsub', 'unsubscribed', 'stop'],
    ['air', 'bouncer', 'bounced', 'find-address'],
    ['air', 'marked', 'in-conversation', 'continue-conversation'],
    ['air', 'dropped', 'declined', 'stop'],
  ])('%s/%s is %s → %s', (campaign, id, status, action) => {
    const i = item(campaign, id);
    expect(i.status).toBe(status);
    expect(i.action).toBe(action);
    expect(i.reason).not.toBe('');
    expect(i.suggestion).not.toBe('');
  });

  it('gives every partner of every campaign exactly one row', () => {
    expect(queue).toHaveLength(air.partners.length + past.partners.length + other.partners.length);
  });
});

describe('signals are not all equal', () => {
  it('bot-only engagement does not count: no status, no score, not hot', () => {
    const i = item('air', 'botted');
    expect(i.hot).toBe(false);
    expect(i.score).toBe(0);
    expect(i.lastHumanActivity).toBeNull();
  });

  it('opens alone never move a partner out of "no response"', () => {
    const i = item('air', 'opener');
    expect(i.status).toBe('opened-only');
    expect(i.hot).toBe(false);
    expect(i.score).toBe(0);
    expect(i.statusLabel).toBe('opened only');
  });

  it('the score follows configured weights and decays with a half-life', () => {
    const base = item('air', 'warm').score;
    expect(base).toBeGreaterThan(0);
    expect(scoringConfig({ weights: { visit: 5 } }).weights.visit).toBe(5);
    expect(scoringConfig({ halfLifeDays: 3 }).halfLifeDays).toBe(3);
    expect(scoringConfig(undefined).weights.open).toBe(0);
  });
});

describe('follow-up rules', () => {
  it('hot → personal follow-up by the named owner within one business day, surfaced at once', () => {
    const i = item('air', 'hot');
    expect(i.owner).toBe('maren');
    expect(i.priority).toBe(0);
    const hotAt = new Date(i.hotAt ?? '');
    expect(i.due).toBe(addBusinessDays(hotAt, 1, 'UTC').toISOString());
    expect(i.suggestion).toMatch(/maren/);
    // Surfaced at once: hot rows lead the queue.
    const firstNonHot = queue.findIndex((q) => q.priority !== 0);
    expect(queue.findIndex((q) => q.partnerId === 'hot')).toBeLessThan(firstNonHot);
  });

  it('call → schedule it, with the times they offered', () => {
    const i = item('air', 'caller');
    expect(i.hot).toBe(true);
    expect(i.suggestion).toMatch(/10-minute call/);
    expect(i.suggestion).toMatch(/Tuesday morning/);
  });

  it('feedback → personal follow-up that asks for consent to quote', () => {
    expect(item('air', 'feedbacker').suggestion).toMatch(/quote/);
  });

  it('registered → the reminder touch', () => {
    const i = item('air', 'registered');
    expect(i.due).toBe(air.touches.find((t) => t.id === 'reminder')?.at.toISOString());
  });

  it('attended → thanks and one next step; no-show → the recording', () => {
    expect(item('past', 'attendee').suggestion).toMatch(/Thank/);
    expect(item('past', 'noshow').suggestion).toMatch(/recording/);
  });

  it('silent after a touch → the next touch that adds something new', () => {
    const i = item('air', 'silent');
    expect(i.reason).toMatch(/"invite"/);
    expect(i.suggestion).toMatch(/never "did you get my last email\?"/);
  });

  it('never the same message again: a touch with an already-sent template is skipped', async () => {
    const c = craftedCampaign('same', [partner('p')]);
    const [first, second] = c.touches;
    if (!first || !second) throw new Error('touches');
    second.template = first.template;
    const { store: s, cleanup: done } = await tempStore();
    try {
      await sent(s, c, first.id, ['p']);
      const [row] = await buildQueue(s, [c], { now });
      expect(row?.reason).not.toMatch(new RegExp(`"${second.id}"`));
    } finally {
      await done();
    }
  });

  it('silent after the last touch → referrer note, else ask the gatekeeper, else stop', () => {
    const referred = item('air', 'last-referred');
    expect(referred.action).toBe('referrer-note');
    expect(referred.contact).toBe('aoife@ref.example.com');
    const gated = item('air', 'last-gated');
    expect(gated.action).toBe('ask-gatekeeper');
    expect(gated.contact).toBe('kari@gk.example.com');
    const alone = item('air', 'last-alone');
    expect(alone.action).toBe('stop');
    expect(alone.reason).toMatch(/hurt more than they help/);
  });

  it('not now → resurfaces on its date', () => {
    const i = item('air', 'paused');
    expect(i.until).not.toBeNull();
    expect(i.due).toBe(i.until);
    expect(item('air', 'resurfaced').reason).toMatch(/not-now ended/);
  });

  it('declined → stop and thank; bounced → find a new address via the gatekeeper', () => {
    expect(item('air', 'decliner').suggestion).toMatch(/thank you/i);
    const b = item('air', 'bouncer');
    expect(b.suggestion).toMatch(/Kari Solheim/);
    expect(b.contact).toBe('kari@gk.example.com');
  });

  it('due today first, stopped partners last', () => {
    const buckets = queue.map((i) => (i.priority === 0 ? 0 : i.due === null ? 2 : 1));
    expect([...buckets].sort()).toEqual(buckets.slice().sort());
    expect(queue.at(-1)?.due).toBeNull();
  });
});

describe('one timeline across campaigns', () => {
  it('holds the other campaign while one campaign follows up a hot partner', () => {
    const a = item('air', 'shared');
    const b = item('other', 'shared-b');
    expect(a.action).toBe('personal-follow-up');
    expect(a.otherCampaigns).toEqual(['other']);
    expect(b.action).toBe('hold');
    expect(b.reason).toMatch(/"air"/);
  });

  it('shows both campaigns on the partner timeline, bots only on request', async () => {
    const t = await partnerTimeline(store, [air, past, other], { campaign: 'other', partnerId: 'shared-b' });
    expect(new Set(t?.entries.map((e) => e.campaign))).toEqual(new Set(['air', 'other']));
    const human = await partnerTimeline(store, [air], { campaign: 'air', partnerId: 'botted' });
    expect(human?.entries.some((e) => e.kind === 'event' && e.verdict !== 'human')).toBe(false);
    const all = await partnerTimeline(
      store,
      [air],
      { campaign: 'air', partnerId: 'botted' },
      { includeNonHuman: true },
    );
    const bots = all?.entries.filter((e) => e.verdict === 'bot' || e.verdict === 'suspect') ?? [];
    expect(bots.length).toBeGreaterThanOrEqual(4);
    expect(bots[0]?.verdictReason).toMatch(/scanner/);
  });
});

describe('mark', () => {
  it('stops the follow-up and referrer-nudge sequences (replied) and every touch (not-interested)', async () => {
    const states = await loadPartnerStates(store, air, now);
    const followUp = air.touches.find((t) => t.kind === 'follow-up');
    const announce = air.touches.find((t) => t.kind === 'announce');
    if (!followUp || !announce) throw new Error('touches');
    expect(touchDecision(followUp, {}, states.get('marked') ?? {}, now)).toEqual({
      send: false,
      reason: 'responded',
    });
    expect(touchDecision(followUp, {}, states.get('silent') ?? {}, now)).toEqual({ send: true });
    expect(touchDecision(announce, {}, states.get('dropped') ?? {}, now)).toEqual({
      send: false,
      reason: 'declined',
    });
  });

  it('goes on the timeline with its note', async () => {
    const t = await partnerTimeline(store, [air], { campaign: 'air', partnerId: 'marked' });
    const entry = t?.entries.find((e) => e.type === 'replied');
    expect(entry?.detail).toMatch(/wants pricing/);
  });

  it('refuses an unknown partner and an unknown outcome', async () => {
    await expect(markOutcome(store, [air], { partner: 'nobody', outcome: 'met' })).rejects.toThrow(
      /no partner/,
    );
    await expect(markOutcome(store, [air], { partner: 'silent', outcome: 'won' as 'met' })).rejects.toThrow(
      /unknown outcome/,
    );
  });
});
