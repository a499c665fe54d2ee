/**
 * The personal pages as the real build makes them from campaigns/sample: one per partner,
 * unlisted, carrying only that partner's data, stable across builds, and safe in a real
 * browser however hostile the partner's fields are.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCampaign } from '../../src/lib/campaign/load.ts';
import type { Partner } from '../../src/lib/campaign/partners.ts';
import { partnerToken } from '../../src/lib/personalize/token.ts';
import { collectErrors, launchBrowser } from '../helpers/browser.ts';
import { describeWith } from '../helpers/requires.ts';
import { type RunningServer, startServer } from '../helpers/server.ts';
import { buildEnv, ensureBuild, runCli, SAMPLE, type SiteBuild, TEST_SECRET } from '../helpers/site-build.ts';
import { pngSize } from '../site/png.ts';

const OTHER_SECRET = 'another-secret-for-tests-0123456789-abcdefghij';
const loaded = loadCampaign('campaigns/sample');
if (!loaded.ok) throw new Error('the sample campaign must load');
const campaign = loaded.campaign;
const partners: Partner[] = campaign.partners;
const tokenOf = (partner: Partner, secret = TEST_SECRET) => partnerToken('sample', partner.id, secret);

function textFiles(dir: string): { file: string; text: string }[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.(html|xml|txt)$/.test(file))
    .map((file) => ({ file, text: readFileSync(join(dir, file), 'utf8') }));
}

describe('personal pages in the sample build', () => {
  let build: SiteBuild;
  beforeAll(async () => {
    build = await ensureBuild('sample', SAMPLE);
  });

  it('builds exactly one noindex page and one 1200×630 card per partner, at its token', () => {
    const pages = readdirSync(join(build.client, 'p')).sort();
    expect(pages).toEqual(partners.map((p) => tokenOf(p)).sort());
    const cards = new Set<string>();
    for (const partner of partners) {
      const html = readFileSync(join(build.client, 'p', tokenOf(partner), 'index.html'), 'utf8');
      expect(html).toContain('<meta name="robots" content="noindex, nofollow">');
      const card = readFileSync(join(build.client, 'og', 'p', `${tokenOf(partner)}.png`));
      expect(pngSize(card)).toEqual({ width: 1200, height: 630 });
      cards.add(card.toString('base64'));
    }
    // "Prepared for <company>": every partner's card is their own.
    expect(cards.size).toBe(partners.length);
  });

  it('tokens are at least 128 bits of base64url', () => {
    for (const partner of partners) expect(tokenOf(partner)).toMatch(/^[A-Za-z0-9_-]{22,}$/);
  });

  it('lists no personal page anywhere: not in the sitemap, RSS, robots or any public page', () => {
    const tokens = partners.map((p) => tokenOf(p));
    for (const { file, text } of textFiles(build.client)) {
      if (file.startsWith('p/')) continue;
      for (const token of tokens) expect(text, `${file} mentions a partner token`).not.toContain(token);
      // robots.txt may disallow the folder; nothing may point at a page in it.
      expect(text, file).not.toMatch(/\/p\/[A-Za-z0-9_-]{16,}/);
    }
  });

  it("a partner's page carries no other partner's token, email or company", () => {
    for (const partner of partners) {
      const html = readFileSync(join(build.client, 'p', tokenOf(partner), 'index.html'), 'utf8');
      for (const other of partners) {
        if (other.id === partner.id) continue;
        expect(html, `${partner.id} page`).not.toContain(tokenOf(other));
        expect(html, `${partner.id} page`).not.toContain(other.email);
      }
    }
  });

  it('every form posts to the collector with the token and works without JavaScript', () => {
    const partner = partners[0] as Partner;
    const html = readFileSync(join(build.client, 'p', tokenOf(partner), 'index.html'), 'utf8');
    for (const kind of ['register', 'feedback', 'call', 'not-now', 'no-thanks']) {
      const form = new RegExp(
        `<form method="post" action="/api/forms/${kind}"[^>]*>([\\s\\S]*?)</form>`,
      ).exec(html);
      expect(form, kind).not.toBeNull();
      expect(form?.[1]).toContain(`name="token" value="${tokenOf(partner)}"`);
      expect(form?.[1]).toMatch(/type="submit"/);
      expect(html).toContain(`id="thanks-${kind}"`);
    }
  });
});

describe('tokens across builds', () => {
  it('are stable for one secret and all change with another', async () => {
    const other = await ensureBuild('sample-other-secret', { env: { AIRCOVER_SECRET: OTHER_SECRET } });
    const first = await ensureBuild('sample', SAMPLE);
    const pagesA = readdirSync(join(first.client, 'p')).sort();
    const pagesB = readdirSync(join(other.client, 'p')).sort();
    expect(pagesB).toEqual(partners.map((p) => tokenOf(p, OTHER_SECRET)).sort());
    expect(pagesA.filter((token) => pagesB.includes(token))).toEqual([]);
    // Same secret, computed again now: the same links as the build made.
    expect(pagesA).toEqual(partners.map((p) => partnerToken('sample', p.id, TEST_SECRET)).sort());
  });

  it('a production build refuses to run without a real secret', async () => {
    const env = buildEnv('prod-no-secret', {});
    const { code, stdout, stderr } = await runCli(['build'], {
      ...env,
      AIRCOVER_SECRET: '',
      AIRCOVER_ENV: 'production',
    });
    expect(code).toBe(1);
    expect(stdout + stderr).toContain('AIRCOVER_SECRET is not set');
    expect(existsSync(join(env.AIRCOVER_OUT_DIR as string, 'client', 'p'))).toBe(false);
  });
});

describeWith('chromium')('hostile partner data in Chromium', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(await ensureBuild('sample', SAMPLE));
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('renders every field as text: nothing executes, nothing is injected', async () => {
    const hostile = partners.find((p) => p.id === 'hostile-fields') as Partner;
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const errors = collectErrors(page);
      const dialogs: string[] = [];
      page.on('dialog', async (dialog) => {
        dialogs.push(dialog.message());
        await dialog.dismiss();
      });
      await page.goto(`${server.url}/p/${tokenOf(hostile)}/`);
      await page.waitForLoadState('networkidle');
      expect(dialogs).toEqual([]);
      // The company name, with its <script>, shows as text.
      expect(await page.locator('.eyebrow').first().textContent()).toContain(
        `Prepared for ${hostile.company}`,
      );
      expect(await page.locator('h1').textContent()).toContain('<script>');
      // No element came from partner data.
      expect(await page.locator('img[onerror], iframe, [onerror], [onclick]').count()).toBe(0);
      // The page's own scripts may run; none of them carries partner data.
      const scripts = await page.locator('script').allTextContents();
      expect(scripts.filter((text) => text.includes('alert('))).toEqual([]);
      expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
      // Liquid in partner data is not run: it stays literal.
      expect(await page.locator('main').textContent()).toContain('{% for x in (1..3) %}');
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
