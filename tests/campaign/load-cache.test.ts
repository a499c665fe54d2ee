/**
 * The campaigns' load cache (src/lib/campaign/load-cache.ts): a second load with nothing changed
 * comes from the cache and equals a fresh load (dates included); a change to any file the loader
 * reads (campaign.yaml, the partner list, a template, content/, a partner list outside the
 * folder, a new file) loads afresh; broken content is reported with its file, line and field,
 * and never kept; a read-only load writes nothing; a check reads it and still sees every edit.
 */
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAllCampaigns } from '../../src/lib/campaign/load.ts';
import { loadAllCampaignsCached, loadCampaignCached } from '../../src/lib/campaign/load-cache.ts';
import { checkCampaign } from '../../src/lib/campaign/preflight.ts';
import { craft, contentDir as sampleContent, secret } from './helpers.ts';

function setup() {
  const campaignsDir = dirname(craft());
  const contentDir = join(mkdtempSync(join(tmpdir(), 'aircover-load-cache-content-')), 'content');
  cpSync(sampleContent, contentDir, { recursive: true });
  const cacheDir = join(mkdtempSync(join(tmpdir(), 'aircover-load-cache-')), 'campaigns');
  const load = (more: { readOnly?: boolean } = {}) =>
    loadAllCampaignsCached({ campaignsDir, contentDir, cacheDir, ...more });
  return { campaignsDir, contentDir, cacheDir, load, campaign: join(campaignsDir, 'crafted') };
}
const edit = (file: string, from: string, to: string) => {
  const text = readFileSync(file, 'utf8');
  expect(text).toContain(from);
  writeFileSync(file, text.replace(from, to));
};

describe('campaign load cache', () => {
  it('a second load with nothing changed comes from the cache and equals a fresh load', async () => {
    const { campaignsDir, contentDir, load } = setup();
    const first = await load();
    expect(first.fromCache).toBeUndefined();
    const second = await load();
    expect(second.fromCache).toBe(true);
    const fresh = loadAllCampaigns({ campaignsDir, contentDir });
    expect({ ...second, fromCache: undefined }).toEqual({ ...fresh, fromCache: undefined });
    expect(second.campaigns[0]?.touches[0]?.at).toBeInstanceOf(Date);
    expect(second.campaigns[0]?.partners.length).toBeGreaterThan(0);
  });

  it.each([
    ['the partner list', 'partners.csv', 'Acme Cold Logistics', 'Acme Cold Chain', 'Acme Cold Chain'],
    ['campaign.yaml', 'campaign.yaml', 'name: Fixture campaign', 'name: Fixture renamed', 'Fixture renamed'],
  ])('a change to %s loads afresh', async (_what, file, from, to, seen) => {
    const { load, campaign } = setup();
    await load();
    edit(join(campaign, file), from, to);
    const after = await load();
    expect(after.fromCache).toBeUndefined();
    expect(JSON.stringify(after.campaigns)).toContain(seen);
    expect((await load()).fromCache).toBe(true);
  });

  it('a change to a template or to content/ loads afresh', async () => {
    const { load, campaign, contentDir } = setup();
    await load();
    const template = join(campaign, 'emails', readdirSync(join(campaign, 'emails'))[0] as string);
    appendFileSync(template, '\nOne more line.\n');
    expect((await load()).fromCache).toBeUndefined();
    edit(join(contentDir, 'webinars', 'integrators-share-live.md'), 'title: "', 'title: "Renamed ');
    const after = await load();
    expect(after.fromCache).toBeUndefined();
    expect(after.campaigns[0]?.webinar?.data.title).toMatch(/^Renamed /);
  });

  it('a new file in content/ loads afresh', async () => {
    const { load, contentDir } = setup();
    await load();
    const post = join(contentDir, 'blog', 'what-integrators-ask-us-first.mdx');
    writeFileSync(join(contentDir, 'blog', 'a-new-post.mdx'), readFileSync(post));
    expect((await load()).fromCache).toBeUndefined();
  });

  it('a partner list outside the campaign folder is part of the key', async () => {
    const { load, campaign } = setup();
    const outside = join(mkdtempSync(join(tmpdir(), 'aircover-load-cache-partners-')), 'partners.csv');
    cpSync(join(campaign, 'partners.csv'), outside);
    edit(
      join(campaign, 'campaign.yaml'),
      '\ntouches:',
      `\npartners: ${relative(campaign, outside)}\ntouches:`,
    );
    await load();
    expect((await load()).fromCache).toBe(true);
    edit(outside, 'Acme Cold Logistics', 'Acme Outside');
    const after = await load();
    expect(after.fromCache).toBeUndefined();
    expect(after.campaigns[0]?.partners.map((p) => p.company)).toContain('Acme Outside');
  });

  it('broken content is reported with file, line and field, and never kept', async () => {
    const { load, contentDir } = setup();
    await load();
    const webinar = join(contentDir, 'webinars', 'integrators-share-live.md');
    edit(webinar, 'durationMinutes: ', 'durationMinutes: -');
    for (let i = 0; i < 2; i++) {
      const broken = await load();
      expect(broken.fromCache).toBeUndefined();
      const problem = broken.problems.find((p) => p.file === webinar);
      expect(problem).toMatchObject({ severity: 'error', field: 'durationMinutes' });
      expect(problem?.line).toBeGreaterThan(1);
    }
  });

  it('a read-only load writes nothing', async () => {
    const { load, cacheDir } = setup();
    await load({ readOnly: true });
    expect(existsSync(cacheDir)).toBe(false);
    expect((await load({ readOnly: true })).fromCache).toBeUndefined();
  });

  it('a check reads the cache, and still reports a problem an edit brings', async () => {
    const { contentDir, cacheDir, campaign } = setup();
    const check = () => checkCampaign(campaign, { contentDir, campaignCacheDir: cacheDir, secret });
    const first = await check();
    expect(first.ok).toBe(true);
    // The second check's campaign comes from the cache: the report is the same.
    expect(await loadCampaignCached(campaign, { contentDir, cacheDir })).toHaveProperty('fromCache', true);
    expect(await check()).toEqual(first);
    edit(join(campaign, 'partners.csv'), 'ada@acme.example.com', 'ada-at-acme');
    const after = await check();
    expect(after.ok).toBe(false);
    expect(after.problems.map((p) => p.message).join('\n')).toMatch(/bad email "ada-at-acme"/);
  });
});
