/**
 * "Today" is the campaign zone's today: the digest's day, its "due today" and the queue's order
 * are read on the campaign's calendar, with a fixed clock, far from UTC (Honolulu, UTC-10;
 * Auckland, UTC+12/+13) and across a change of the clocks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FollowUp, FollowupCampaign } from '../../src/lib/followup/index.ts';
import { buildDigest, digestMessage } from '../../src/lib/followup/notify.ts';
import { isDueToday } from '../../src/lib/followup/rules.ts';
import type { Store } from '../../src/lib/store/index.ts';
import { craftedCampaign, partner, tempStore } from './helpers.ts';

/** A campaign in `timeZone` whose one touch (so every partner's first send) is due at `at`. */
function campaignDueAt(id: string, timeZone: string, at: string): FollowupCampaign {
  const c = craftedCampaign(id, [partner(`${id}-p`)], { now: new Date(at) });
  return {
    ...c,
    timeZone,
    locale: 'en-US',
    webinar: undefined,
    touches: [
      { id: 'announce', kind: 'announce', audience: 'all', at: new Date(at), template: 'emails/a.md' },
    ],
  };
}

const due = (at: string) => ({ priority: 1, due: at, action: 'send-first' }) as unknown as FollowUp;

describe('isDueToday: the calendar day in the campaign zone', () => {
  it('Honolulu in the evening: up to local midnight is today, though UTC is already tomorrow', () => {
    const now = new Date('2026-12-02T05:00:00Z'); // Tue 1 Dec, 19:00 in Honolulu
    expect(isDueToday(due('2026-12-02T09:30:00.000Z'), now, 'Pacific/Honolulu')).toBe(true); // 23:30
    expect(isDueToday(due('2026-12-02T10:30:00.000Z'), now, 'Pacific/Honolulu')).toBe(false); // 00:30 on 2 Dec
  });

  it('Auckland on the night the clocks go forward: the first hour of tomorrow is not today', () => {
    const now = new Date('2026-09-26T13:30:00Z'); // Sun 27 Sep, 01:30 NZST; at 02:00 it becomes 03:00 NZDT
    expect(isDueToday(due('2026-09-27T10:30:00.000Z'), now, 'Pacific/Auckland')).toBe(true); // 23:30 NZDT
    expect(isDueToday(due('2026-09-27T11:30:00.000Z'), now, 'Pacific/Auckland')).toBe(false); // 00:30 on 28 Sep
  });

  it('Auckland on the night the clocks go back: the last hour of today is still today', () => {
    const now = new Date('2026-04-04T12:30:00Z'); // Sun 5 Apr, 01:30 NZDT; at 03:00 it becomes 02:00 NZST
    expect(isDueToday(due('2026-04-05T11:30:00.000Z'), now, 'Pacific/Auckland')).toBe(true); // 23:30 NZST
    expect(isDueToday(due('2026-04-05T12:30:00.000Z'), now, 'Pacific/Auckland')).toBe(false); // 00:30 on 6 Apr
  });
});

describe('the digest', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ store, cleanup } = await tempStore()));
  afterAll(async () => cleanup());

  it("in Honolulu: today's items only, under the local day, with the zone named", async () => {
    const now = new Date('2026-12-02T05:00:00Z'); // 19:00 on Tuesday 1 December in Honolulu
    const campaigns = [
      campaignDueAt('tonight', 'Pacific/Honolulu', '2026-12-02T09:30:00.000Z'),
      campaignDueAt('tomorrow', 'Pacific/Honolulu', '2026-12-02T10:30:00.000Z'),
    ];
    const data = await buildDigest(store, campaigns, { now });
    expect(data.dueToday.map((i) => i.campaign)).toEqual(['tonight']);
    expect(data).toMatchObject({ today: '2026-12-01', timeZone: 'Pacific/Honolulu', locale: 'en-US' });
    const message = digestMessage(data, { to: 'team@example.com', from: 'aircover <team@example.com>' });
    expect(message.subject).toContain('(2026-12-01)');
    expect(message.idempotencyKey).toContain(':2026-12-01:');
    expect(message.text).toContain('aircover digest for Dec 1, 2026 (Pacific/Honolulu)');
    // The due time in en-US, in Honolulu, with its zone.
    expect(message.text).toContain('due Dec 1, 2026, 11:30 PM HST');
    expect(message.text).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
  });

  it('in Auckland: the local day is already tomorrow in UTC', async () => {
    const now = new Date('2026-12-01T20:00:00Z'); // 09:00 on Wednesday 2 December in Auckland
    const campaigns = [
      campaignDueAt('today', 'Pacific/Auckland', '2026-12-02T10:30:00.000Z'), // 23:30 on 2 Dec
      campaignDueAt('next-day', 'Pacific/Auckland', '2026-12-02T11:30:00.000Z'), // 00:30 on 3 Dec
    ];
    const data = await buildDigest(store, campaigns, { now });
    expect(data.dueToday.map((i) => i.campaign)).toEqual(['today']);
    expect(data.today).toBe('2026-12-02');
    const message = digestMessage(data, { to: 'team@example.com', from: 'aircover <team@example.com>' });
    expect(message.text).toContain('aircover digest for Dec 2, 2026 (Pacific/Auckland)');
    expect(message.text).toContain('due Dec 2, 2026, 11:30 PM GMT+13');
  });
});
