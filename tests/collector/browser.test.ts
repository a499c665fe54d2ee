/**
 * A partner's visit end to end in Chromium, against the real server on the sample build: open
 * the personal page from the email link, stay and scroll, read the advance copy, register for
 * the webinar, ask for a call, say "not now" — then the store holds the events and responses,
 * with human verdicts, and the partner counts as engaged.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { engagementOf } from '../../src/lib/engagement/engaged.ts';
import type { Store } from '../../src/lib/store/index.ts';
import { collectErrors, launchBrowser } from '../helpers/browser.ts';
import { describeWith } from '../helpers/requires.ts';
import { type RunningServer, startServer } from '../helpers/server.ts';
import { ensureBuild, SAMPLE } from '../helpers/site-build.ts';
import { BROWSER_UA, eventually, storeOf } from './helpers.ts';

describeWith('chromium')('a partner reads their page in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let store: Store;
  beforeAll(async () => {
    server = await startServer(await ensureBuild('sample', SAMPLE));
    store = await storeOf(server.dataDir);
    // A person's browser: headless Chromium announces itself in its user agent (also on beacons
    // sent while a page closes, which a per-context override does not reach); a reader's does not.
    browser = await launchBrowser([`--user-agent=${BROWSER_UA}`]);
  });
  afterAll(async () => {
    await browser?.close();
    await store?.close();
    await server?.stop();
  });

  it('records the visit, the reading and the answers with human verdicts', async () => {
    const partner = (await store.listPartners('sample'))[0];
    if (!partner) throw new Error('no partner synced');
    const context = await browser.newContext({
      userAgent: BROWSER_UA,
      viewport: { width: 1200, height: 700 },
    });
    const page = await context.newPage();
    const errors = collectErrors(page);
    await page.goto(`${server.url}/p/${partner.token}/?t=announce`);
    await page.bringToFront();
    expect(await page.locator('input[data-touch]').first().inputValue()).toBe('announce');

    // Stay and scroll through the page, with the reader's hand on the mouse.
    for (let y = 0; y <= 4000; y += 400) {
      await page.mouse.move(300, 200 + (y % 300));
      await page.mouse.wheel(0, 400);
      await page.waitForTimeout(900);
    }
    // Read the advance copy: the link carries the token, and the paper's sections are reported.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.locator('a[data-cta="read-paper"]').click();
    await page.waitForURL(/\/preview\/[^/]+\/\?p=/);
    for (let i = 0; i < 12; i++) {
      await page.mouse.move(400, 300 + (i % 5) * 10);
      await page.mouse.wheel(0, 300);
      await page.waitForTimeout(1000);
    }
    await page.goBack();

    // Register, ask for a call, say not now — the plain forms, no fetch from the test.
    await page.locator('form[data-form="register"] button').click();
    await page.waitForURL(/#thanks-register$/);
    expect(page.url()).toContain('?t=announce');
    await page.locator('form[data-form="call"] input[name="preferredTimes"]').fill('Tuesday morning');
    await page.locator('form[data-form="call"] button').click();
    await page.waitForURL(/#thanks-call$/);
    await expect.poll(() => page.locator('#thanks-call').isVisible()).toBe(true);
    await page.locator('form[data-form="not-now"] button[value="1m"]').click();
    await page.waitForURL(/#thanks-not-now$/);
    await page.close(); // pagehide flushes the last beacon
    await context.close();

    const responses = await store.listResponses({ campaign: 'sample', partnerId: partner.partnerId });
    expect(responses.map((r) => r.kind).sort()).toEqual(['call-request', 'not-now', 'registration']);
    for (const r of responses) expect(r.touch).toBe('announce');
    expect(responses.find((r) => r.kind === 'call-request')?.preferredTimes).toEqual(['Tuesday morning']);
    expect(responses.find((r) => r.kind === 'registration')?.email).toBe(partner.email);

    const events = await eventually(async () => {
      const list = await store.listEvents({
        campaign: 'sample',
        partnerId: partner.partnerId,
        includeNonHuman: true,
      });
      const types = new Set(list.map((e) => e.type));
      for (const type of [
        'page_view',
        'visible_time',
        'read_progress',
        'cta_click',
        'form.register',
        'form.call',
        'form.not-now',
      ])
        expect(types, type).toContain(type);
      return list;
    });
    const fromBrowser = events.filter((e) => e.type !== 'page_fetch');
    for (const e of fromBrowser)
      expect({ type: e.type, verdict: e.verdict, reason: e.verdictReason }).toMatchObject({
        verdict: 'human',
      });
    const paperSections = events.filter((e) => e.type === 'read_progress' && e.metadata.page === 'advance');
    expect(paperSections.length).toBeGreaterThanOrEqual(2);
    // Reading means the paper: the personal page's sections are "sections seen", never progress.
    expect(events.filter((e) => e.type === 'read_progress' && e.metadata.page === 'partner')).toEqual([]);
    expect(events.some((e) => e.type === 'section_seen' && e.metadata.page === 'partner')).toBe(true);
    const beaconTypes = [
      'page_view',
      'visible_time',
      'read_progress',
      'section_seen',
      'page_time',
      'cta_click',
      'download',
    ];
    for (const e of fromBrowser.filter((x) => beaconTypes.includes(x.type)))
      expect(e.metadata.section, `${e.type} names its section`).toBeTypeOf('string');
    const engagement = engagementOf(events);
    expect(engagement.engaged).toBe(true);
    expect(engagement.visibleMs).toBeGreaterThan(5_000);
    expect(engagement.forms.sort()).toEqual(['call', 'not-now', 'register']);
    expect(errors).toEqual([]);
  });
});
