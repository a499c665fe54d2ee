/**
 * A reader's path through the sample site in Debian's Chromium, against the real built
 * server: home → white paper → webinar → blog post.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { collectErrors, launchBrowser } from '../helpers/browser.ts';
import { describeWith } from '../helpers/requires.ts';
import { type RunningServer, startServer } from '../helpers/server.ts';
import { ensureBuild, projectRoot, SAMPLE } from '../helpers/site-build.ts';

const screenshots = join(projectRoot, 'test-results', 'screenshots');

describeWith('chromium')('reading the sample site in Chromium', () => {
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

  it('goes from home to the paper, the webinar and a post, with no errors', async () => {
    const context = await browser.newContext({ timezoneId: 'America/New_York', locale: 'en-US' });
    const page = await context.newPage();
    const errors = collectErrors(page);

    await page.goto(`${server.url}/`);
    // The hero leads with the tagline and one action: read the latest case study.
    expect(await page.locator('h1').textContent()).toBe('Cold-chain monitoring that pays for itself');
    await page.screenshot({ path: join(screenshots, 'site-home.png'), fullPage: true });

    await page.locator('a[data-cta="hero-paper"]').click();
    await page.waitForURL(/\/whitepapers\/cold-chain-warm-margins\/$/);
    const paperTitle = await page.locator('h1').textContent();
    expect(paperTitle).toMatch(/\S/);
    const sectionHeadings = await page.locator('[data-paper-body] h2').allTextContents();
    expect(sectionHeadings.join(' ')).toMatch(/challenge/i);
    expect(sectionHeadings.join(' ')).toMatch(/results/i);
    expect(await page.locator('.key-metric').count()).toBeGreaterThan(0);
    // Site chrome (the header logo beside the name) is decorative: an explicit empty alt.
    const chrome = await page
      .locator('header img')
      .evaluateAll((imgs) => imgs.map((img) => img.getAttribute('alt')));
    for (const alt of chrome) expect(alt).toBe('');
    // Every image on the paper has alt text and is served (most load lazily, so fetch them).
    const images = await page
      .locator('main img')
      .evaluateAll((imgs) =>
        (imgs as HTMLImageElement[]).map((img) => ({ alt: img.alt, src: img.currentSrc || img.src })),
      );
    expect(images.length).toBeGreaterThan(1);
    for (const image of images) {
      expect(image.alt).toMatch(/\S/);
      const response = await page.request.get(image.src);
      expect(response.status(), image.src).toBe(200);
      expect(response.headers()['content-type']).toMatch(/^image\//);
    }
    await page.screenshot({ path: join(screenshots, 'site-whitepaper.png'), fullPage: true });

    await page.goto(`${server.url}/`);
    await page.locator('section[aria-labelledby="next-webinar"] h2 a').click();
    await page.waitForURL(/\/webinars\/integrators-share-live\/$/);
    const time = page.locator('time[data-webinar-start]');
    expect(await time.getAttribute('datetime')).toBe('2027-01-21T15:00:00.000Z');
    expect(await time.textContent()).toContain('16:00');
    expect(await page.locator('.webinar-time__zone').textContent()).toContain('Europe/Copenhagen');
    // The reader's own zone, added by the page script: 15:00 UTC is 10:00 in New York.
    const local = page.locator('[data-local-time]');
    await local.waitFor({ state: 'visible' });
    expect(await local.textContent()).toMatch(/10:00\s?AM.*America\/New_York/);
    expect(await page.content()).not.toContain('meet.example.com');

    await page.goto(`${server.url}/blog/`);
    await page.locator('article.card a').first().click();
    await page.waitForURL(/\/blog\/[a-z0-9-]+\/$/);
    expect(await page.locator('article.post h1').textContent()).toMatch(/\S/);
    expect(await page.locator('.byline a').count()).toBeGreaterThan(0);

    // Every internal link on the visited pages answers.
    for (const path of ['/', '/whitepapers/', '/blog/', '/webinars/']) {
      await page.goto(`${server.url}${path}`);
      const hrefs = await page
        .locator('a[href^="/"]')
        .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      for (const href of new Set(hrefs)) {
        const response = await page.request.get(`${server.url}${href}`);
        expect(response.status(), `${path} → ${href}`).toBe(200);
      }
    }

    const missing = await page.request.get(`${server.url}/no-such-page/`);
    expect(missing.status()).toBe(404);
    expect(errors).toEqual([]);
    await context.close();
  });
});
