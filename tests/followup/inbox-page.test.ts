/**
 * The dashboard's inbox in Chromium against the real built server: messages seeded through the
 * inbox pipeline's `ingest` (parse, classify, match, store, effects), a matched reply and an
 * unmatched message listed newest first with the rest paged ("N more"), the CLI's filters on the
 * server, a hostile subject shown as inert text, a correction from the page with the same effect
 * on `aircover followups --json` as `aircover inbox correct`, recorded with who did it and shown
 * on the partner's timeline (whose own form corrects too), and a POST without the CSRF token
 * refused with nothing changed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFollowupCampaigns } from '../../src/lib/followup/index.ts';
import { INBOX_PAGE_SIZE } from '../../src/lib/inbox/admin.ts';
import { ingest } from '../../src/lib/inbox/pipeline.ts';
import { openStore } from '../../src/lib/store/index.ts';
import { collectErrors, hasChromium, launchBrowser } from '../helpers/browser.ts';
import { type RunningServer, startServer } from '../helpers/server.ts';
import { ensureBuild, runCli, SAMPLE, TEST_SECRET } from '../helpers/site-build.ts';
import { sent } from './helpers.ts';

const PASSWORD = 'inbox password for the test';
const HOSTILE = '<img src=x onerror="window.__pwned=1">Re: \u202eoffer\u202c \u001b[31mred';
const b64 = (s: string) => `=?UTF-8?B?${Buffer.from(s).toString('base64')}?=`;

function eml(headers: Record<string, string>, body: string, at: Date): string {
  const lines = Object.entries({
    Date: at.toUTCString().replace('GMT', '+0000'),
    'MIME-Version': '1.0',
    'Content-Type': 'text/plain; charset=utf-8',
    To: 'Maren Holt <maren@kestrel.example.com>',
    ...headers,
  });
  return `${lines.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body}\r\n`;
}

interface FollowUp {
  partnerId: string;
  status: string;
  action: string;
}

describe.skipIf(!hasChromium() && !process.env.CI)('the dashboard inbox in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let dataDir: string;
  let env: Record<string, string>;
  const ids: Record<string, number> = {};
  const cli = (...args: string[]) => runCli(args, env);
  const followups = async () =>
    (JSON.parse((await cli('followups', 'sample', '--json')).stdout) as { followups: FollowUp[] }).followups;
  const inboxJson = async (...args: string[]) =>
    JSON.parse((await cli('inbox', '--json', ...args)).stdout) as { id: number; class: string }[];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'aircover-inbox-page-'));
    env = {
      AIRCOVER_SECRET: TEST_SECRET,
      AIRCOVER_DATA_DIR: dataDir,
      DATABASE_URL: '',
      AIRCOVER_USER: 'tomas',
    };
    const store = await openStore({ dataDir });
    const [sample] = loadFollowupCampaigns({ only: 'sample' });
    if (!sample) throw new Error('no sample campaign');
    await sent(store, sample, 'advance-notice', ['vistula-wms', 'kuehlhaus-technik']);
    const ctx = { store, campaigns: [sample] };
    const now = Date.now();
    // Older mail nobody sent for: more than a page, so the page must say what it leaves out.
    for (let n = 0; n < INBOX_PAGE_SIZE + 1; n++)
      await ingest(
        ctx,
        eml(
          {
            From: 'news@trade-fair.example',
            Subject: `Fair news ${n}`,
            'Message-ID': `<news-${n}@fair.example>`,
          },
          'Stand plans for next spring.',
          new Date(now - (10 + n) * 3_600_000),
        ),
        'file:test',
      );
    // The same plain reply from two partners: one is corrected on the page, one with the CLI.
    for (const [id, from] of [
      ['vistula-wms', 'Paweł Zieliński <pawel.zielinski@vistula-wms.example.com>'],
      ['kuehlhaus-technik', 'Jürgen Weiß <j.weiss@kuehlhaus-technik.example.com>'],
    ] as const) {
      const r = await ingest(
        ctx,
        eml(
          { From: from, Subject: 'Re: Your advance copy', 'Message-ID': `<reply-${id}@mail.example>` },
          'Thanks, we will read it this week and come back with questions.',
          new Date(now - 2 * 3_600_000),
        ),
        'file:test',
      );
      expect(r.message.partnerId).toBe(id);
      ids[id] = r.id;
    }
    const stranger = await ingest(
      ctx,
      eml(
        {
          From: 'Someone <someone@elsewhere.example>',
          Subject: b64(HOSTILE),
          'Message-ID': '<hostile@x.example>',
        },
        'Hello, who are you?',
        new Date(now - 3_600_000),
      ),
      'file:test',
    );
    expect(stranger.message.partnerId).toBeNull();
    ids.stranger = stranger.id;
    await store.close();

    server = await startServer(await ensureBuild('sample', SAMPLE), {
      AIRCOVER_DATA_DIR: dataDir,
      AIRCOVER_ADMIN_PASSWORD: PASSWORD,
    });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists, filters, escapes, corrects as the CLI does, and refuses a POST without the token', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = collectErrors(page);
    await page.goto(`${server.url}/admin/inbox`);
    expect(new URL(page.url()).pathname).toBe('/admin/login');
    await page.fill('input[name=name]', 'Maren Lie');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/admin\/inbox$/);
    expect(await page.locator('header nav a[href="/admin/inbox"]').count()).toBe(1);

    // Newest first: the stranger, then the replies; a page of rows and the rest counted.
    const rows = page.locator('table[data-inbox] tbody tr[data-inbound]');
    const total = INBOX_PAGE_SIZE + 4;
    expect(await page.locator('[data-inbox-count]').getAttribute('data-inbox-count')).toBe(String(total));
    expect(await rows.count()).toBe(INBOX_PAGE_SIZE);
    expect(await rows.first().getAttribute('data-inbound')).toBe(String(ids.stranger));
    expect(await rows.first().getAttribute('data-matched')).toBe('unmatched');
    expect(await page.locator('[data-more]').getAttribute('data-more')).toBe(String(total - INBOX_PAGE_SIZE));
    const vistula = page.locator(`tr[data-inbound="${ids['vistula-wms']}"]`);
    expect(await vistula.getAttribute('data-class')).toBe('reply');
    expect(await vistula.locator('[data-partner] a').getAttribute('href')).toBe(
      '/admin/partners/sample/vistula-wms',
    );
    await page.click('[data-more]');
    await page.waitForURL(/page=2/);
    expect(await rows.count()).toBe(total - INBOX_PAGE_SIZE);
    expect(await page.locator('[data-more]').count()).toBe(0);

    // The hostile subject: text, not markup; no bidi override or escape left.
    await page.goto(`${server.url}/admin/inbox`);
    const subject = (await rows.first().locator('[data-subject]').textContent()) ?? '';
    expect(subject).toContain('<img src=x');
    expect(subject).toContain('offer');
    expect(subject).not.toMatch(/[\u202a-\u202e]/);
    expect(subject.includes('\u001b')).toBe(false);
    expect(await page.locator('table[data-inbox] img').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();

    // The CLI's filters, on the server.
    await page.goto(`${server.url}/admin/inbox?unmatched=1`);
    expect(await page.locator('[data-inbox-count]').getAttribute('data-inbox-count')).toBe(
      String(INBOX_PAGE_SIZE + 2),
    );
    expect(await page.locator('tr[data-matched="yes"]').count()).toBe(0);
    await page.goto(`${server.url}/admin/inbox?campaign=sample&class=reply`);
    expect((await rows.evaluateAll((r) => r.map((e) => e.getAttribute('data-inbound')))).sort()).toEqual(
      [String(ids['vistula-wms']), String(ids['kuehlhaus-technik'])].sort(),
    );
    await page.goto(`${server.url}/admin/inbox?class=nonsense`);
    expect(await page.locator('[data-error]').textContent()).toMatch(/class must be one of/);
    expect(await rows.count()).toBe(0);

    // Both replied: touches stopped.
    const before = await followups();
    for (const id of ['vistula-wms', 'kuehlhaus-technik'])
      expect(before.find((f) => f.partnerId === id)?.status).toBe('replied');

    // Without the token, and with a wrong one: 403, nothing changed.
    const refused = await page.evaluate(
      async ({ url, id }) => {
        const post = (body: Record<string, string>) =>
          fetch(`${url}/admin/inbox/correct`, { method: 'POST', body: new URLSearchParams(body) }).then(
            (r) => r.status,
          );
        return [
          await post({ id, class: 'auto-reply' }),
          await post({ id, class: 'auto-reply', csrf: 'x'.repeat(43) }),
        ];
      },
      { url: server.url, id: String(ids['vistula-wms']) },
    );
    expect(refused).toEqual([403, 403]);
    expect((await inboxJson('--class', 'auto-reply')).length).toBe(0);

    // The correction from the page, and the same one from the CLI: the same effect.
    await page.goto(`${server.url}/admin/inbox?campaign=sample`);
    const form = page.locator(`form[data-correct="${ids['vistula-wms']}"]`);
    await form.locator('select[name=class]').selectOption('auto-reply');
    await form.locator('button').click();
    await page.waitForURL(/done=corrected-/);
    expect(new URL(page.url()).searchParams.get('campaign')).toBe('sample');
    expect(await vistula.getAttribute('data-class')).toBe('auto-reply');
    expect(await vistula.locator('[data-correction]').textContent()).toMatch(
      /reply → auto-reply by Maren Lie/,
    );
    expect((await cli('inbox', 'correct', String(ids['kuehlhaus-technik']), 'auto-reply')).code).toBe(0);
    const after = await followups();
    const pick = (list: FollowUp[], id: string) => {
      const f = list.find((x) => x.partnerId === id);
      return f && { status: f.status, action: f.action };
    };
    expect(pick(after, 'vistula-wms')?.status).not.toBe('replied');
    expect(pick(after, 'vistula-wms')).toEqual(pick(after, 'kuehlhaus-technik'));
    await page.reload();
    expect(
      await page.locator(`tr[data-inbound="${ids['kuehlhaus-technik']}"] [data-correction]`).textContent(),
    ).toMatch(/by tomas/);

    // On the partner's timeline, with who; its own form corrects back to a reply.
    await page.goto(`${server.url}/admin/partners/sample/vistula-wms`);
    const entry = page.locator(`table[data-timeline] tr[data-inbound="${ids['vistula-wms']}"]`);
    expect(await entry.getAttribute('data-type')).toBe('inbox.auto-reply');
    expect(await entry.locator('[data-by]').textContent()).toBe('Maren Lie');
    expect(await entry.textContent()).toMatch(/corrected from reply/);
    await entry.locator('select[name=class]').selectOption('reply');
    await entry.locator('button').click();
    await page.waitForURL(/\/admin\/partners\/sample\/vistula-wms\?done=corrected-/);
    expect(await page.locator('[data-done=corrected]').count()).toBe(1);
    expect(await entry.getAttribute('data-type')).toBe('inbox.reply');
    expect((await followups()).find((f) => f.partnerId === 'vistula-wms')?.status).toBe('replied');

    expect(errors.filter((e) => !/status of 403/.test(e))).toEqual([]);
    await context.close();
  }, 180_000);
});
