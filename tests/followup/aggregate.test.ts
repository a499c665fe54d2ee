/**
 * The incremental summaries the queue reads, on both engines: the same groups as one full
 * `summarizeEvents`, new events added on the next call, id ranges (`afterId`, `throughId`) and
 * `lastEventId` from the store.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { clearSummaries, summarizeIncremental } from '../../src/lib/followup/index.ts';
import type { EventSummary } from '../../src/lib/store/index.ts';
import { engines } from '../store/engines.ts';
import { ev } from './helpers.ts';

const sorted = (groups: EventSummary[]) =>
  groups
    .map((g) => ({ ...g }))
    .sort((a, b) =>
      `${a.partnerId}${a.type}${a.verdict}`.localeCompare(`${b.partnerId}${b.type}${b.verdict}`),
    );

describe.each(engines)('incremental event summaries ($name)', (engine) => {
  afterAll(() => engine.cleanup());

  it('matches a full summary after new events arrive, and ranges by id', async () => {
    const store = await (await engine.fresh()).open();
    try {
      const at = new Date('2027-01-12T10:00:00Z');
      const options = { campaign: 'c', includeNonHuman: true, metrics: ['ms'] };
      expect(await store.lastEventId()).toBe(0);
      await store.appendEvents([
        ev('c', 'a', 'visible_time', at, 'human', { ms: 1000 }),
        ev('c', 'a', 'visible_time', at, 'bot', { ms: 5000 }),
        ev('c', 'b', 'page_view', at),
      ]);
      const first = await summarizeIncremental(store, options);
      expect(sorted(first)).toEqual(sorted(await store.summarizeEvents(options)));
      const through = await store.lastEventId();
      expect(through).toBeGreaterThanOrEqual(3);

      await store.appendEvents([
        ev('c', 'a', 'visible_time', new Date(at.getTime() + 60_000), 'human', { ms: 2500 }),
        ev('c', 'd', 'page_view', at),
      ]);
      const second = await summarizeIncremental(store, options);
      expect(sorted(second)).toEqual(sorted(await store.summarizeEvents(options)));
      const a = second.find((g) => g.partnerId === 'a' && g.verdict === 'human');
      expect(a?.count).toBe(2);
      expect(a?.sum.ms).toBe(3500);
      expect(a?.last).toBe(new Date(at.getTime() + 60_000).toISOString());

      const onlyNew = await store.summarizeEvents({ ...options, afterId: through });
      expect(onlyNew.reduce((n, g) => n + g.count, 0)).toBe(2);
      const onlyOld = await store.summarizeEvents({ ...options, throughId: through });
      expect(onlyOld.reduce((n, g) => n + g.count, 0)).toBe(3);
      clearSummaries(store);
    } finally {
      await store.close();
    }
  });
});
