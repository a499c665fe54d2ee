/**
 * The personal page as a partner sees it, in Chromium at a desktop width (1280 px) and a phone
 * width (390 px): the sender with their photo and the company's logo, the pitch and the paper
 * beside the answers on a wide screen, one column on a phone, and key metrics that never leave
 * one alone on a row. Screenshots go to test-results/screenshots/ (the README's come from there).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadCampaign } from '../../src/lib/campaign/load.ts';
import { partnerToken } from '../../src/lib/personalize/token.ts';
import { collectErrors, launchBrowser } from '../helpers/browser.ts';
import { describeWith } from '../helpers/requires.ts';
import { type RunningServer, startServer } from '../helpers/server.ts';
import { ensureBuild, projectRoot, SAMPLE, TEST_SECRET } from '../helpers/site-build.ts';

const screenshots = join(projectRoot, 'test-results', 'screenshots');
const loaded = loadCampaign('campaigns/sample');
if (!loaded.ok) throw new Error('the sample campaign must load');
const partner = loaded.campaign.partners[0];
if (!partner) throw new Error('the sample campaign has partners');
const path = `/p/${partnerToken('sample', partner.id, TEST_SECRET)}/`;

type Box = { x: number; y: number; width: number; height: number };
async function box(page: Page, selector: string): Promise<Box> {
  const found = await page.locator(selector).first().boundingBox();
  if (!found) throw new Error(`${selector} is not visible`);
  return found;
}

/** Items per visual row of the metric grid, from their top edges. */
async function metricRows(page: Page): Promise<number[]> {
  const tops = await page
    .locator('#paper .key-metric')
    .evaluateAll((els) => els.map((el) => Math.round(el.getBoundingClientRect().top)));
  const rows = new Map<number, number>();
  for (const top of tops) rows.set(top, (rows.get(top) ?? 0) + 1);
  return [...rows.values()];
}

describeWith('chromium')('the personal page in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startServer(await ensureBuild('sample', SAMPLE));
    browser = await launchBrowser();
    mkdirSync(screenshots, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('at 1280 px: the sender with photo and logo, the paper beside the answers, metrics in full rows', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = collectErrors(page);
    await page.goto(`${server.url}${path}`, { waitUntil: 'load' });

    await expect(page.locator('.sender-card__name').textContent()).resolves.toBe(
      loaded.campaign.def.sender.name,
    );
    for (const selector of ['.sender-card__photo', '.sender-card__logo']) {
      const loadedImage = await page
        .locator(selector)
        .evaluate((img) => (img as HTMLImageElement).naturalWidth > 0);
      expect(loadedImage, `${selector} shows an image`).toBe(true);
    }
    expect(await page.locator('.sender-card__photo').getAttribute('alt')).toMatch(/\S/);

    const main = await box(page, '.partner__main');
    const actions = await box(page, '.partner__actions');
    expect(actions.x, 'the answers sit to the right of the paper').toBeGreaterThanOrEqual(
      main.x + main.width,
    );
    expect(Math.abs(actions.y - main.y), 'both columns start together').toBeLessThan(40);
    expect(main.width + actions.width, 'the page uses the width of the window').toBeGreaterThan(900);

    const rows = await metricRows(page);
    expect(rows.reduce((a, b) => a + b, 0)).toBe(4);
    expect(Math.min(...rows), `metric rows ${rows.join(' + ')}`).toBeGreaterThan(1);

    await page.screenshot({ path: join(screenshots, 'personal-page-1280.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('at 390 px: one column, nothing wider than the phone, metrics in full rows', async () => {
    const page = await browser.newPage({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    const errors = collectErrors(page);
    await page.goto(`${server.url}${path}`, { waitUntil: 'load' });

    const main = await box(page, '.partner__main');
    const actions = await box(page, '.partner__actions');
    expect(actions.y, 'the answers follow the paper').toBeGreaterThanOrEqual(main.y + main.height);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, 'no sideways scrolling').toBeLessThanOrEqual(0);

    const rows = await metricRows(page);
    expect(rows.every((n) => n === rows[0]) && (rows[0] ?? 0) > 1, `metric rows ${rows.join(' + ')}`).toBe(
      true,
    );

    const sender = await box(page, '.sender-card');
    expect(sender.width).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(screenshots, 'personal-page-390.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});
