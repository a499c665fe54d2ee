/**
 * One hot note per partner and day, the day being the team's: the campaign's zone, as the queue
 * and the digest count "today". A partner who turns hot at 18:30 and again at 20:00 in New York
 * is one note, though the UTC date changed between them; the next morning there is another.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createOutboxTransport } from '../../src/lib/email/transport/index.ts';
import { HotNotifier } from '../../src/lib/engagement/hot.ts';
import { craftedCampaign, partner, sent, tempStore } from './helpers.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('the hot note', () => {
  it("is one per partner and day of the campaign's zone", async () => {
    const { store, cleanup } = await tempStore();
    cleanups.push(cleanup);
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
    const dir = mkdtempSync(join(tmpdir(), 'aircover-hot-day-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const notifier = new HotNotifier(async () => store, {
      campaigns: async () => [campaign],
      transport: createOutboxTransport({ dir }),
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
