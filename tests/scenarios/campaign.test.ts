/**
 * Issue 10's scenario: scripted partners through the real server (beacons, forms, webhooks; the
 * reader and the skimmer in real Chromium) and the real CLI (send, import, followups, report,
 * digest), then every view read back: each partner's status, hot or not, queue action and
 * audiences must be the same in `followups --json`, `send --dry-run --json`, `report --json`,
 * the digest and the dashboard's partner page, with a hot note for the paper reader only.
 *
 * The campaign is the sample one with its own partners.csv, and the content's webinar moved to
 * two days ago, so attendance can be imported and no-shows are known (the registrant who did not
 * come is one of them).
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CampaignReport, FollowUp } from '../../src/lib/followup/index.ts';
import type { Partner, Store } from '../../src/lib/store/index.ts';
import {
  BROWSER_UA,
  beacon,
  emailEvent,
  eventually,
  HEADLESS_UA,
  storeOf,
  svixHeaders,
  WEBHOOK_SECRET,
} from '../collector/helpers.ts';
import { collectErrors, launchBrowser } from '../helpers/browser.ts';
import { describeWith } from '../helpers/requires.ts';
import { type RunningServer, startServer } from '../helpers/server.ts';
import { ensureBuild, projectRoot, runCli } from '../helpers/site-build.ts';
import { partnersCsv, referrerNudge, scenario } from './partners.ts';

const PASSWORD = 'scenario-dashboard-password';
const OWNER = 'maren.owner@kestrel-sensing.example.com';
const WEBINAR = 'integrators-share-live';

let root: string;
let server: RunningServer;
let store: Store;
let browser: Browser;
let env: Record<string, string>;
let tokens: Map<string, Partner>;
const cli = (...args: string[]) => runCli(args, env);
const json = async <T>(...args: string[]): Promise<T> => {
  const { code, stdout, stderr } = await cli(...args);
  expect(code, `${args.join(' ')}: ${stderr}`).toBe(0);
  return JSON.parse(stdout) as T;
};
const partnerOf = (id: string) => {
  const p = tokens.get(id);
  if (!p) throw new Error(`no partner ${id}`);
  return p;
};
const post = (path: string, body: string, headers: Record<string, string>) =>
  fetch(`${server.url}${path}`, { method: 'POST', body, headers, redirect: 'manual' });
const form = (kind: string, id: string, fields: Record<string, string> = {}) =>
  post(
    `/api/forms/${kind}`,
    new URLSearchParams({ token: partnerOf(id).token, touch: '', ...fields }).toString(),
    {
      'content-type': 'application/x-www-form-urlencoded',
      origin: server.url,
      'user-agent': BROWSER_UA,
    },
  );
const webhook = (type: string, id: string, extra: Record<string, unknown> = {}) => {
  const body = emailEvent(type, partnerOf(id), 'advance-notice', extra);
  return post('/api/webhooks/resend', body, svixHeaders(body));
};
/** Reading the whole advance copy, as a beacon from a person's browser. */
const readsPaper = (id: string, sid: string) =>
  post(
    '/api/events',
    beacon(
      partnerOf(id).token,
      [
        ...Array.from({ length: 6 }, (_, i) => ({
          seq: i,
          type: 'read_progress',
          section: `h${i}`,
          index: i,
          of: 6,
        })),
        { seq: 6, type: 'visible_time', section: 'paper', ms: 200_000 },
      ],
      { sid, page: 'advance' },
    ),
    { 'content-type': 'text/plain', origin: server.url, 'user-agent': BROWSER_UA },
  );

async function scroll(page: import('playwright-core').Page, steps: number, pause: number) {
  for (let i = 0; i < steps; i++) {
    await page.mouse.move(300 + (i % 7) * 10, 250 + (i % 5) * 20);
    await page.mouse.wheel(0, 500);
    await page.waitForTimeout(pause);
  }
}

describeWith('chromium')('issue 10: one truth about every partner', () => {
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'aircover-scenario-'));
    const content = join(root, 'content');
    const campaigns = join(root, 'campaigns');
    cpSync(join(projectRoot, 'content'), content, { recursive: true });
    cpSync(join(projectRoot, 'campaigns/sample'), join(campaigns, 'scenario'), { recursive: true });
    writeFileSync(join(campaigns, 'scenario/partners.csv'), partnersCsv());
    const webinarFile = join(content, `webinars/${WEBINAR}.md`);
    const past = new Date(Date.now() - 2 * 86_400_000).toISOString();
    // Held two days ago, with its recording published (a touch that links it needs its URL).
    writeFileSync(
      webinarFile,
      readFileSync(webinarFile, 'utf8')
        .replace(/^start: .*$/m, `start: '${past}'`)
        .replace(
          /^joinUrl: .*$/m,
          (line) => `${line}\nrecordingUrl: https://video.example.com/integrators-share-live`,
        ),
    );

    const build = await ensureBuild('scenario', { contentDir: content, campaignsDir: campaigns });
    env = {
      ...build.env,
      AIRCOVER_DATA_DIR: join(root, 'data'),
      AIRCOVER_OUTBOX_DIR: join(root, 'outbox'),
      AIRCOVER_TEAM_EMAIL: 'team@kestrel-sensing.example.com',
      AIRCOVER_OWNER_EMAILS: `maren=${OWNER}`,
      AIRCOVER_ADMIN_PASSWORD: PASSWORD,
      RESEND_WEBHOOK_SECRET: WEBHOOK_SECRET,
      DATABASE_URL: '',
      RESEND_API_KEY: '',
    };
    server = await startServer(build, env);
    store = await storeOf(env.AIRCOVER_DATA_DIR as string);
    tokens = new Map((await store.listPartners('scenario')).map((p) => [p.partnerId, p]));
    browser = await launchBrowser([`--user-agent=${BROWSER_UA}`]);

    // The unverified registrant: while the webinar was still ahead, an outsider typed their
    // address into the public webinar form (no token). The server reads the webinar from content/
    // and re-reads it when the file changes, so it is put ahead for this one registration.
    const held = readFileSync(webinarFile, 'utf8');
    const ahead = new Date(Date.now() + 2 * 86_400_000).toISOString();
    writeFileSync(webinarFile, held.replace(/^start: .*$/m, `start: '${ahead}'`));
    await eventually(async () => {
      const registered = await post(
        `/api/webinars/${WEBINAR}/register`,
        new URLSearchParams({ name: 'Somebody Else', email: partnerOf('unverified').email }).toString(),
        {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          origin: server.url,
          'user-agent': BROWSER_UA,
        },
      );
      expect(await registered.json()).toEqual({ ok: true, created: true });
    }, 15_000);
    writeFileSync(webinarFile, held);
    const [unverified] = await store.listResponses({ campaign: 'scenario', partnerId: 'unverified' });
    expect(unverified?.data).toMatchObject({ verified: false });

    // The first touch goes to everyone, through the real sender and the file outbox.
    const sent = await cli('send', 'scenario', '--touch', 'advance-notice', '--yes');
    expect(sent.code, sent.stderr).toBe(0);

    // The scanner: the mail filter fetches the personal page within seconds of delivery.
    await fetch(`${server.url}/p/${partnerOf('scanner').token}/?t=advance-notice`, {
      headers: { 'user-agent': HEADLESS_UA },
    });

    // The paper reader, in Chromium: from their page to the advance copy, read to the end.
    const context = await browser.newContext({
      userAgent: BROWSER_UA,
      viewport: { width: 1200, height: 700 },
    });
    const reader = await context.newPage();
    const errors = collectErrors(reader);
    await reader.goto(`${server.url}/p/${partnerOf('reader').token}/`);
    await reader.bringToFront();
    await reader.locator('a[data-cta="read-paper"]').click();
    await reader.waitForURL(/\/preview\/[^/]+\/\?p=/);
    // Read every heading of the paper: each stays on screen well past the 1.5 s dwell.
    const headings = reader.locator('[data-paper-body] h2');
    for (let i = 0; i < (await headings.count()); i++) {
      await headings.nth(i).scrollIntoViewIfNeeded();
      for (let t = 0; t < 5; t++) {
        await reader.mouse.move(300 + t * 10, 300 + i);
        await reader.waitForTimeout(500);
      }
    }
    await reader.close();
    // The skimmer, in Chromium: wheels to the bottom of their page in 14 s, never opens the paper.
    const skimmer = await context.newPage();
    await skimmer.goto(`${server.url}/p/${partnerOf('skimmer').token}/`);
    await skimmer.bringToFront();
    await scroll(skimmer, 14, 1000);
    await skimmer.close();
    await context.close();
    expect(errors).toEqual([]);

    // Answers from the personal pages' forms.
    expect((await form('no-thanks', 'decliner', { reason: 'not our market' })).status).toBe(303);
    expect((await form('not-now', 'pauser', { until: '1m' })).status).toBe(303);
    // Registrations were made before the webinar, from the personal pages (the forms close once it
    // is over, so they are stored as the register form stores them).
    for (const id of ['registrant', 'attendee', 'noshow']) {
      await store.addResponse({
        kind: 'registration',
        campaign: 'scenario',
        partnerId: id,
        webinar: WEBINAR,
        email: partnerOf(id).email,
        name: id,
        source: 'form',
        occurredAt: new Date(Date.now() - 4 * 86_400_000),
      });
    }
    // Now the webinar is over, the form stores nothing.
    await form('register', 'skimmer');
    // The decliner and the pauser read the whole paper afterwards: recorded, never hot.
    expect((await readsPaper('decliner', 'decliner0001')).status).toBe(204);
    expect((await readsPaper('pauser', 'pauser000001')).status).toBe(204);
    expect((await store.listResponses({ campaign: 'scenario', partnerId: 'skimmer' })).length).toBe(0);

    // Delivery reports: a transient bounce, a permanent one, a complaint.
    expect(
      (await webhook('email.bounced', 'soft', { bounce: { type: 'Transient', subType: 'MailboxFull' } }))
        .status,
    ).toBe(200);
    expect(
      (await webhook('email.bounced', 'hard', { bounce: { type: 'Permanent', subType: 'General' } })).status,
    ).toBe(200);
    expect((await webhook('email.complained', 'complainer')).status).toBe(200);

    // Attendance, through the real import: the attendee came, the other registrants did not.
    const csv = join(root, 'zoom.csv');
    writeFileSync(
      csv,
      [
        'Meeting ID,Topic,Start time,End time,User email,Duration (minutes),Participants',
        '812 3456 7890,"The integrator\'s share, live",01/21/2027 03:58:12 PM,01/21/2027 04:47:03 PM,maren.holt@kestrel-sensing.example.com,49,2',
        '',
        'Name (original name),User Email,Join time,Leave time,Duration (minutes),Guest,Recording disclaimer response,In waiting room',
        'Maren Holt,maren.holt@kestrel-sensing.example.com,01/21/2027 03:58:12 PM,01/21/2027 04:47:03 PM,49,No,,No',
        `Attendee Tester,${partnerOf('attendee').email},01/21/2027 04:00:00 PM,01/21/2027 04:40:00 PM,40,No,,No`,
        '',
      ].join('\n'),
    );
    const imported = await cli('import', 'attendance', WEBINAR, csv);
    expect(imported.code, imported.stderr).toBe(0);
    // The server writes beacons in batches and notes after them: wait until the reading is in.
    await eventually(async () => {
      const [row] = await store.engagementSummary('scenario', 'reader');
      expect(row?.maxIndex ?? 0).toBeGreaterThanOrEqual((row?.maxOf ?? 99) - 1);
    }, 15_000);
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await store?.close();
    await server?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  let queue: FollowUp[];
  const row = (id: string) => {
    const found = queue.find((i) => i.partnerId === id);
    if (!found) throw new Error(`no row for ${id}`);
    return found;
  };

  it('followups --json: every scripted partner has the expected status, hot, action and audiences', async () => {
    ({ followups: queue } = await json<{ followups: FollowUp[] }>('followups', 'scenario', '--json'));
    for (const [id, want] of Object.entries(scenario)) {
      const got = row(id);
      expect({ id, status: got.status, hot: got.hot, action: got.action }).toEqual({
        id,
        status: want.status,
        hot: want.hot,
        action: want.action,
      });
      for (const [audience, member] of Object.entries(want.audiences))
        expect(got.audiences[audience as keyof FollowUp['audiences']], `${id} in ${audience}`).toBe(member);
    }
    // Reading means the paper: the skimmer saw sections, read nothing; "read N%" quotes the paper.
    expect(row('skimmer').reading).toMatchObject({ paperProgress: 0 });
    expect(row('skimmer').reading.sectionsSeen).toBeGreaterThan(0);
    expect(row('skimmer').reason).not.toMatch(/read \d+%/);
    expect(row('reader').reason).toMatch(/read 100% of/);
    expect(row('reader').reading.paperProgress).toBe(1);
    // Saying no wins: the decliner's and the pauser's reading is held back, not acted on.
    expect(row('decliner').hotWithheld).toMatchObject({ status: 'declined' });
    expect(row('pauser').hotWithheld).toMatchObject({ status: 'not-now' });
  });

  it('send --dry-run --json decides every touch exactly as the queue says, and changes nothing', async () => {
    const before = (await store.listLedger({ campaign: 'scenario' })).length;
    const touches = queue[0]?.touches.map((t) => t.touch).filter((t) => t !== 'advance-notice') ?? [];
    expect(touches.length).toBeGreaterThan(4);
    for (const touch of touches) {
      const { plan } = await json<{ plan: { partners: { partner: string; category: string }[] }[] }>(
        'send',
        'scenario',
        '--touch',
        touch,
        '--dry-run',
        '--json',
      );
      for (const p of plan[0]?.partners ?? []) {
        const decided = row(p.partner).touches.find((t) => t.touch === touch);
        // A touch with a send window holds a partner whose window is shut as "scheduled": who
        // gets it is the queue's verdict, when is the window's, so it is compared as a send.
        // A referrer nudge's partners are `covered` by their referrer's one note: a send, as one.
        const category = p.category === 'scheduled' || p.category === 'covered' ? 'send' : p.category;
        expect({ touch, partner: p.partner, category }).toEqual({
          touch,
          partner: p.partner,
          category: decided?.send ? 'send' : decided?.reason,
        });
      }
    }
    expect((await store.listLedger({ campaign: 'scenario' })).length).toBe(before);
  });

  it('report --json: the funnel counts paper readers only, and the statuses match', async () => {
    const { campaigns } = await json<{ campaigns: CampaignReport[] }>('report', 'scenario', '--json');
    const report = campaigns[0] as CampaignReport;
    const stage = (name: string) => report.funnel.find((f) => f.stage === name)?.partners;
    expect(stage('sent')).toBe(Object.keys(scenario).length);
    // The reader, the decliner and the pauser read the paper; the skimmer only skimmed their page.
    expect(stage('read half the paper')).toBe(3);
    expect(stage('feedback or registration')).toBe(3);
    expect(stage('attended')).toBe(1);
    expect(report.numbers.hot).toBe(1);
    for (const [id, want] of Object.entries(scenario))
      expect(report.statuses[want.status as keyof CampaignReport['statuses']], id).toBeGreaterThan(0);
  });

  it('the digest lists the paper reader as hot and nobody who said no', async () => {
    const { digest } = await json<{ digest: { hot: FollowUp[]; dueToday: FollowUp[] } }>('digest', '--json');
    expect(digest.hot.map((i) => i.partnerId)).toEqual(['reader']);
    for (const i of digest.dueToday) expect(scenario[i.partnerId]?.hot ?? false).toBe(i.hot);
  });

  it('hot notes: one to the owner for the paper reader, none for anyone else', async () => {
    const dir = join(env.AIRCOVER_OUTBOX_DIR as string, 'scenario', 'hot-note');
    await eventually(async () => expect(existsSync(join(dir, 'reader.eml'))).toBe(true), 15_000);
    const noted = readdirSync(dir)
      .filter((f) => f.endsWith('.eml'))
      .map((f) => f.replace(/\.eml$/, ''));
    expect(noted.sort()).toEqual(
      Object.entries(scenario)
        .filter(([, w]) => w.note)
        .map(([id]) => id),
    );
  });

  it("the dashboard's partner page shows the same verdicts, and labels reading after a no", async () => {
    const login = await post('/admin/login', new URLSearchParams({ password: PASSWORD }).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
      origin: server.url,
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(cookie).toMatch(/aircover_admin=/);
    for (const [id, want] of Object.entries(scenario)) {
      const page = await fetch(`${server.url}/admin/partners/scenario/${id}`, { headers: { cookie } });
      expect(page.status, id).toBe(200);
      const html = await page.text();
      const next =
        /<tr[^>]*data-campaign="scenario"[^>]*data-status="([^"]+)"[^>]*data-hot="([^"]+)"[^>]*data-action="([^"]+)"/.exec(
          html,
        );
      expect({ id, status: next?.[1], hot: next?.[2], action: next?.[3] }).toEqual({
        id,
        status: want.status,
        hot: String(want.hot),
        action: want.action,
      });
      if (!want.hot) expect(html, id).not.toContain('· HOT');
      const audiences = /data-audiences="([^"]*)"/.exec(html)?.[1]?.split(' ') ?? [];
      const fromQueue = Object.entries(row(id).audiences)
        .filter(([, v]) => v)
        .map(([a]) => a);
      expect(audiences.sort(), id).toEqual(fromQueue.sort());
    }
    const decliner = await (
      await fetch(`${server.url}/admin/partners/scenario/decliner`, { headers: { cookie } })
    ).text();
    expect(decliner).toContain('after the decline');
    const pauser = await (
      await fetch(`${server.url}/admin/partners/scenario/pauser`, { headers: { cookie } })
    ).text();
    // The day in the campaign's locale (the sample's en-GB), e.g. "2 Jan 2027".
    expect(pauser).toMatch(
      /during the pause \(reading again; the pause ends on \d{1,2} [A-Z][a-z]{2} \d{4}\)/,
    );
  });

  it('the unverified registrant counts as registered once they confirm from the email, and not before', async () => {
    const mail = await simpleParser(
      readFileSync(
        join(env.AIRCOVER_OUTBOX_DIR as string, 'scenario', `${WEBINAR}-confirmation`, 'unverified.eml'),
      ),
    );
    const link = /https?:\/\/\S+\/confirm\?\S+/.exec(mail.text ?? '')?.[0];
    expect(link, mail.text).toBeTruthy();
    const url = new URL(link as string);
    // Opening the link (as a mail scanner would) changes nothing: still not registered.
    expect((await fetch(`${server.url}${url.pathname}${url.search}`)).status).toBe(200);
    const before = await json<{ followups: FollowUp[] }>('followups', 'scenario', '--json');
    expect(before.followups.find((i) => i.partnerId === 'unverified')?.audiences.registered).toBe(false);
    // The button on that page: the confirm POST.
    const confirmed = await post(url.pathname, url.searchParams.toString(), {
      'content-type': 'application/x-www-form-urlencoded',
      origin: server.url,
      'user-agent': BROWSER_UA,
    });
    expect(confirmed.status).toBe(303);
    const { followups } = await json<{ followups: FollowUp[] }>('followups', 'scenario', '--json');
    const now = followups.find((i) => i.partnerId === 'unverified');
    // Registered, the webinar over and attendance imported without them: a no-show.
    expect({ status: now?.status, action: now?.action }).toEqual({
      status: 'no-show',
      action: 'send-recording',
    });
    expect(now?.audiences).toMatchObject({ registered: true, 'not-registered': false, 'no-show': true });
    const { campaigns } = await json<{ campaigns: CampaignReport[] }>('report', 'scenario', '--json');
    expect(campaigns[0]?.funnel.find((f) => f.stage === 'feedback or registration')?.partners).toBe(4);
    const { plan } = await json<{ plan: { partners: { partner: string; category: string }[] }[] }>(
      'send',
      'scenario',
      '--touch',
      'recording',
      '--dry-run',
      '--json',
    );
    // "scheduled" is a send held for the partner's send window.
    expect(['send', 'scheduled']).toContain(
      plan[0]?.partners.find((p) => p.partner === 'unverified')?.category,
    );
  });

  it('three silent partners with one referrer: one nudge listing the three, in the plan and the outbox', async () => {
    type Plan = {
      plan: {
        notes?: { recipient: string; category: string; partners: string[] }[];
        partners: { partner: string; category: string; note?: string }[];
      }[];
    };
    const dry = await json<Plan>('send', 'scenario', '--touch', 'referrer-nudge', '--dry-run', '--json');
    const [plan] = dry.plan;
    expect(plan?.notes).toEqual([
      {
        referrer: expect.stringMatching(/^referrer:/),
        recipient: referrerNudge.referrer,
        category: 'send',
        partners: referrerNudge.partners,
      },
    ]);
    for (const id of referrerNudge.partners)
      expect(plan?.partners.find((p) => p.partner === id)?.category, id).toBe('covered');

    const sent = await json<{ results: { sent: number }[] }>(
      'send',
      'scenario',
      '--touch',
      'referrer-nudge',
      '--yes',
      '--json',
    );
    expect(sent.results[0]?.sent).toBe(1);
    const dir = join(env.AIRCOVER_OUTBOX_DIR as string, 'scenario', 'referrer-nudge');
    const emls = readdirSync(dir).filter((f) => f.endsWith('.eml'));
    expect(emls).toHaveLength(1);
    const eml = readFileSync(join(dir, emls[0] as string), 'utf8');
    expect(eml).toMatch(new RegExp(`^To: .*${referrerNudge.referrer.replace(/\./g, '\\.')}`, 'm'));
    const html = readFileSync(join(dir, (emls[0] as string).replace(/\.eml$/, '.html')), 'utf8');
    // Each partner listed once, with their own introduction (the signed link names them).
    for (const id of referrerNudge.partners) expect(html.split(`p=${id}&amp;`)).toHaveLength(2);
    expect(html.match(/\/api\/intro\?/g)).toHaveLength(3);
    // A second send writes no second nudge this touch.
    const again = await json<Plan>('send', 'scenario', '--touch', 'referrer-nudge', '--dry-run', '--json');
    expect(again.plan[0]?.notes?.map((n) => n.category)).toEqual(['sent']);
  });

  it('a webinar cancelled mid-campaign: no invite or reminder in the plan or the queue, nobody a no-show', async () => {
    const cancelled = await cli('webinar', 'cancel', WEBINAR, '--yes');
    expect(cancelled.code, cancelled.stderr).toBe(0);
    const { followups } = await json<{ followups: FollowUp[] }>('followups', 'scenario', '--json');
    for (const id of ['registrant', 'noshow']) {
      const r = followups.find((i) => i.partnerId === id);
      expect(r, id).toMatchObject({ status: 'registered', action: 'wait' });
      expect(r?.audiences['no-show']).toBe(false);
    }
    for (const touch of ['webinar-invite', 'reminder']) {
      const { plan } = await json<{ plan: { partners: { partner: string; category: string }[] }[] }>(
        'send',
        'scenario',
        '--touch',
        touch,
        '--dry-run',
        '--json',
      );
      for (const p of plan[0]?.partners ?? []) {
        const decided = followups
          .find((i) => i.partnerId === p.partner)
          ?.touches.find((t) => t.touch === touch);
        expect({ touch, partner: p.partner, category: p.category }).toEqual({
          touch,
          partner: p.partner,
          category: decided?.send ? 'send' : decided?.reason,
        });
        expect(p.category === 'sent' || p.category === 'webinar-cancelled', `${touch} ${p.partner}`).toBe(
          true,
        );
      }
    }
  });
});
