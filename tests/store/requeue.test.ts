/**
 * requeueFailedSends (aircover send --retry-failed), on every engine: refused rows go back to
 * planned with no attempts, so the next plan treats them as never sent; rows whose outcome is
 * unknown (they may have been delivered) stay failed; a dry run changes nothing.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { engines } from './engines.ts';

describe.each(engines)('requeueFailedSends on $name', (engine) => {
  afterAll(() => engine.cleanup());

  it('requeues refused rows, keeps unknown outcomes, and a dry run writes nothing', async () => {
    const store = await (await engine.fresh()).open();
    try {
      const entry = (id: string, touch = 't1') => ({
        campaign: 'c',
        touch,
        partnerId: id,
        recipient: `${id}@example.org`,
        idempotencyKey: `c:${touch}:${id}:v1`,
      });
      await store.planSends([entry('a'), entry('b'), entry('c'), entry('d'), entry('a', 't2')]);
      const claimed = await store.claimSends('c', 't1', 10);
      expect(claimed).toHaveLength(4);
      await store.markFailed('c:t1:a:v1', 'invalid_api_key (403): API key is invalid.', false);
      await store.markFailed('c:t1:b:v1', 'validation_error (422): bad address', false);
      await store.markFailed('c:t1:c:v1', 'outcome unknown: in flight more than 23 hours ago', false);
      await store.markSent('c:t1:d:v1', 'id-d');

      const dry = await store.requeueFailedSends({ campaign: 'c', touch: 't1', dryRun: true });
      expect(dry.requeued.map((r) => r.partnerId)).toEqual(['a', 'b']);
      expect(dry.unknown.map((r) => r.partnerId)).toEqual(['c']);
      expect(await store.countLedger('c', 't1')).toMatchObject({ failed: 3, sent: 1, planned: 0 });

      const done = await store.requeueFailedSends({ campaign: 'c', touch: 't1' });
      expect(done.requeued.map((r) => r.partnerId)).toEqual(['a', 'b']);
      expect(await store.countLedger('c', 't1')).toMatchObject({ failed: 1, sent: 1, planned: 2 });
      const a = await store.getSend('c', 't1', 'a');
      expect(a).toMatchObject({ state: 'planned', attempts: 0, retryable: false, requestKey: null });
      // The last error stays for the listing until the row is sent.
      expect(a?.lastError).toMatch(/invalid_api_key/);
      // Never attempted again, so a new plan may refresh its key to the current content.
      const plan = await store.planSends([{ ...entry('a'), idempotencyKey: 'c:t1:a:v2' }]);
      expect(plan.updated).toBe(1);
      expect((await store.getSend('c', 't1', 'a'))?.idempotencyKey).toBe('c:t1:a:v2');
      // Another touch is left alone.
      expect((await store.getSend('c', 't2', 'a'))?.state).toBe('planned');
    } finally {
      await store.close();
    }
  });
});
