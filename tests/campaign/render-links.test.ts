/**
 * The preflight lints the links of `tryRenderLinks`, the send sends `tryRenderMessage`: the two
 * must agree on every message, rendered or not, or the check would pass what the send then sends.
 */
import { describe, expect, it } from 'vitest';
import { loadCampaign } from '../../src/lib/campaign/load.ts';
import { tryRenderLinks, tryRenderMessage } from '../../src/lib/email/render/index.ts';
import { contentDir, craft, fixtureDir, secret } from './helpers.ts';

async function compareAll(dir: string): Promise<{ rendered: number; failed: number }> {
  const loaded = loadCampaign(dir, { contentDir });
  if (!loaded.ok && !loaded.partial) throw new Error(JSON.stringify(loaded.problems));
  const campaign = loaded.ok ? loaded.campaign : loaded.partial;
  if (!campaign) throw new Error('nothing loaded');
  const counts = { rendered: 0, failed: 0 };
  for (const touch of campaign.touches) {
    for (const partner of campaign.partners) {
      const options = { secret, now: new Date('2026-01-05T09:00:00Z') };
      const full = await tryRenderMessage(campaign, touch, partner, options);
      const links = await tryRenderLinks(campaign, touch, partner, options);
      if (full.ok) {
        counts.rendered++;
        expect(links).toEqual({
          ok: true,
          recipient: full.message.recipient,
          links: full.message.links,
          unsubscribeUrl: full.message.unsubscribeUrl,
        });
      } else {
        counts.failed++;
        expect(links).toEqual({ ok: false, problems: full.problems });
      }
    }
  }
  return counts;
}

describe('the preflight renders links as the send renders messages', () => {
  it('agrees on every touch for every partner of the fixture', async () => {
    const counts = await compareAll(fixtureDir);
    expect(counts.rendered).toBeGreaterThanOrEqual(5);
  });

  it('agrees on the problems of a template that does not render', async () => {
    const dir = craft({
      'emails/advance-notice.md': (text) => text.replace('Hello {{', 'Hello {{ partner.no_such_field }} {{'),
    });
    const counts = await compareAll(dir);
    expect(counts.failed).toBeGreaterThan(0);
    expect(counts.rendered).toBeGreaterThan(0);
  });
});
