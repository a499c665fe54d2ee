/**
 * Subject tests: `subjects:` in a template's frontmatter split partners evenly and deterministically,
 * each partner's message carries their variant's subject, and the report counts per variant the
 * human evidence from the partner state (opens never count) with Fisher's exact test and a plain
 * sentence. A fixture campaign sent through the outbox into a real SQLite store, events seeded.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { type Campaign, loadCampaign, type Touch } from '../../src/lib/campaign/load.ts';
import { tryRenderMessage } from '../../src/lib/email/render/index.ts';
import { planTouch, sendTouch } from '../../src/lib/email/send/index.ts';
import { subjectVariantOf } from '../../src/lib/email/send/variant.ts';
import { createOutboxTransport } from '../../src/lib/email/transport/outbox.ts';
import { fisherExact, subjectTests } from '../../src/lib/report/subject-test.ts';
import type { EventInput } from '../../src/lib/store/index.ts';
import { contentDir, FIXTURE_SECRET, type Fixture, makeFixture } from '../send/fixture.ts';
import { engines } from '../store/engines.ts';

const render = { secret: FIXTURE_SECRET };
const fixtures: Fixture[] = [];
afterAll(() => {
  for (const f of fixtures) rmSync(f.root, { recursive: true, force: true });
});

function subjectFixture(count: number, subjects: string[]): { f: Fixture; campaign: Campaign; touch: Touch } {
  const f = makeFixture({
    count,
    touches: ['advance-notice'],
    when: { 'advance-notice': '2026-01-05T09:00:00Z' },
  });
  fixtures.push(f);
  const file = join(f.dir, 'emails', 'advance-notice.md');
  const text = readFileSync(file, 'utf8');
  const list = subjects.map((s) => `  - ${JSON.stringify(s)}`).join('\n');
  writeFileSync(file, text.replace(/^---\n/, `---\nsubjects:\n${list}\n`));
  const loaded = loadCampaign(f.dir, { contentDir });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const campaign = loaded.campaign;
  return { f, campaign, touch: campaign.touches[0] as Touch };
}

describe('subject variants', () => {
  test('split evenly and deterministically, not in file order; each message carries its variant', async () => {
    const { f, campaign, touch } = subjectFixture(31, [
      'A: what {{ partner.company }} could earn',
      'B: an early copy for {{ recipient.first_name }}',
      'C: the integrator share',
    ]);
    const assigned = campaign.partners.map((p) => subjectVariantOf(campaign, touch, p.id));
    const counts = [0, 1, 2].map((v) => assigned.filter((a) => a === v).length);
    expect(counts.sort()).toEqual([10, 10, 11]);
    // Not simply i mod 3 down the file.
    expect(assigned).not.toEqual(campaign.partners.map((_, i) => i % 3));
    // The same split from a fresh load (another run, another machine).
    const again = loadCampaign(f.dir, { contentDir });
    if (!again.ok) throw new Error('reload');
    const t2 = again.campaign.touches[0] as Touch;
    expect(again.campaign.partners.map((p) => subjectVariantOf(again.campaign, t2, p.id))).toEqual(assigned);

    for (const partner of campaign.partners.slice(0, 6)) {
      const result = await tryRenderMessage(campaign, touch, partner, render);
      if (!result.ok) throw new Error(JSON.stringify(result.problems));
      const letter = 'ABC'[subjectVariantOf(campaign, touch, partner.id) as number];
      expect(result.message.subject.startsWith(`${letter}:`), partner.id).toBe(true);
    }
  });

  test("Fisher's exact test matches known values", () => {
    expect(fisherExact(3, 1, 1, 3)).toBeCloseTo(0.4857, 4);
    expect(fisherExact(8, 2, 1, 5)).toBeCloseTo(0.035, 3);
    expect(fisherExact(0, 10, 0, 10)).toBeCloseTo(1, 10);
  });
});

describe.each(engines)('subject test in the report ($name)', (engine) => {
  test('per variant: sent, human visits, paper readers, replies; opens and bots never count; the verdict says whether it means anything', async () => {
    const { f, campaign, touch } = subjectFixture(40, ['Subject one', 'Subject two']);
    const store = await (await engine.fresh()).open();
    try {
      const transport = createOutboxTransport({ dir: join(f.root, 'outbox') });
      const now = new Date('2026-01-05T10:00:00Z');
      await planTouch({ store, campaign, render, now }, touch, { write: true });
      expect((await sendTouch({ store, transport, campaign, render, renderThreads: 0 }, touch)).sent).toBe(
        40,
      );

      const byVariant = [0, 1].map((v) =>
        campaign.partners.filter((p) => subjectVariantOf(campaign, touch, p.id) === v).map((p) => p.id),
      );
      const [a, b] = byVariant as [string[], string[]];
      const at = new Date('2026-01-06T09:00:00Z');
      const ev = (
        partnerId: string,
        type: string,
        verdict: 'human' | 'bot',
        metadata: Record<string, unknown>,
        source: 'page' | 'webhook' = 'page',
      ): EventInput => ({
        campaign: campaign.id,
        partnerId,
        touch: touch.id,
        type,
        source,
        occurredAt: at,
        verdict,
        metadata,
      });
      const read = (id: string) => [
        ev(id, 'page_view', 'human', { page: 'partner' }),
        ev(id, 'read_progress', 'human', { page: 'advance', section: 'h3', index: 3, of: 6 }),
      ];
      await store.appendEvents([
        // Variant A: 12 of 20 read the paper.
        ...a.slice(0, 12).flatMap(read),
        // Variant B: 2 of 20 read it; 3 more only visited the page.
        ...b.slice(0, 2).flatMap(read),
        ...b.slice(2, 5).map((id) => ev(id, 'page_view', 'human', { page: 'partner' })),
        // Opens of every B message and a scanner "reading" the paper: counted nowhere.
        ...b.map((id) => ev(id, 'email.opened', 'human', {}, 'webhook')),
        ...b
          .slice(10, 15)
          .map((id) => ev(id, 'read_progress', 'bot', { page: 'advance', section: 'h5', index: 5, of: 6 })),
      ]);
      await store.addResponse({
        campaign: campaign.id,
        partnerId: a[0] as string,
        kind: 'replied',
        source: 'cli',
        idempotencyKey: 'reply-a0',
      });

      const [report] = await subjectTests(store, campaign, new Date('2026-01-07T00:00:00Z'));
      expect(report?.variants).toEqual([
        { variant: 'A', subject: 'Subject one', sent: 20, visited: 12, readers: 12, replied: 1 },
        { variant: 'B', subject: 'Subject two', sent: 20, visited: 5, readers: 2, replied: 0 },
      ]);
      // 12/20 against 2/20: Fisher p ≈ 0.0014.
      expect(report?.pValue).toBeCloseTo(fisherExact(12, 8, 2, 18), 10);
      expect(report?.pValue).toBeLessThan(0.01);
      expect(report?.verdict).toMatch(
        /A 60% of 20 read the paper, B 10% of 20 .*unlikely to be chance; A did better/,
      );
    } finally {
      await store.close();
      await engine.cleanup();
    }
  });

  test('a small difference is called chance', async () => {
    const { verdictOf } = await import('../../src/lib/report/subject-test.ts');
    const variants = [
      { variant: 'A', subject: 'x', sent: 10, visited: 4, readers: 4, replied: 0 },
      { variant: 'B', subject: 'y', sent: 10, visited: 2, readers: 2, replied: 0 },
    ];
    expect(verdictOf(variants, fisherExact(4, 6, 2, 8))).toMatch(
      /A 40% of 10 read the paper, B 20% of 10 \(Fisher's exact test, p = 0\.6\d\d\): at this sample size the difference may well be chance/,
    );
  });
});
