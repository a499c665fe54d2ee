/**
 * Quality gates on the pages people see, in Chromium against the real server: axe finds no
 * accessibility violation on the home page, a paper, a webinar, a post and a personal page,
 * and Lighthouse scores each category at 0.95 or more. A personal page is `noindex` on
 * purpose, so its SEO category is not scored (every other category is).
 */
import { AxeBuilder } from '@axe-core/playwright';
import lighthouse from 'lighthouse';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadCampaign } from '../../src/lib/campaign/load.ts';
import { partnerToken } from '../../src/lib/personalize/token.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { describeWith } from '../helpers/requires.ts';
import { freePort, type RunningServer, startServer } from '../helpers/server.ts';
import { ensureBuild, SAMPLE, TEST_SECRET } from '../helpers/site-build.ts';

const loaded = loadCampaign('campaigns/sample');
if (!loaded.ok) throw new Error('the sample campaign must load');
const partner = loaded.campaign.partners[0];
if (!partner) throw new Error('the sample campaign has partners');
const personal = `/p/${partnerToken('sample', partner.id, TEST_SECRET)}/`;

const pages = {
  home: '/',
  paper: `/whitepapers/${'cold-chain-warm-margins'}/`,
  webinar: `/webinars/${loaded.campaign.def.webinar}/`,
  post: `/blog/${loaded.campaign.def.posts[0]}/`,
  personal,
};

describeWith('chromium')('page quality: axe and Lighthouse', () => {
  let server: RunningServer;
  let browser: Browser;
  let debuggingPort: number;
  beforeAll(async () => {
    server = await startServer(await ensureBuild('sample', SAMPLE));
    debuggingPort = await freePort();
    browser = await launchBrowser([`--remote-debugging-port=${debuggingPort}`]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  for (const [name, path] of Object.entries(pages)) {
    it(`axe finds no violations on the ${name} page`, async () => {
      for (const width of [1280, 390]) {
        const context = await browser.newContext({ viewport: { width, height: 900 } });
        const page = await context.newPage();
        await page.goto(`${server.url}${path}`, { waitUntil: 'load' });
        const { violations } = await new AxeBuilder({ page }).analyze();
        const found = violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
        expect(found, `${name} at ${width} px`).toEqual([]);
        await context.close();
      }
    });
  }

  for (const name of ['home', 'paper', 'personal'] as const) {
    it(`Lighthouse scores the ${name} page at 0.95 or more in every category`, async () => {
      const categories = [
        'performance',
        'accessibility',
        'best-practices',
        ...(name === 'personal' ? [] : ['seo']),
      ];
      const result = await lighthouse(
        `${server.url}${pages[name]}`,
        { port: debuggingPort, output: 'json', logLevel: 'error', onlyCategories: categories },
        desktopConfig,
      );
      if (!result) throw new Error('Lighthouse returned no result');
      const scores = Object.fromEntries(
        Object.values(result.lhr.categories).map((category) => [category.id, category.score]),
      );
      expect(Object.keys(scores).sort()).toEqual([...categories].sort());
      for (const [category, score] of Object.entries(scores)) {
        const failing = Object.values(result.lhr.audits)
          .filter(
            (audit) => audit.score !== null && audit.score < 0.9 && audit.scoreDisplayMode !== 'informative',
          )
          .map((audit) => `${audit.id} (${audit.score})`);
        expect(score ?? 0, `${name} ${category}; weak audits: ${failing.join(', ')}`).toBeGreaterThanOrEqual(
          0.95,
        );
      }
    });
  }
});
