/**
 * A referrer opens a referrer note's ready introduction: the signed link on the real server
 * records `referrer.intro` on the referred partner's timeline, labelled human or scanner like
 * every other hit, answers a page that opens the mailto, and never makes the partner engaged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCampaign } from '../../src/lib/campaign/load.ts';
import { fromCampaign } from '../../src/lib/followup/campaign.ts';
import { loadCampaignStates } from '../../src/lib/followup/state/index.ts';
import { partnerTimeline } from '../../src/lib/followup/timeline.ts';
import { introLinkUrl } from '../../src/lib/referrer/intro-link.ts';
import { mailtoUrl } from '../../src/lib/referrer/mailto.ts';
import type { Partner, Store } from '../../src/lib/store/index.ts';
import { type RunningServer, startServer } from '../helpers/server.ts';
import { ensureBuild, projectRoot, SAMPLE, TEST_SECRET } from '../helpers/site-build.ts';
import { BROWSER_UA, eventually, HEADLESS_UA, storeOf } from './helpers.ts';

let server: RunningServer;
let store: Store;
let referred: Partner;

const introEvents = async (verdicts = true) =>
  (
    await store.listEvents({
      campaign: 'sample',
      partnerId: referred.partnerId,
      types: ['referrer.intro'],
      includeNonHuman: verdicts,
    })
  ).sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));

beforeAll(async () => {
  server = await startServer(await ensureBuild('sample', SAMPLE));
  store = await storeOf(server.dataDir);
  const found = (await store.listPartners('sample')).find((p) => p.referrerEmail);
  if (!found) throw new Error('the sample campaign has no referred partner');
  referred = found;
});
afterAll(async () => {
  await store?.close();
  await server?.stop();
});

describe('GET /api/intro: the referrer opens the introduction', () => {
  const mailto = () =>
    mailtoUrl({
      to: referred.email,
      cc: ['maren.holt@kestrel-sensing.example.com'],
      subject: 'Meet Maren',
      body: 'Hi,\nmeet Maren.',
    });
  const link = () =>
    introLinkUrl(
      { campaign: 'sample', partner: referred.partnerId, touch: 'referrer-nudge', mailto: mailto() },
      { secret: TEST_SECRET, baseUrl: server.url },
    );

  it('a person: the page opens the mailto, and the partner timeline says the referrer opened it', async () => {
    const res = await fetch(link(), { headers: { 'user-agent': BROWSER_UA }, redirect: 'manual' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    const escaped = mailto().replace(/&/g, '&amp;');
    expect(html).toContain(`<meta http-equiv="refresh" content="0;url=${escaped}">`);
    expect(html).toContain(`href="${escaped}"`);

    const [event] = await eventually(async () => {
      const events = await introEvents();
      expect(events).toHaveLength(1);
      return events;
    });
    expect(event).toMatchObject({ verdict: 'human', touch: 'referrer-nudge', source: 'page' });

    const loaded = loadCampaign(`${projectRoot}/campaigns/sample`, { contentDir: `${projectRoot}/content` });
    if (!loaded.ok) throw new Error('sample does not load');
    const campaign = fromCampaign(loaded.campaign);
    const timeline = await partnerTimeline(store, [campaign], {
      campaign: 'sample',
      partnerId: referred.partnerId,
    });
    const entry = timeline?.entries.find((e) => e.type === 'referrer.intro');
    expect(entry?.detail).toBe('referrer Aoife Brennan opened the introduction');
    expect(entry?.verdict).toBe('human');

    // The referrer's click is not the partner's engagement.
    const { states } = await loadCampaignStates(store, campaign);
    const state = states.get(referred.partnerId);
    expect(state?.engaged).toBe(false);
    expect(state?.hot).toBe(false);
    expect(state?.audiences.silent).toBe(true);
  });

  it('a link scanner (headless agent) is recorded and labelled a bot', async () => {
    const res = await fetch(link(), { headers: { 'user-agent': HEADLESS_UA } });
    expect(res.status).toBe(200);
    await eventually(async () => {
      const events = await introEvents();
      expect(events.filter((e) => e.verdict === 'bot')).toHaveLength(1);
    });
    // A human-only timeline leaves the scanner out.
    expect(await introEvents(false)).toHaveLength(1);
  });

  it('a changed or unsigned link is refused and records nothing', async () => {
    const before = (await introEvents()).length;
    const url = new URL(link());
    url.searchParams.set('m', 'mailto:someone-else@evil.example?subject=hi');
    expect((await fetch(url, { headers: { 'user-agent': BROWSER_UA } })).status).toBe(404);
    const other = new URL(link());
    other.searchParams.delete('s');
    expect((await fetch(other, { headers: { 'user-agent': BROWSER_UA } })).status).toBe(404);
    expect((await introEvents()).length).toBe(before);
  });
});
