/**
 * Acting from the dashboard, in Chromium against the real built server: sign in with a name,
 * read a partner's summary, then record an outcome, a note, a pause, a resume and a hand-off,
 * each on the timeline with who did it and each read back by the partner state (status, owner);
 * a POST without this session's CSRF token is refused and records nothing; the reply goes out as
 * a Standard Webhooks delivery that a local receiver verifies with `standardwebhooks`.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFollowupCampaigns } from '../../src/lib/followup/index.ts';
import { openStore } from '../../src/lib/store/index.ts';
import { formatDate } from '../../src/lib/time/format.ts';
import { collectErrors, hasChromium, launchBrowser } from '../helpers/browser.ts';
import { type RunningServer, startServer } from '../helpers/server.ts';
import { ensureBuild, projectRoot, SAMPLE } from '../helpers/site-build.ts';
import { ev, sent } from './helpers.ts';

const screenshots = join(projectRoot, 'test-results', 'screenshots');
const PASSWORD = 'desk password for the test';
const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

describe.skipIf(!hasChromium() && !process.env.CI)('acting from the dashboard in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let dataDir: string;
  let receiver: Server;
  const received: { verified: unknown; id: string }[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'aircover-desk-'));
    const store = await openStore({ dataDir });
    const [sample] = loadFollowupCampaigns({ only: 'sample' });
    if (!sample) throw new Error('no sample campaign');
    await sent(store, sample, 'advance-notice', ['vistula-wms']);
    await store.appendEvents([
      ev('sample', 'vistula-wms', 'email.delivered', minutesAgo(120)),
      ev('sample', 'vistula-wms', 'email.clicked', minutesAgo(119), 'bot'),
      ev('sample', 'vistula-wms', 'email.clicked', minutesAgo(60)),
      ev('sample', 'vistula-wms', 'page_view', minutesAgo(59), 'human', { page: 'paper' }),
      ev('sample', 'vistula-wms', 'visible_time', minutesAgo(55), 'human', { ms: 90_000, page: 'paper' }),
      ev('sample', 'vistula-wms', 'read_progress', minutesAgo(55), 'human', {
        index: 1,
        of: 6,
        page: 'paper',
      }),
    ]);
    await store.close();

    // The receiver: verifies every delivery with the package the senders of the spec publish.
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        try {
          const verified = new Webhook(SECRET).verify(
            Buffer.concat(chunks).toString('utf8'),
            req.headers as Record<string, string>,
          );
          received.push({ verified, id: String(req.headers['webhook-id']) });
          res.writeHead(204).end();
        } catch {
          res.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.address() as AddressInfo;

    server = await startServer(await ensureBuild('sample', SAMPLE), {
      AIRCOVER_DATA_DIR: dataDir,
      AIRCOVER_ADMIN_PASSWORD: PASSWORD,
      AIRCOVER_WEBHOOKS: JSON.stringify([
        { name: 'crm', url: `http://127.0.0.1:${port}/hooks`, secret: SECRET },
      ]),
    });
    browser = await launchBrowser();
    mkdirSync(screenshots, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await new Promise((resolve) => receiver?.close(resolve));
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const partnerUrl = () => `${server.url}/admin/partners/sample/vistula-wms`;
  const timelineRow = (page: Page, type: string) =>
    page.locator(`table[data-timeline] tr[data-kind="response"][data-type="${type}"]`);

  it('records every action with who did it, refuses a POST without the CSRF token', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = collectErrors(page);

    await page.goto(partnerUrl());
    expect(new URL(page.url()).pathname).toBe('/admin/login');
    await page.fill('input[name=name]', 'Maren Lie');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/admin\/partners\/sample\/vistula-wms$/);

    // The summary: the paper's own progress, human clicks only, the next action and why.
    const summary = page.locator('[data-summary]');
    expect(await summary.locator('[data-paper-percent]').getAttribute('data-paper-percent')).toBe('33');
    expect(await summary.locator('[data-paper-minutes]').textContent()).toBe('1.5');
    expect(await summary.locator('[data-human-clicks]').textContent()).toBe('1');
    expect(await summary.locator('[data-sent]').textContent()).toBe('1');
    expect(await summary.locator('[data-next-action]').textContent()).toBeTruthy();
    expect(await page.locator('[data-actions] h2').textContent()).toMatch(/as Maren Lie/);

    // Without the token, and with another one: 403 from the page's own origin, nothing recorded.
    const refused = await page.evaluate(async (url) => {
      const post = (body: Record<string, string>) =>
        fetch(`${url}/act`, { method: 'POST', body: new URLSearchParams(body) }).then(async (r) => ({
          status: r.status,
          text: await r.text(),
        }));
      return [
        await post({ action: 'note', note: 'sneaky' }),
        await post({ action: 'note', note: 'sneaky', csrf: 'x'.repeat(43) }),
      ];
    }, partnerUrl());
    for (const r of refused) {
      expect(r.status).toBe(403);
      expect(r.text).toMatch(/CSRF/);
    }
    await page.reload();
    expect(await page.locator('table[data-timeline]').textContent()).not.toMatch(/sneaky/);

    // An outcome: replied, with a note → in conversation; the timeline names who.
    await page.selectOption('form[data-action=outcome] select[name=outcome]', 'replied');
    await page.fill('form[data-action=outcome] input[name=note]', 'Wants the GDP report template');
    await page.click('form[data-action=outcome] button');
    await page.waitForURL(/done=outcome/);
    expect(await timelineRow(page, 'replied').locator('[data-by]').textContent()).toBe('Maren Lie');
    expect(await timelineRow(page, 'replied').textContent()).toMatch(/GDP report template/);
    expect(await page.locator('[data-summary] [data-status]').textContent()).toMatch(/in conversation/);
    expect(await page.locator('[data-summary-replies]').textContent()).toMatch(/replied.*by Maren Lie/);

    // A note: on the timeline, the status unchanged.
    await page.fill('form[data-action=note] textarea', 'Called their office: Paweł is at LogiMAT this week.');
    await page.click('form[data-action=note] button');
    await page.waitForURL(/done=note/);
    expect(await timelineRow(page, 'note').textContent()).toMatch(/LogiMAT this week/);
    expect(await timelineRow(page, 'note').locator('[data-by]').textContent()).toBe('Maren Lie');

    // Pause until a date → not now (until …); then resume → the pause ends.
    const until = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
    await page.fill('form[data-action=pause] input[name=until]', until);
    await page.click('form[data-action=pause] button');
    await page.waitForURL(/done=pause/);
    // The day in the sample campaign's zone and locale (Europe/Copenhagen, en-GB): "22 Dec 2026".
    expect(await page.locator('[data-summary] [data-status]').textContent()).toContain(
      `until ${formatDate(new Date(`${until}T12:00:00Z`), 'Europe/Copenhagen', 'en-GB')}`,
    );
    expect(await timelineRow(page, 'not-now').locator('[data-by]').textContent()).toBe('Maren Lie');
    await page.click('form[data-action=resume] button');
    await page.waitForURL(/done=resume/);
    expect(await page.locator('[data-summary] [data-status]').textContent()).not.toMatch(/not now/);
    expect(await timelineRow(page, 'resume').textContent()).toMatch(/pause ended/);
    expect(await page.locator('form[data-action=pause]').count()).toBe(1);

    // Hand-off: the owner every view uses, here and in the campaign table.
    await page.fill('form[data-action=handoff] input[name=owner]', 'tomas');
    await page.click('form[data-action=handoff] button');
    await page.waitForURL(/done=handoff/);
    expect(await page.locator('[data-owner]').textContent()).toBe('tomas');
    expect(await timelineRow(page, 'handoff').textContent()).toMatch(/owner now tomas/);
    expect(await page.locator('table[data-next]').textContent()).toMatch(/tomas carries on personally/);
    await page.screenshot({ path: join(screenshots, 'admin-partner-actions.png'), fullPage: true });
    await page.goto(`${server.url}/admin/campaigns/sample`);
    const tableRow = page.locator('table[data-partners] tr[data-partner="vistula-wms"]');
    expect(await tableRow.locator('td').nth(1).textContent()).toBe('tomas');
    // In conversation first by default; server-side filters and sorting (query params, no script needed).
    expect(await page.locator('table[data-partners] tbody tr').first().getAttribute('data-partner')).toBe(
      'vistula-wms',
    );
    await page.goto(`${server.url}/admin/campaigns/sample?owner=tomas&tag=poland`);
    expect(
      await page
        .locator('table[data-partners] tbody tr')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-partner'))),
    ).toEqual(['vistula-wms']);
    await page.goto(`${server.url}/admin/campaigns/sample?company=nordlys`);
    expect(await page.locator('table[data-partners] tbody tr').count()).toBe(1);
    await page.goto(`${server.url}/admin/campaigns/sample?sort=partner&dir=desc`);
    const names = await page.locator('table[data-partners] tbody tr td:first-child a').allTextContents();
    expect(names).toEqual([...names].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)));
    await page.click('a[data-sort-link=partner]');
    await page.waitForURL(/dir=asc/);

    // The export carries the reading and the owner after the hand-off.
    const csv = parse(
      await (await page.request.get(`${server.url}/admin/export.csv?campaign=sample`)).text(),
      {
        columns: true,
      },
    ) as Record<string, string>[];
    expect(csv.find((r) => r.partnerId === 'vistula-wms')).toMatchObject({
      owner: 'tomas',
      paperProgress: '33%',
      readingMinutes: '1.5',
      paperSections: '1',
    });

    // The reply went out, signed; the receiver verified it.
    await expect.poll(() => received.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    const reply = received.find((r) => (r.verified as { type: string }).type === 'partner.replied');
    expect(reply?.verified).toMatchObject({
      type: 'partner.replied',
      data: {
        campaign: 'sample',
        partnerId: 'vistula-wms',
        by: 'Maren Lie',
        company: 'Vistula WMS Partners',
      },
    });
    expect((reply?.verified as { data?: { dashboardUrl?: string } } | undefined)?.data?.dashboardUrl).toMatch(
      /\/admin\/partners\/sample\/vistula-wms$/,
    );
    // The two refused POSTs are the only failed requests the browser saw.
    expect(errors.filter((e) => !/status of 403/.test(e))).toEqual([]);
    await context.close();

    // What the store holds: one row per action, each from the dashboard, each naming who.
    const store = await openStore({ dataDir });
    try {
      const rows = await store.listResponses({ campaign: 'sample', partnerId: 'vistula-wms' });
      expect(rows.map((r) => r.kind)).toEqual(['replied', 'note', 'not-now', 'resume', 'handoff']);
      for (const r of rows) {
        expect(r.source).toBe('dashboard');
        expect(r.data.by).toBe('Maren Lie');
      }
      const [delivery] = await store.listDeliveries({ messageId: reply?.id ?? '' });
      expect(delivery?.state).toBe('delivered');
    } finally {
      await store.close();
    }
  });
});
