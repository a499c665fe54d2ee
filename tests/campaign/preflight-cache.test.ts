/**
 * The preflight pays for what it is asked: one touch checks that touch's messages only, and a
 * check reuses what an earlier one found for messages and pages whose inputs (templates, partner
 * rows, content, options) did not change, with the same report as a fresh check.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCampaign, type PreflightOptions } from '../../src/lib/campaign/preflight.ts';
import { contentDir, craft, secret } from './helpers.ts';

const options = (cacheDir: string, more: Partial<PreflightOptions> = {}) => ({
  contentDir,
  secret,
  cacheDir,
  ...more,
});
const cacheDir = () => mkdtempSync(join(tmpdir(), 'aircover-preflight-cache-'));
const edit = (file: string, from: string, to: string) =>
  writeFileSync(file, readFileSync(file, 'utf8').replace(from, to));

describe('preflight cache', () => {
  it('a second check with nothing changed renders nothing again and reports the same', async () => {
    const dir = craft();
    const cache = cacheDir();
    const first = await checkCampaign(dir, options(cache));
    expect(first.reused).toBe(0);
    expect(first.messages).toBeGreaterThan(0);
    const second = await checkCampaign(dir, options(cache));
    // Every message, every page and the templates' compilation came from the first run.
    expect(second.reused).toBe(first.messages + first.pages + 1);
    expect({ ...second, reused: 0 }).toEqual(first);
  });

  it('changing one partner row renders that partner again, and nothing else', async () => {
    const dir = craft();
    const cache = cacheDir();
    await checkCampaign(dir, options(cache));
    const warm = await checkCampaign(dir, options(cache));
    edit(join(dir, 'partners.csv'), 'late alarms', 'late alarms at night');
    const after = await checkCampaign(dir, options(cache));
    // birch has a referrer: advance-notice, follow-up and referrer-nudge, and a personal page.
    expect(warm.reused - after.reused).toBe(4);
    expect(after.ok).toBe(true);
  });

  it('changing one template renders that touch again', async () => {
    const dir = craft();
    const cache = cacheDir();
    await checkCampaign(dir, options(cache));
    const warm = await checkCampaign(dir, options(cache));
    edit(join(dir, 'emails', 'follow-up.md'), '\n\n', '\n\nOne more line.\n\n');
    const after = await checkCampaign(dir, options(cache));
    // Two partners' follow-ups and the templates' compilation.
    expect(warm.reused - after.reused).toBe(3);
  });

  it('reports the same problems from the cache as from rendering', async () => {
    const dir = craft({ 'partners.csv': (csv) => csv.replace('warm trailers', '') });
    const cache = cacheDir();
    const first = await checkCampaign(dir, options(cache));
    expect(first.ok).toBe(false);
    const second = await checkCampaign(dir, options(cache));
    expect(second.reused).toBeGreaterThan(0);
    expect(second.problems).toEqual(first.problems);
    expect(second.ok).toBe(false);
  });

  it('checks only the touches it is asked for (a send), with their lints', async () => {
    const dir = craft({ 'emails/advance-notice.md': (md) => `${md}\nJust following up on this.\n` });
    const report = await checkCampaign(dir, options(cacheDir(), { touches: ['advance-notice'] }));
    expect(report.touches).toBe(1);
    expect(report.messages).toBe(report.partners);
    expect(report.pages).toBe(0);
    expect(report.problems.map((p) => p.code)).toEqual(['lint.nagging']);
    const other = await checkCampaign(dir, options(cacheDir(), { touches: ['follow-up'] }));
    expect(other.problems).toEqual([]);
  });

  it('without a cache folder, remembers nothing', async () => {
    const dir = craft();
    await checkCampaign(dir, { contentDir, secret });
    expect((await checkCampaign(dir, { contentDir, secret })).reused).toBe(0);
  });
});
