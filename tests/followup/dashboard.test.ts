/**
 * The /admin dashboard in Chromium against the real built server: login required (redirect,
 * wrong password, rate limit), then the sample campaign's funnel chart, the partner table, a
 * partner's timeline with verdicts after a scripted engagement, the feedback inbox, the CSV
 * export and the Deliveries panel (webhooks given up or retrying, emails that failed). A screenshot of each page goes to test-results/screenshots/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { csvColumns, loadFollowupCampaigns } from '../../src/lib/followup/index.ts';
import { openStore } from '../../src/lib/store/index.ts';
import { collectErrors, launchBrowser } from '../helpers/browser.ts';
import { describeWith } from '../helpers/requires.ts';
import { type RunningServer, startServer } from '../helpers/server.ts';
import { ensureBuild, projectRoot, SAMPLE } from '../helpers/site-build.ts';
import { ev, sent } from './helpers.ts';

const screenshots = join(projectRoot, 'test-results', 'screenshots');
const PASSWORD = 'correct horse battery staple';
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

describeWith('chromium')('the follow-up dashboard in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'aircover-dashboard-'));
    // The scripted engagement, written straight into the store the server will read.
    const store = await openStore({ dataDir });
    const [sample] = loadFollowupCampaigns({ only: 'sample' });
    if (!sample) throw new Error('no sample campaign');
    const ids = ['nordlys-integrasjon', 'vistula-wms', 'coldline-service'];
    await sent(store, sample, 'advance-notice', ids);
    await store.appendEvents([
      ...ids.map((id) => ev('sample', id, 'email.delivered', minutesAgo(120))),
      ev('sample', 'coldline-service', 'email.opened', minutesAgo(119), 'suspect'),
      ev('sample', 'nordlys-integrasjon', 'page_fetch', minutesAgo(119), 'bot'),
      ev('sample', 'nordlys-integrasjon', 'page_view', minutesAgo(60)),
      ev('sample', 'nordlys-integrasjon', 'visible_time', minutesAgo(55), 'human', { ms: 240_000 }),
      ev('sample', 'nordlys-integrasjon', 'read_progress', minutesAgo(55), 'human', { index: 3, of: 6 }),
      ev('sample', 'vistula-wms', 'page_view', minutesAgo(30)),
    ]);
    await store.addResponse({
      kind: 'feedback',
      idempotencyKey: 'dash-feedback-1',
      campaign: 'sample',
      partnerId: 'nordlys-integrasjon',
      text: 'The spoilage numbers match what our fish exporters see.',
      rating: 5,
      consentToQuote: true,
      source: 'form',
      occurredAt: minutesAgo(50),
    });
    await store.addResponse({
      kind: 'registration',
      campaign: 'sample',
      partnerId: 'vistula-wms',
      webinar: 'integrators-share-live',
      email: 'pawel.zielinski@vistula-wms.example.com',
      source: 'form',
      occurredAt: minutesAgo(25),
    });
    // What did not get through: a webhook given up, one retrying tomorrow, an email refused.
    await store.queueDeliveries([
      { messageId: 'msg_dash_given_up', endpoint: 'crm', eventType: 'partner.hot', payload: '{}' },
      { messageId: 'msg_dash_retrying', endpoint: 'crm', eventType: 'feedback.received', payload: '{}' },
    ]);
    for (const d of await store.claimDeliveries(new Date(), new Date(Date.now() + 60_000), 10))
      await store.recordAttempt(d.id, {
        status: 503,
        error: d.messageId === 'msg_dash_given_up' ? 'HTTP 503 <script>x</script>' : 'HTTP 503',
        ms: 12,
        at: new Date(),
        delivered: false,
        retryAt: d.messageId === 'msg_dash_given_up' ? null : new Date(Date.now() + 86_400_000),
      });
    await store.planSends([
      {
        campaign: 'sample',
        touch: 'follow-up',
        partnerId: 'harbourgate',
        recipient: 'harbourgate@example.com',
        idempotencyKey: 'dash-failed-send',
      },
    ]);
    await store.claimSends('sample', 'follow-up', 10);
    await store.markFailed('dash-failed-send', '422 validation_error: the to address is invalid', false);
    await store.close();

    server = await startServer(await ensureBuild('sample', SAMPLE), {
      AIRCOVER_DATA_DIR: dataDir,
      AIRCOVER_ADMIN_PASSWORD: PASSWORD,
    });
    browser = await launchBrowser();
    mkdirSync(screenshots, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('requires a login, shows the funnel and a partner timeline, and limits password guesses', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = collectErrors(page);

    // Unauthenticated → the login page.
    await page.goto(`${server.url}/admin/campaigns/sample`);
    expect(new URL(page.url()).pathname).toBe('/admin/login');
    await page.screenshot({ path: join(screenshots, 'admin-login.png'), fullPage: true });

    // Wrong password → an error, still out.
    await page.fill('input[name=password]', 'wrong');
    await page.click('button[type=submit]');
    await expect.poll(() => page.locator('[role=alert]').textContent()).toMatch(/Wrong password/);

    // Right password → back to where we were going.
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/admin\/campaigns\/sample$/);
    const cookie = (await context.cookies()).find((c) => c.name === 'aircover_admin');
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Strict');

    // The funnel chart is drawn by Chart.js from the store's numbers.
    const chart = JSON.parse((await page.locator('#chart-data').textContent()) ?? '{}') as {
      funnel: { label: string; value: number }[];
    };
    expect(chart.funnel.map((f) => f.value)).toEqual([3, 3, 2, 1, 2, 0]);
    const painted = () =>
      page.evaluate(() => {
        const canvas = document.getElementById('funnel-chart') as HTMLCanvasElement;
        const pixels = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? [];
        let ink = 0;
        for (let i = 3; i < pixels.length; i += 4) if ((pixels[i] ?? 0) > 0) ink += 1;
        return ink;
      });
    await expect.poll(painted).toBeGreaterThan(1000);
    const hotRow = page.locator('table[data-partners] tr[data-partner="nordlys-integrasjon"]');
    await expect.poll(() => hotRow.textContent()).toMatch(/feedback given/);
    expect(await hotRow.textContent()).toMatch(/personal follow-up/);
    // Hot first in the table, and the status filter narrows it.
    expect(await page.locator('table[data-partners] tbody tr').first().getAttribute('data-partner')).toBe(
      'nordlys-integrasjon',
    );
    await page.selectOption('[data-filter-status]', 'registered');
    expect(await page.locator('table[data-partners] tbody tr:not([hidden])').count()).toBe(1);
    await page.selectOption('[data-filter-status]', '');
    await page.screenshot({ path: join(screenshots, 'admin-campaign.png'), fullPage: true });

    // The partner page: the full timeline, bots only on request, each event with its verdict.
    await hotRow.locator('a').first().click();
    await page.waitForURL(/\/admin\/partners\/sample\/nordlys-integrasjon$/);
    const timeline = page.locator('table[data-timeline]');
    expect(await timeline.textContent()).toMatch(/visible_time/);
    expect(await timeline.textContent()).toMatch(/feedback/);
    expect(await page.locator('table[data-timeline] tr[data-verdict="bot"]').count()).toBe(0);
    await page.click('text=Show bot and suspect events too');
    await page.waitForURL(/all=1/);
    expect(await page.locator('table[data-timeline] tr[data-verdict="bot"]').count()).toBe(1);
    expect(await page.locator('table[data-timeline] tr[data-verdict="human"]').count()).toBeGreaterThan(2);
    await page.screenshot({ path: join(screenshots, 'admin-partner.png'), fullPage: true });

    // The campaigns page, the feedback inbox with its consent flag.
    await page.goto(`${server.url}/admin`);
    expect(await page.locator('table[data-campaigns]').textContent()).toMatch(/integrator/);
    // The Deliveries panel: the webhook given up and the one retrying with their last error, the
    // refused email with its error and what happens next; partner text is escaped.
    const hooks = page.locator('table[data-hook-trouble] tbody tr');
    expect(await hooks.count()).toBe(2);
    expect(await page.locator('[data-hook-trouble-count]').textContent()).toBe('2');
    const givenUp = page.locator('table[data-hook-trouble] tr[data-state="failed"]');
    expect(await givenUp.textContent()).toMatch(
      /crm\s*partner\.hot\s*given up\s*1\s*HTTP 503 <script>x<\/script>/,
    );
    expect(await page.locator('table[data-hook-trouble] tr[data-state="retrying"]').textContent()).toMatch(
      // The next try in the sample campaign's zone and locale: "2 Dec 2026, 09:30 CET".
      /feedback\.received\s*retrying\s*1\s*HTTP 503\s*\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d CES?T/,
    );
    const failedSend = page.locator('table[data-send-trouble] tr[data-send="sample/follow-up/harbourgate"]');
    expect(await failedSend.getAttribute('data-retryable')).toBe('false');
    expect(await failedSend.textContent()).toMatch(/the to address is invalid.*--retry-failed/);
    expect(await failedSend.locator('a').getAttribute('href')).toBe('/admin/partners/sample/harbourgate');
    await page.screenshot({ path: join(screenshots, 'admin-campaigns.png'), fullPage: true });
    await page.goto(`${server.url}/admin/feedback`);
    expect(await page.locator('td[data-consent="yes"]').count()).toBe(1);
    await page.screenshot({ path: join(screenshots, 'admin-feedback.png'), fullPage: true });

    // CSV export with the session; refused without.
    const csv = await page.request.get(`${server.url}/admin/export.csv?campaign=sample`);
    expect(csv.headers()['content-type']).toMatch(/text\/csv/);
    const rows = parse(await csv.text(), { columns: true }) as Record<string, string>[];
    expect(rows.find((r) => r.partnerId === 'nordlys-integrasjon')?.status).toBe('feedback-given');
    // The same columns as `followups --csv` (csv.ts), feedback and consent included.
    expect(Object.keys(rows[0] ?? {})).toEqual([...csvColumns]);
    expect(rows.find((r) => r.partnerId === 'nordlys-integrasjon')).toMatchObject({
      feedback: 'The spoilage numbers match what our fish exporters see.',
      feedbackRating: '5',
      consentToQuote: 'yes',
      tags: 'integrator wms nordics',
    });
    expect(rows.find((r) => r.partnerId === 'nordlys-integrasjon')?.feedbackAt).toMatch(/\+01:00$/);
    const anonymous = await fetch(`${server.url}/admin/export.csv`, { redirect: 'manual' });
    expect(anonymous.status).toBe(302);
    // The wrong password's 401 is the only failed request the browser saw.
    expect(errors.filter((e) => !/status of 401/.test(e))).toEqual([]);
    await context.close();

    // Rate limit: after five wrong passwords the sixth attempt is refused, even a right one.
    const attempt = (password: string) =>
      fetch(`${server.url}/admin/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
        body: new URLSearchParams({ password }).toString(),
        redirect: 'manual',
      });
    for (let i = 0; i < 5; i++) expect((await attempt(`guess-${i}`)).status).toBe(401);
    const blocked = await attempt(PASSWORD);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
