/**
 * End to end, on the sample build and the real server: a partner saves a seat from their
 * personal page and someone registers on the public webinar page, both in Chromium without
 * help from scripts → confirmations in the outbox with the invitation attached → attendance
 * import (Zoom) → the follow-up engine: attended → thanks, registered but absent → recording.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import ical, { type VEvent } from 'node-ical';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { inAudience, touchDecision } from '../../src/lib/campaign/audience.ts';
import { loadCampaign } from '../../src/lib/campaign/load.ts';
import { buildQueue, fromCampaign, loadPartnerStates } from '../../src/lib/followup/index.ts';
import { partnerToken } from '../../src/lib/personalize/token.ts';
import { openStore } from '../../src/lib/store/index.ts';
import type { Store } from '../../src/lib/store/types.ts';
import { invitationUid } from '../../src/lib/webinar/index.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { describeWith } from '../helpers/requires.ts';
import { type RunningServer, startServer } from '../helpers/server.ts';
import { ensureBuild, runCli, SAMPLE, type SiteBuild, TEST_SECRET } from '../helpers/site-build.ts';
import { fixture } from './helpers.ts';

const WEBINAR = 'integrators-share-live';
const JOIN_URL = 'https://meet.example.com/kestrel/integrators-share-live';
const INGRID = 'ingrid.bakke@nordlys-integrasjon.example.com';
const DECLAN = 'declan.murphy@coldline-service.example.com';

function emlFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.eml'))
    .map((f) => join(dir, f));
}

async function invitationIn(file: string) {
  const mail = await simpleParser(readFileSync(file));
  const ics = mail.attachments.find((a) => a.filename === 'invite.ics');
  return { mail, ics, icsText: ics?.content.toString('utf8') ?? '' };
}

describeWith('chromium')('webinar end to end', () => {
  let build: SiteBuild;
  let server: RunningServer;
  let browser: Browser;
  let outbox: string;
  let store: Store;

  beforeAll(async () => {
    build = await ensureBuild('sample', SAMPLE);
    outbox = mkdtempSync(join(tmpdir(), 'aircover-webinar-outbox-'));
    server = await startServer(build, { AIRCOVER_OUTBOX_DIR: outbox, AIRCOVER_TRANSPORT: 'outbox' });
    browser = await launchBrowser();
  }, 240_000);

  afterAll(async () => {
    await store?.close();
    await browser?.close();
    await server?.stop();
  });

  it('the public page keeps the join link out and registers without JavaScript', async () => {
    const html = await (await fetch(`${server.url}/webinars/${WEBINAR}/`)).text();
    expect(html).not.toContain(JOIN_URL);
    expect(html).toContain(`action="/api/webinars/${WEBINAR}/register"`);

    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${server.url}/webinars/${WEBINAR}/`);
    await page.fill('input[name="name"]', 'Declan Murphy');
    await page.fill('input[name="email"]', 'Declan.Murphy@coldline-service.example.com');
    await page.fill('input[name="company"]', 'Coldline Refrigeration Service Ltd');
    await Promise.all([
      page.waitForURL(/#registered$/),
      page.click('form[data-webinar-register] button[type="submit"]'),
    ]);
    expect(await page.isVisible('#registered')).toBe(true);
    expect(await page.isVisible('form[data-webinar-register]')).toBe(false);
    // Registering twice is one registration.
    await page.goto(`${server.url}/webinars/${WEBINAR}/`);
    await page.fill('input[name="name"]', 'Declan Murphy');
    await page.fill('input[name="email"]', DECLAN);
    await Promise.all([
      page.waitForURL(/#registered$/),
      page.click('form[data-webinar-register] button[type="submit"]'),
    ]);
    // Invalid input is refused with a message, nothing stored.
    await page.goto(`${server.url}/webinars/${WEBINAR}/`);
    await page.fill('input[name="name"]', 'No Mail');
    await page.evaluate(() => undefined);
    await page.$eval('input[name="email"]', (el) => {
      (el as HTMLInputElement).type = 'text';
      (el as HTMLInputElement).value = 'not-an-address';
    });
    await Promise.all([
      page.waitForURL(/#register-error$/),
      page.click('form[data-webinar-register] button[type="submit"]'),
    ]);
    expect(await page.isVisible('#register-error')).toBe(true);
    await context.close();
  });

  it('refuses a cross-site registration', async () => {
    const response = await fetch(`${server.url}/api/webinars/${WEBINAR}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      body: 'name=Eve&email=eve%40evil.example',
      redirect: 'manual',
    });
    expect(response.status).toBe(403);
  });

  it('a partner saves a seat with one click from their personal page', async () => {
    const token = partnerToken('sample', 'nordlys-integrasjon', TEST_SECRET);
    const page = await browser.newPage();
    await page.goto(`${server.url}/p/${token}/`);
    await Promise.all([
      page.waitForURL(/#thanks-register$/),
      page.click('form[data-form="register"] button[type="submit"]'),
    ]);
    await page.close();
  });

  it('both confirmations are in the outbox with the invitation attached', async () => {
    const deadline = Date.now() + 10_000;
    let files = emlFiles(outbox);
    while (files.length < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      files = emlFiles(outbox);
    }
    expect(files).toHaveLength(2);
    const byTo = new Map<string, Awaited<ReturnType<typeof invitationIn>>>();
    for (const f of files) {
      const parsed = await invitationIn(f);
      byTo.set(
        parsed.mail.to && !Array.isArray(parsed.mail.to) ? (parsed.mail.to.value[0]?.address ?? '') : '',
        parsed,
      );
    }
    for (const email of [INGRID, DECLAN]) {
      const got = byTo.get(email);
      expect(got, email).toBeDefined();
      if (!got) continue;
      expect(got.mail.subject).toMatch(/^You're registered: /);
      expect(got.mail.text).toContain(JOIN_URL);
      expect(got.ics?.contentType).toBe('text/calendar');
      const parsed = ical.sync.parseICS(got.icsText);
      const event = Object.values(parsed).find((c) => c?.type === 'VEVENT') as VEvent;
      expect(got.icsText).toMatch(/^METHOD:REQUEST\r?$/m);
      expect(event.uid).toBe(invitationUid(WEBINAR, email));
      expect(new Date(event.start).toISOString()).toBe('2027-01-21T15:00:00.000Z');
    }
    // Times in the partner's own zone (Oslo), and the event's.
    expect(byTo.get(INGRID)?.mail.text).toContain('(Europe/Oslo)');
  });

  it('attendance import splits attended and no-show; the follow-ups follow', async () => {
    // Declan registered on the public page with a partner's address, no token: unverified until
    // he confirms from the email (src/lib/webinar/verify.ts), which he does.
    let link = '';
    for (const file of emlFiles(outbox)) {
      const { mail } = await invitationIn(file);
      const to = mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : undefined;
      if (to === DECLAN) link = /(http\S+\/confirm\?\S+)/.exec(mail.text ?? '')?.[1] ?? link;
    }
    const confirmUrl = new URL(link);
    const confirmed = await fetch(`${server.url}${confirmUrl.pathname}`, {
      method: 'POST',
      headers: {
        origin: server.url,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams({
        e: confirmUrl.searchParams.get('e') ?? '',
        s: confirmUrl.searchParams.get('s') ?? '',
      }),
    });
    expect(confirmed.status).toBe(200);
    const imported = await runCli(
      ['import', 'attendance', WEBINAR, fixture('zoom-participants.csv'), '--json'],
      { ...build.env, AIRCOVER_DATA_DIR: server.dataDir },
    );
    expect(imported.code, imported.stderr).toBe(0);
    const summary = JSON.parse(imported.stdout) as {
      attendees: number;
      registrants: number;
      newPeople: string[];
    };
    expect(summary.attendees).toBe(3); // the host (Maren) is left out
    expect(summary.registrants).toBe(1); // Ingrid registered; Declan did not come
    expect(summary.newPeople).toContain('walk.in@newcomer.example.org');

    store = await openStore({ dataDir: server.dataDir });
    const registrations = await store.listResponses({ webinar: WEBINAR, kind: 'registration' });
    expect(registrations.map((r) => r.email).sort()).toEqual([DECLAN, INGRID]);

    const loaded = loadCampaign('campaigns/sample');
    if (!loaded.ok) throw new Error('sample campaign does not load');
    const campaign = fromCampaign(loaded.campaign);
    const after = new Date('2027-01-22T12:00:00Z');
    const states = await loadPartnerStates(store, campaign, after);
    const ingrid = states.get('nordlys-integrasjon') ?? {};
    const declan = states.get('coldline-service') ?? {};
    expect(inAudience('attended', ingrid)).toBe(true);
    expect(inAudience('no-show', ingrid)).toBe(false);
    expect(inAudience('no-show', declan)).toBe(true);
    expect(inAudience('attended', declan)).toBe(false);
    // The sample's touches: attendees get `thanks`, no-shows get `recording`.
    const touch = (id: string) => loaded.campaign.touches.find((t) => t.id === id);
    const thanks = touch('thanks');
    const recording = touch('recording');
    if (!thanks || !recording) throw new Error('sample campaign lacks the thanks or recording touch');
    const ingridPartner = loaded.campaign.partners.find((p) => p.id === 'nordlys-integrasjon');
    const declanPartner = loaded.campaign.partners.find((p) => p.id === 'coldline-service');
    if (!ingridPartner || !declanPartner) throw new Error('sample partners missing');
    expect(touchDecision(thanks, ingridPartner, ingrid, after)).toEqual({ send: true });
    expect(touchDecision(recording, ingridPartner, ingrid, after).send).toBe(false);
    expect(touchDecision(recording, declanPartner, declan, after)).toEqual({ send: true });
    expect(touchDecision(thanks, declanPartner, declan, after).send).toBe(false);

    const queue = await buildQueue(store, [campaign], { now: after });
    const item = (id: string) => queue.find((q) => q.partnerId === id);
    expect(item('nordlys-integrasjon')).toMatchObject({ status: 'attended', action: 'thank-next-step' });
    expect(item('coldline-service')).toMatchObject({ status: 'no-show', action: 'send-recording' });
  });
});
