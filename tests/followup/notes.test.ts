/**
 * Notes that lead somewhere: a hot note links to the partner's dashboard page and comes from a
 * named sender; in outbox mode the funnel says "written to the outbox", not "delivered 0".
 */

import { afterEach, describe, expect, it } from 'vitest';
import { campaignPage } from '../../src/lib/followup/index.ts';
import { notifyOwnerOfHotPartner } from '../../src/lib/followup/notify.ts';
import { craftedCampaign, ev, partner, sent, tempOutbox, tempStore } from './helpers.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('hot notes and the outbox funnel', () => {
  it('links the dashboard page and names the sender', async () => {
    const { store, cleanup } = await tempStore();
    cleanups.push(cleanup);
    const campaign = {
      ...craftedCampaign('c1', [partner('p1', { owner: 'maren@team.example.com' })]),
      sender: { name: 'Maren Lie', email: 'maren@team.example.com' },
    };
    await sent(store, campaign, 'announce', ['p1']);
    await store.addResponse({
      kind: 'call-request',
      idempotencyKey: 'call-1',
      campaign: 'c1',
      partnerId: 'p1',
      source: 'form',
    });
    const outbox = tempOutbox();
    cleanups.push(outbox.cleanup);
    const { transport } = outbox;
    const note = await notifyOwnerOfHotPartner(
      store,
      [campaign],
      { campaign: 'c1', partnerId: 'p1' },
      {
        transport,
        env: { AIRCOVER_SITE_URL: 'https://partners.example.com/' },
      },
    );
    expect(note?.result?.status).toBe('sent');
    expect(note?.message.from).toBe('"Maren Lie via aircover" <maren@team.example.com>');
    expect(note?.message.text).toContain(
      'Open in the dashboard: https://partners.example.com/admin/partners/c1/p1',
    );
    // Its Message-ID is remembered as the team's mail: a reply to it names no partner (inbox/match.ts).
    const id = note?.message.headers['Message-ID'] ?? '';
    expect(id).toMatch(/^<[0-9a-f]{32}@team\.example\.com>$/);
    expect(await store.findSentMessages([id])).toMatchObject([
      { kind: 'hot-note', campaign: 'c1', partnerId: null, recipient: 'maren@team.example.com' },
    ]);
  });

  it('says "written to the outbox" when nothing reports delivery and no provider is set', async () => {
    const { store, cleanup } = await tempStore();
    cleanups.push(cleanup);
    const campaign = craftedCampaign('c2', [partner('a'), partner('b')]);
    await sent(store, campaign, 'announce', ['a', 'b']);
    const saved = process.env.RESEND_API_KEY;
    delete process.env.RESEND_API_KEY;
    try {
      const outbox = await campaignPage(store, campaign);
      expect(outbox.report.funnel[1]).toEqual({ stage: 'written to the outbox', partners: 2 });
      await store.appendEvents([ev('c2', 'a', 'email.delivered', new Date())]);
      const delivered = await campaignPage(store, campaign);
      expect(delivered.report.funnel[1]).toEqual({ stage: 'delivered', partners: 1 });
    } finally {
      if (saved !== undefined) process.env.RESEND_API_KEY = saved;
    }
  });
});
