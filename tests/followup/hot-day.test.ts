/**
 * One hot note per partner and day, the day being the team's: the campaign's zone, as the queue
 * and the digest count "today". A partner who turns hot at 18:30 and again at 20:00 in New York
 * is one note, though the UTC date changed between them; the next morning there is another.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { HotNotifier } from '../../src/lib/engagement/hot.ts';
import { craftedCampaign, partner, sent, tempOutbox, tempStore } from './helpers.ts';

describe('the hot note', () => {
  it("is one per partner and day of the campaign's zone", async () => {
    const { store, cleanup } = await tempStore();
    onTestFinished(cleanup);
    const first = new Date('2026-12-01T23:30:00Z'); // 18:30 on 1 December in New York
    const campaign = {
      ...craftedCampaign('ny', [partner('p1', { owner: 'maren@team.example.com' })], { now: first }),
      timeZone: 'America/New_York',
    };
    await sent(store, campaign, 'announce', ['p1']);
    await store.addResponse({
      kind: 'call-request',
      idempotencyKey: 'call-1',
      campaign: 'ny',
      partnerId: 'p1',
      source: 'form',
      occurredAt: new Date('2026-12-01T23:00:00Z'),
    });
    const outbox = tempOutbox();
    onTestFinished(outbox.cleanup);
    const notifier = new HotNotifier(async () => store, {
      campaigns: async () => [campaign],
      transport: outbox.transport,
      env: {},
    });
    const ref = { campaign: 'ny', partnerId: 'p1' };
    const hotAt = async (at: string) => {
      notifier.afterCommit(ref, 'form', [], new Date(at));
      await notifier.idle();
      return notifier.stats.notes;
    };
    expect(await hotAt(first.toISOString())).toBe(1);
    // 20:00 the same evening in New York: 2 December in UTC, still 1 December for the team.
    expect(await hotAt('2026-12-02T01:00:00Z')).toBe(1);
    // 01:00 on 2 December in New York: a new day for the team.
    expect(await hotAt('2026-12-02T06:00:00Z')).toBe(2);
    expect(notifier.stats.failed).toBe(0);
  });
});
