/**
 * The state module reads what the inbox records (src/lib/inbox/effects.ts), on crafted timelines
 * in a real SQLite store: a reply the inbox read is "replied" (reply to them, first in the queue)
 * until someone marks an outcome after it; "talk to <someone>" is "referred" (contact them);
 * "no longer with the company" is "left the company" (find a new contact, the replacement when
 * named), no touch goes to them, and saying no still comes first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { touchDecision } from '../../src/lib/campaign/audience.ts';
import {
  buildQueue,
  type FollowUp,
  type FollowupCampaign,
  loadCampaignStates,
  loadPartnerStates,
} from '../../src/lib/followup/index.ts';
import { applyTable, tableQuery } from '../../src/lib/followup/table.ts';
import type { Store } from '../../src/lib/store/index.ts';
import { formatDate } from '../../src/lib/time/format.ts';
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

/** A reply as the inbox records it: a `replied` response from `inbox`. */
const inboxReply = (id: string, at: Date, text: string, data: Record<string, unknown> = {}) =>
  store.addResponse({
    kind: 'replied',
    idempotencyKey: `inbox:${id}:reply`,
    campaign: 'air',
    partnerId: id,
    source: 'inbox',
    occurredAt: at,
    text,
    data: { intent: 'conversation', ...data },
  });
/** A "no longer with the company" notice as the inbox records it. */
const left = (id: string, at: Date, replacement: unknown) => ({
  ...ev('air', id, 'inbox.left-company', at, 'bot', { replacement }),
  eventKey: `inbox:${id}:left`,
});

beforeAll(async () => {
  ({ store, cleanup } = await tempStore());
  air = craftedCampaign('air', [
    partner('replier'),
    partner('handled'),
    partner('hot'),
    partner('referrer-named', {}),
    partner('referrer-nameonly'),
    partner('gone'),
    partner('gone-quiet', { gatekeepers: [{ name: 'Pat Gate', email: 'pat@partners.example.com' }] }),
    partner('gone-paused'),
    partner('gone-declined'),
  ]);
  await sent(
    store,
    air,
    'announce',
    air.partners.map((p) => p.id),
  );
  await inboxReply('replier', ago(1), 'Sounds good.\nCan we talk on Friday?');
  await inboxReply('handled', ago(3), 'Yes please.');
  await store.addResponse({
    kind: 'met',
    idempotencyKey: 'mark-handled',
    campaign: 'air',
    partnerId: 'handled',
    source: 'cli',
    occurredAt: ago(2),
  });
  await store.addResponse({
    kind: 'call-request',
    idempotencyKey: 'call-hot',
    campaign: 'air',
    partnerId: 'hot',
    source: 'form',
    occurredAt: ago(0.5),
  });
  await inboxReply('referrer-named', ago(2), 'Please talk to Erin Miller.', {
    intent: 'referral',
    referral: { name: 'Erin Miller', email: 'erin@partners.example.com' },
  });
  await inboxReply('referrer-nameonly', ago(2), 'Talk to Sam.', {
    intent: 'referral',
    referral: { name: 'Sam', email: null },
  });
  await store.appendEvents([
    left('gone', ago(2), { name: 'Henry Newman', email: 'henry@partners.example.com' }),
    left('gone-quiet', ago(2), null),
    left('gone-paused', ago(1), { name: null, email: 'next@partners.example.com' }),
    left('gone-declined', ago(1), null),
  ]);
  await store.addResponse({
    kind: 'not-now',
    idempotencyKey: 'pause-gone',
    campaign: 'air',
    partnerId: 'gone-paused',
    source: 'form',
    occurredAt: ago(3),
    until: new Date(now.getTime() + 30 * DAY),
  });
  await store.addResponse({
    kind: 'decline',
    idempotencyKey: 'decline-gone',
    campaign: 'air',
    partnerId: 'gone-declined',
    source: 'form',
    occurredAt: ago(3),
  });
  queue = await buildQueue(store, [air], { now });
});

afterAll(async () => {
  await cleanup?.();
});

describe('a reply the inbox read', () => {
  it('is "replied": reply to them, quoting when and what, first in the queue ahead of a hot partner', () => {
    expect(item('replier')).toMatchObject({
      status: 'replied',
      statusLabel: 'replied',
      action: 'reply',
      actionLabel: 'reply to them',
      contact: 'replier@partners.example.com',
      priority: 0,
    });
    expect(item('replier').reason).toBe(
      // The day as the team reads it: the campaign's zone (UTC here) and locale (en-GB).
      `replied by email on ${formatDate(ago(1), 'UTC', 'en-GB')}: "Sounds good."; sequences stopped`,
    );
    expect(queue[0]?.partnerId).toBe('replier');
    expect(queue[1]?.partnerId).toBe('hot');
  });

  it("is the dashboard table's first row by default", () => {
    const rows = applyTable([...queue].reverse(), air.partners, tableQuery(new URLSearchParams()));
    expect(rows[0]?.partnerId).toBe('replier');
  });

  it('becomes "in conversation" once an outcome is marked after it', () => {
    expect(item('handled')).toMatchObject({ status: 'in-conversation', action: 'continue-conversation' });
  });

  it('"talk to <someone>" is "referred": contact the referral, shown in the label and the reason', () => {
    expect(item('referrer-named')).toMatchObject({
      status: 'referred',
      statusLabel: 'referred us to someone else (Erin Miller <erin@partners.example.com>)',
      action: 'contact-referral',
      contact: 'erin@partners.example.com',
    });
    expect(item('referrer-named').reason).toContain('talk to Erin Miller <erin@partners.example.com>');
    expect(item('referrer-nameonly')).toMatchObject({ status: 'referred', contact: null });
    expect(item('referrer-nameonly').suggestion).toContain('Write to Sam (ask referrer for the address)');
  });
});

describe('"no longer with the company"', () => {
  it('is "left the company": find a new contact, the replacement suggested when named', () => {
    expect(item('gone')).toMatchObject({
      status: 'left-company',
      statusLabel: 'left the company (replacement: Henry Newman <henry@partners.example.com>)',
      action: 'new-contact',
      actionLabel: 'find a new contact',
      contact: 'henry@partners.example.com',
    });
    expect(item('gone').suggestion).toContain('Write to Henry Newman <henry@partners.example.com>');
    expect(item('gone-quiet')).toMatchObject({ status: 'left-company', contact: 'pat@partners.example.com' });
    expect(item('gone-quiet').suggestion).toContain('Ask Pat Gate who took over');
  });

  it('wins over a pause (they are gone), and a no still wins over it', () => {
    expect(item('gone-paused')).toMatchObject({
      status: 'left-company',
      contact: 'next@partners.example.com',
    });
    expect(item('gone-declined').status).toBe('declined');
  });

  it('stops every touch for the sender, with the reason', async () => {
    const flags = await loadPartnerStates(store, air, now);
    const { states } = await loadCampaignStates(store, air, { now });
    const gone = air.partners.find((p) => p.id === 'gone');
    if (!gone) throw new Error('no partner');
    for (const touch of air.touches)
      expect(touchDecision(touch, gone, flags.get('gone') ?? {}, now)).toEqual({
        send: false,
        reason: 'left-company',
      });
    expect(item('gone').touches.every((t) => !t.send && t.reason === 'left-company')).toBe(true);
    expect(states.get('gone')?.flags.left).toBe(true);
    expect(states.get('replier')?.flags.left).toBe(false);
  });
});
