/**
 * The subject variant is a fact of the send ledger: each row records the variant and the subject
 * it went out with (migration 9), and the report groups partners by what the ledger says. A split
 * that would come out differently today (a partner added to partners.csv reshuffles it) does not
 * move anyone who was already sent; rows sent before the ledger kept the variant fall back to the
 * assignment recomputed now.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { type Campaign, loadCampaign, type Touch } from '../../src/lib/campaign/load.ts';
import type { Partner } from '../../src/lib/campaign/partners.ts';
import { planTouch, sendTouch } from '../../src/lib/email/send/index.ts';
import { subjectVariantOf } from '../../src/lib/email/send/variant.ts';
import { createOutboxTransport } from '../../src/lib/email/transport/outbox.ts';
import { subjectTests } from '../../src/lib/report/subject-test.ts';
import { contentDir, FIXTURE_SECRET, type Fixture, makeFixture } from '../send/fixture.ts';
import { engines } from '../store/engines.ts';

const render = { secret: FIXTURE_SECRET };
const fixtures: Fixture[] = [];
afterAll(() => {
  for (const f of fixtures) rmSync(f.root, { recursive: true, force: true });
});

function fixture(count: number): { campaign: Campaign; touch: Touch; root: string } {
  const f = makeFixture({
    count,
    touches: ['advance-notice'],
    when: { 'advance-notice': '2026-01-05T09:00:00Z' },
  });
  fixtures.push(f);
  const file = join(f.dir, 'emails', 'advance-notice.md');
  writeFileSync(
    file,
    readFileSync(file, 'utf8').replace(
      /^---\n/,
      '---\nsubjects:\n  - "Left: for {{ partner.company }}"\n  - "Right: a copy for you"\n',
    ),
  );
  const loaded = loadCampaign(f.dir, { contentDir });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return { campaign: loaded.campaign, touch: loaded.campaign.touches[0] as Touch, root: f.root };
}

/** The same campaign with more partners: the recomputed split moves some of the first ones. */
function grown(campaign: Campaign, extra: number): Campaign {
  const first = campaign.partners[0] as Partner;
  const more = Array.from({ length: extra }, (_, i) => ({
    ...first,
    id: `late-${i}`,
    email: `late${i}@example.org`,
  }));
  return { ...campaign, partners: [...campaign.partners, ...more] };
}

describe.each(engines)('subject variant in the ledger ($name)', (engine) => {
  test('each sent row records its variant and subject; the report reads them, not a recomputed split', async () => {
    const { campaign, touch, root } = fixture(24);
    const store = await (await engine.fresh()).open();
    try {
      const transport = createOutboxTransport({ dir: join(root, 'outbox') });
      await planTouch({ store, campaign, render, now: new Date('2026-01-05T10:00:00Z') }, touch, {
        write: true,
      });
      await sendTouch({ store, transport, campaign, render, renderThreads: 0 }, touch);
      const rows = await store.listLedger({ campaign: campaign.id, touch: touch.id, state: 'sent' });
      expect(rows).toHaveLength(24);
      for (const row of rows) {
        const letter = 'AB'[subjectVariantOf(campaign, touch, row.partnerId) as number];
        expect(row.subjectVariant, row.partnerId).toBe(letter);
        const company = campaign.partners.find((p) => p.id === row.partnerId)?.company;
        expect(row.subject).toBe(letter === 'A' ? `Left: for ${company}` : 'Right: a copy for you');
      }

      const later = grown(campaign, 9);
      const laterTouch = later.touches[0] as Touch;
      const moved = rows.filter(
        (r) => 'AB'[subjectVariantOf(later, laterTouch, r.partnerId) as number] !== r.subjectVariant,
      );
      expect(moved.length).toBeGreaterThan(0); // the recomputation alone would regroup these

      // Every partner the ledger put in A reads the paper; nobody in B does.
      const inA = rows.filter((r) => r.subjectVariant === 'A').map((r) => r.partnerId);
      await store.appendEvents(
        inA.map((partnerId) => ({
          campaign: campaign.id,
          partnerId,
          touch: touch.id,
          type: 'read_progress',
          source: 'page' as const,
          occurredAt: new Date('2026-01-06T09:00:00Z'),
          verdict: 'human' as const,
          metadata: { page: 'advance', section: 'h2', index: 2, of: 6 },
        })),
      );
      const [report] = await subjectTests(store, later, new Date('2026-01-07T00:00:00Z'));
      expect(report?.variants.map((v) => [v.variant, v.sent, v.readers])).toEqual([
        ['A', 12, 12],
        ['B', 12, 0],
      ]);
    } finally {
      await store.close();
      await engine.cleanup();
    }
  });

  test('rows sent before the ledger kept the variant fall back to the recomputed split', async () => {
    const { campaign, touch } = fixture(10);
    const store = await (await engine.fresh()).open();
    try {
      await store.planSends(
        campaign.partners.map((p) => ({
          campaign: campaign.id,
          touch: touch.id,
          partnerId: p.id,
          recipient: p.email,
          idempotencyKey: `old:${p.id}`,
        })),
      );
      for (const row of await store.claimSends(campaign.id, touch.id, 100))
        await store.markSent(row.idempotencyKey, `msg-${row.partnerId}`);
      const rows = await store.listLedger({ campaign: campaign.id, touch: touch.id, state: 'sent' });
      expect(rows.every((r) => r.subjectVariant === null && r.subject === null)).toBe(true);
      const [report] = await subjectTests(store, campaign, new Date('2026-01-07T00:00:00Z'));
      expect(report?.variants.map((v) => v.sent)).toEqual([5, 5]);
    } finally {
      await store.close();
      await engine.cleanup();
    }
  });
});
