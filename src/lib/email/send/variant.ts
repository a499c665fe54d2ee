/**
 * Subject tests: a template may list `subjects:` in its frontmatter. Partners are split between
 * the variants evenly and deterministically: every partner of the campaign is ordered by a hash of
 * campaign, touch and partner id, and the n-th in that order gets variant n mod k. So the groups
 * differ by at most one partner, the split is the same on every run and machine, and it does not
 * follow the order of partners.csv (which often groups similar partners together).
 */
import { createHash } from 'node:crypto';
import type { Campaign, Touch } from '../../campaign/load.ts';

const cache = new WeakMap<Campaign, Map<string, Map<string, number>>>();

/** The variant index (0-based) of `partnerId` for `touch`, or null when the touch has no test. */
export function subjectVariantOf(campaign: Campaign, touch: Touch, partnerId: string): number | null {
  const count = touch.email.subjects?.length ?? 0;
  if (count < 2) return null;
  let byTouch = cache.get(campaign);
  if (!byTouch) {
    byTouch = new Map();
    cache.set(campaign, byTouch);
  }
  let assignment = byTouch.get(touch.id);
  if (!assignment) {
    const hashOf = (id: string) =>
      createHash('sha256')
        .update(JSON.stringify([campaign.id, touch.id, id]))
        .digest('hex');
    const ordered = campaign.partners
      .map((p) => ({ id: p.id, hash: hashOf(p.id) }))
      .sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
    assignment = new Map(ordered.map((p, i) => [p.id, i % count]));
    byTouch.set(touch.id, assignment);
  }
  return assignment.get(partnerId) ?? null;
}

/** `A`, `B`, … for variant indexes. */
export function variantLabel(index: number): string {
  return String.fromCharCode(65 + index);
}
