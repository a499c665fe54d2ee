/**
 * The collector over HTTP against the real server (`aircover serve` on the sample build):
 * beacons, forms, Resend webhooks, unsubscribe, scanner passes, hostile input, store outages.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engagementOf } from '../../src/lib/engagement/engaged.ts';
import { referrerToken } from '../../src/lib/personalize/token.ts';
import type { Partner, Store } from '../../src/lib/store/index.ts';
import { type RunningServer, startServer } from '../helpers/server.ts';
import { ensureBuild, SAMPLE, TEST_SECRET } from '../helpers/site-build.ts';
import {
  BROWSER_UA,
  beacon,
  emailEvent,
  eventually,
  HEADLESS_UA,
  storeOf,
  svixHeaders,
  WEBHOOK_SECRET,
} from './helpers.ts';

let server: RunningServer;
let store: Store;
let partners: Partner[];
let origin: string;

const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { method: 'POST', body, headers, redirect: 'manual' });
const beaconHeaders = () => ({
  'content-type': 'text/plain;charset=UTF-8',
  origin,
  'user-agent': BROWSER_UA,
});
const formHeaders = (extra: Record<string, string> = {}) => ({
  'content-type': 'application/x-www-form-urlencoded',
  origin,
  'user-agent': BROWSER_UA,
  ...extra,
});
const partner = (i: number) => partners[i] as Partner;

beforeAll(async () => {
  server = await startServer(await ensureBuild('sample', SAMPLE), { RESEND_WEBHOOK_SECRET: WEBHOOK_SECRET });
  origin = server.url;
  store = await storeOf(server.dataDir);
  partners = await store.listPartners('sample');
  expect(partners.length).toBeGreaterThan(5);
});
afterAll(async () => {
  await store?.close();
  await server?.stop();
});

describe('beacons: POST /api/events', () => {
  it('files reading by page: only the paper pages and the paper section feed paper reading', async () => {
    const p = partner(0);
    const sid = 'paperpages0001';
    const send = (page: 'partner' | 'advance' | 'paper', events: Record<string, unknown>[], n: string) =>
      post('/api/events', beacon(p.token, events, { page, sid: `${sid}${n}` }), beaconHeaders());
    expect(
      (
        await send(
          'partner',
          [
            { seq: 0, type: 'visible_time', section: 'paper', ms: 4000 },
            { seq: 1, type: 'visible_time', section: 'page', ms: 7000 },
            { seq: 2, type: 'read_progress', section: 'webinar', index: 2, of: 4 },
          ],
          'a',
        )
      ).status,
    ).toBe(204);
    expect(
      (await send('advance', [{ seq: 0, type: 'read_progress', section: 'results', index: 1, of: 6 }], 'b'))
        .status,
    ).toBe(204);
    expect(
      (await send('paper', [{ seq: 0, type: 'visible_time', section: 'paper', ms: 5000 }], 'c')).status,
    ).toBe(204);
    const events = (
      await store.listEvents({ campaign: 'sample', partnerId: p.partnerId, includeNonHuman: true })
    ).filter((e) => e.eventKey?.includes(sid));
    const filed = events.map((e) => `${e.metadata.page}/${e.metadata.section}:${e.type}`).sort();
    expect(filed).toEqual([
      'advance/results:read_progress',
      'paper/paper:visible_time',
      'partner/page:page_time',
      'partner/paper:visible_time',
      'partner/webinar:section_seen',
    ]);
  });

  it('stores a page view, time and reading progress with a human verdict, once per retry', async () => {
    const p = partner(0);
    const body = beacon(
      p.token,
      [
        { seq: 0, type: 'page_view', path: `/p/${p.token}/` },
        { seq: 1, type: 'visible_time', ms: 9000 },
        { seq: 2, type: 'read_progress', section: 'paper', index: 0, of: 6 },
      ],
      { touch: 'announce', sid: 'retrytest0001' },
    );
    expect((await post('/api/events', body, beaconHeaders())).status).toBe(204);
    // A client that did not see the answer sends the same events again: stored once.
    expect((await post('/api/events', body, beaconHeaders())).status).toBe(204);
    const events = await store.listEvents({
      campaign: 'sample',
      partnerId: p.partnerId,
      includeNonHuman: true,
    });
    const mine = events.filter((e) => e.eventKey?.includes('retrytest0001'));
    // The personal page is not the paper: its sections are "sections seen", its time page time.
    expect(mine.map((e) => e.type).sort()).toEqual(['page_time', 'page_view', 'section_seen']);
    for (const e of mine) {
      expect(e.verdict).toBe('human');
      expect(e.touch).toBe('announce');
      expect(e.source).toBe('page');
      expect(e.ipHash).toMatch(/^[\w-]{16}$/);
    }
  });

  it('labels a beacon without Origin suspect and a headless one bot, and keeps both', async () => {
    const p = partner(1);
    const noOrigin = beacon(p.token, [{ seq: 0, type: 'page_view' }], { sid: 'noorigin0001' });
    expect(
      (await post('/api/events', noOrigin, { 'content-type': 'text/plain', 'user-agent': BROWSER_UA }))
        .status,
    ).toBe(204);
    const headless = beacon(p.token, [{ seq: 0, type: 'page_view' }], { sid: 'headless0001' });
    expect(
      (await post('/api/events', headless, { ...beaconHeaders(), 'user-agent': HEADLESS_UA })).status,
    ).toBe(204);
    const events = await store.listEvents({ partnerId: p.partnerId, includeNonHuman: true });
    expect(events.find((e) => e.eventKey?.includes('noorigin0001'))?.verdict).toBe('suspect');
    const bot = events.find((e) => e.eventKey?.includes('headless0001'));
    expect(bot?.verdict).toBe('bot');
    expect(bot?.verdictReason).toMatch(/headless|automation|bot/i);
  });

  it('answers an unknown token without an error and records nothing', async () => {
    const before = await store.countEvents({ includeNonHuman: true });
    const response = await post(
      '/api/events',
      beacon('A'.repeat(32), [{ seq: 0, type: 'page_view' }]),
      beaconHeaders(),
    );
    expect(response.status).toBe(204);
    expect(await store.countEvents({ includeNonHuman: true })).toBe(before);
  });

  it('refuses hostile requests cleanly', async () => {
    const token = partner(2).token;
    const good = beacon(token, [{ seq: 0, type: 'page_view' }]);
    const cases: [string, Promise<Response>, number][] = [
      [
        'foreign origin',
        post('/api/events', good, { ...beaconHeaders(), origin: 'https://evil.example' }),
        403,
      ],
      [
        'wrong type',
        post('/api/events', good, {
          ...beaconHeaders(),
          'content-type': 'application/x-www-form-urlencoded',
        }),
        415,
      ],
      ['not JSON', post('/api/events', '{"v":1,', beaconHeaders()), 400],
      ['prototype pollution', post('/api/events', '{"__proto__":{"x":1},"v":1}', beaconHeaders()), 400],
      ['extra field', post('/api/events', good.replace('"v":1', '"v":1,"admin":true'), beaconHeaders()), 400],
      [
        'bad token',
        post('/api/events', beacon('../../etc/passwd', [{ seq: 0, type: 'page_view' }]), beaconHeaders()),
        400,
      ],
      [
        'unknown type',
        post('/api/events', beacon(token, [{ seq: 0, type: 'purchase' }]), beaconHeaders()),
        400,
      ],
      [
        'huge ms',
        post('/api/events', beacon(token, [{ seq: 0, type: 'visible_time', ms: 1e12 }]), beaconHeaders()),
        400,
      ],
      [
        'script in section',
        post(
          '/api/events',
          beacon(token, [{ seq: 0, type: 'read_progress', section: '<script>', index: 0, of: 1 }]),
          beaconHeaders(),
        ),
        400,
      ],
      [
        'too many events',
        post(
          '/api/events',
          beacon(
            token,
            Array.from({ length: 51 }, (_, seq) => ({ seq, type: 'page_view' })),
          ),
          beaconHeaders(),
        ),
        400,
      ],
      ['too large', post('/api/events', 'x'.repeat(17 * 1024), beaconHeaders()), 413],
      ['GET', fetch(`${server.url}/api/events?token=${token}`), 405],
    ];
    for (const [name, request, status] of cases) {
      const response = await request;
      expect({ name, status: response.status }).toEqual({ name, status });
      expect(response.headers.get('content-type') ?? '').not.toMatch(/html/);
    }
    // A query string on a page does not break it or get reflected.
    const page = await fetch(
      `${server.url}/p/${token}/?t=%3Cscript%3Ealert(1)%3C/script%3E&x=${'a'.repeat(3000)}`,
    );
    expect(page.status).toBe(200);
    expect(await page.text()).not.toContain('<script>alert(1)');
  });

  it('loses nothing under concurrent beacons', async () => {
    const before = await store.countEvents({ includeNonHuman: true, types: ['page_time'] });
    const sends = Array.from({ length: 80 }, (_, i) => {
      const p = partner(i % 3);
      const events = Array.from({ length: 5 }, (_, seq) => ({ seq, type: 'visible_time', ms: 1000 }));
      return post('/api/events', beacon(p.token, events, { sid: `concurrent${i}` }), beaconHeaders());
    });
    const statuses = (await Promise.all(sends)).map((r) => r.status);
    expect(statuses.every((s) => s === 204)).toBe(true);
    expect(await store.countEvents({ includeNonHuman: true, types: ['page_time'] })).toBe(before + 400);
  });
});

describe('forms: POST /api/forms/<kind>', () => {
  it('works without JavaScript: 303 back to the confirmation, one response per double submit', async () => {
    const p = partner(3);
    const body = new URLSearchParams({
      token: p.token,
      touch: 'announce',
      resonates: 'The handoff numbers.',
      rating: '4',
      consentToQuote: 'yes',
    });
    const first = await post('/api/forms/feedback', body.toString(), formHeaders());
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe(`/p/${p.token}/?t=announce#thanks-feedback`);
    const again = await post('/api/forms/feedback', body.toString(), formHeaders());
    expect(again.status).toBe(303);
    const responses = await store.listResponses({ partnerId: p.partnerId, kind: 'feedback' });
    expect(responses).toHaveLength(1);
    expect(responses[0]).toMatchObject({
      rating: 4,
      consentToQuote: true,
      touch: 'announce',
      source: 'form',
    });
    const events = await eventually(async () => {
      const list = await store.listEvents({ partnerId: p.partnerId, types: ['form.feedback'] });
      expect(list).toHaveLength(1);
      return list;
    });
    expect(events[0]?.verdict).toBe('human');
  });

  it('answers JSON to scripts; not-now computes the date; no-thanks declines', async () => {
    const p = partner(4);
    const json = { ...formHeaders({ accept: 'application/json' }) };
    const notNow = await post(
      '/api/forms/not-now',
      new URLSearchParams({ token: p.token, until: 'next-quarter' }).toString(),
      json,
    );
    expect(notNow.status).toBe(200);
    const answer = (await notNow.json()) as { ok: boolean; until: string };
    expect(answer.ok).toBe(true);
    expect(new Date(answer.until).getUTCDate()).toBe(1);
    expect(new Date(answer.until).getTime()).toBeGreaterThan(Date.now());
    const decline = await post(
      '/api/forms/no-thanks',
      JSON.stringify({ token: p.token, reason: 'Not our market' }),
      {
        ...json,
        'content-type': 'application/json',
      },
    );
    expect(decline.status).toBe(200);
    const responses = await store.listResponses({ partnerId: p.partnerId });
    expect(responses.map((r) => r.kind).sort()).toEqual(['decline', 'not-now']);
    expect(responses.find((r) => r.kind === 'decline')?.text).toBe('Not our market');
  });

  it('refuses cross-site and origin-less submissions, and handles bad input without an error page', async () => {
    const p = partner(5);
    const body = new URLSearchParams({ token: p.token, until: '2w' }).toString();
    expect(
      (await post('/api/forms/not-now', body, formHeaders({ origin: 'https://evil.example' }))).status,
    ).toBe(403);
    expect(
      (await post('/api/forms/not-now', body, { 'content-type': 'application/x-www-form-urlencoded' }))
        .status,
    ).toBe(403);
    expect(
      (await post('/api/forms/not-now', body, formHeaders({ 'sec-fetch-site': 'cross-site' }))).status,
    ).toBe(403);
    expect(await store.listResponses({ partnerId: p.partnerId })).toHaveLength(0);
    // Unknown token: back to the home page, nothing recorded.
    const unknown = await post(
      '/api/forms/not-now',
      new URLSearchParams({ token: 'B'.repeat(32), until: '2w' }).toString(),
      formHeaders(),
    );
    expect(unknown.status).toBe(303);
    expect(unknown.headers.get('location')).toBe('/');
    // Invalid choice: back to the form.
    const invalid = await post(
      '/api/forms/not-now',
      new URLSearchParams({ token: p.token, until: 'never' }).toString(),
      formHeaders(),
    );
    expect(invalid.status).toBe(303);
    expect(invalid.headers.get('location')).toBe(`/p/${p.token}/#not-now`);
    expect((await post('/api/forms/nope', body, formHeaders())).status).toBe(404);
    expect((await post('/api/forms/call', 'x'.repeat(20_000), formHeaders())).status).toBe(413);
  });
});

describe('Resend webhooks: POST /api/webhooks/resend', () => {
  it('records a valid one once, rejects forged and stale ones, dedupes replays', async () => {
    const p = partner(6);
    const body = emailEvent('email.delivered', p, 'announce');
    const headers = svixHeaders(body);
    const first = await post('/api/webhooks/resend', body, headers);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ duplicate: false, recorded: 1 });
    const replay = await post('/api/webhooks/resend', body, headers);
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ duplicate: true });

    const forged = svixHeaders(body, { secret: `whsec_${Buffer.from('not-the-key').toString('base64')}` });
    expect((await post('/api/webhooks/resend', body, forged)).status).toBe(401);
    const tampered = svixHeaders(body);
    expect((await post('/api/webhooks/resend', body.replace('announce', 'reminder'), tampered)).status).toBe(
      401,
    );
    const stale = svixHeaders(body, { timestamp: Math.floor(Date.now() / 1000) - 600 });
    expect((await post('/api/webhooks/resend', body, stale)).status).toBe(401);
    expect((await post('/api/webhooks/resend', body, { 'content-type': 'application/json' })).status).toBe(
      400,
    );

    const events = await store.listEvents({
      partnerId: p.partnerId,
      types: ['email.delivered'],
      includeNonHuman: true,
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      touch: 'announce',
      source: 'webhook',
      verdict: 'bot',
      verdictReason: 'provider report',
    });
  });

  it('turns hard bounces and complaints into suppressions; opens never count', async () => {
    const bounced = partner(7);
    const soft = partner(8);
    const opened = partner(9);
    const send = (body: string) => post('/api/webhooks/resend', body, svixHeaders(body));
    expect(
      (
        await send(
          emailEvent('email.bounced', bounced, 'announce', {
            bounce: { type: 'Permanent', subType: 'General', message: 'no such user' },
          }),
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await send(
          emailEvent('email.bounced', soft, 'announce', {
            bounce: { type: 'Transient', subType: 'MailboxFull', message: 'full' },
          }),
        )
      ).status,
    ).toBe(200);
    expect((await send(emailEvent('email.complained', opened, 'announce'))).status).toBe(200);
    expect((await send(emailEvent('email.opened', opened, 'announce'))).status).toBe(200);
    expect(await store.isSuppressed(bounced.email)).toBe(true);
    expect(await store.isSuppressed(soft.email)).toBe(false);
    expect(await store.isSuppressed(opened.email)).toBe(true);
    const all = await store.listEvents({ partnerId: opened.partnerId, includeNonHuman: true });
    const events = all.filter((e) => e.source === 'webhook');
    expect(events.find((e) => e.type === 'email.opened')?.verdict).toBe('suspect');
    expect(engagementOf(events).engaged).toBe(false);
  });
});

describe('scanner-like pass', () => {
  it('every link fetched within a second of delivery by a headless agent: no human engagement', async () => {
    const p = partner(10);
    const delivered = emailEvent('email.delivered', p, 'webinar-invite');
    expect((await post('/api/webhooks/resend', delivered, svixHeaders(delivered))).status).toBe(200);
    const links = [
      `/p/${p.token}/?t=webinar-invite`,
      `/p/${p.token}/?t=webinar-invite#call`,
      `/p/${p.token}/?t=webinar-invite&utm=1`,
      `/unsubscribe/${p.token}`,
      '/webinars/integrators-share-live/',
      '/blog/what-integrators-ask-us-first/',
    ];
    const started = Date.now();
    await Promise.all(
      links.map((link) => fetch(`${server.url}${link}`, { headers: { 'user-agent': HEADLESS_UA } })),
    );
    // A scanner that runs scripts sends beacons too, and clicks every call to action.
    const scripted = beacon(
      p.token,
      [
        { seq: 0, type: 'page_view' },
        { seq: 1, type: 'cta_click', cta: 'read-paper', href: '/preview/x/' },
        { seq: 2, type: 'cta_click', cta: 'recording', href: '/recording' },
        { seq: 3, type: 'cta_click', cta: 'webinar', href: '/webinars/x/' },
        { seq: 4, type: 'cta_click', cta: 'call', href: '/p/x/#call' },
        { seq: 5, type: 'visible_time', ms: 800 },
      ],
      { touch: 'webinar-invite' },
    );
    expect(
      (await post('/api/events', scripted, { ...beaconHeaders(), 'user-agent': HEADLESS_UA })).status,
    ).toBe(204);
    // The same pass from an agent that passes for a browser is caught by timing and bursts.
    const disguised = beacon(
      p.token,
      [
        { seq: 0, type: 'page_view' },
        { seq: 1, type: 'visible_time', ms: 700 },
      ],
      { touch: 'webinar-invite' },
    );
    expect((await post('/api/events', disguised, beaconHeaders())).status).toBe(204);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(await store.isSuppressed(p.email)).toBe(false); // a GET never unsubscribes

    const events = await eventually(async () => {
      const list = await store.listEvents({
        partnerId: p.partnerId,
        touch: 'webinar-invite',
        includeNonHuman: true,
      });
      expect(list.filter((e) => e.type === 'page_fetch').length).toBeGreaterThanOrEqual(1);
      return list;
    });
    const pageEvents = events.filter((e) => e.source === 'page');
    expect(pageEvents.length).toBeGreaterThan(5);
    for (const e of pageEvents) expect(e.verdict).not.toBe('human');
    expect(pageEvents.some((e) => /delivery/.test(e.verdictReason ?? ''))).toBe(true);
    expect(engagementOf(events).engaged).toBe(false);
    expect(await store.countEvents({ partnerId: p.partnerId, touch: 'webinar-invite' })).toBe(0); // no human events at all
  });
});

describe('unsubscribe', () => {
  it('one-click (RFC 8058) suppresses at once; the page asks first; referrer tokens work', async () => {
    const p = partner(11);
    const page = await fetch(`${server.url}/unsubscribe/${p.token}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('data-unsubscribe="ask"');
    expect(html).not.toContain(p.email); // masked
    expect(await store.isSuppressed(p.email)).toBe(false);

    // As a mail provider sends it: no Origin, form-encoded body.
    const bad = await post(`/api/unsubscribe/${p.token}`, 'List-Unsubscribe=Nope', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(bad.status).toBe(400);
    const oneClick = await post(`/api/unsubscribe/${p.token}`, 'List-Unsubscribe=One-Click', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(oneClick.status).toBe(200);
    expect(await store.isSuppressed(p.email)).toBe(true);
    expect(await (await fetch(`${server.url}/unsubscribe/${p.token}`)).text()).toContain(
      'data-unsubscribe="done"',
    );

    const withReferrer = partners.find((x) => x.referrerEmail && x.partnerId !== p.partnerId) as Partner;
    expect(withReferrer).toBeDefined();
    const refToken = referrerToken('sample', withReferrer.partnerId, TEST_SECRET);
    const viaPage = await post(`/api/unsubscribe/${refToken}`, 'List-Unsubscribe=One-Click&via=page', {
      'content-type': 'application/x-www-form-urlencoded',
      origin,
    });
    expect(viaPage.status).toBe(303);
    expect(viaPage.headers.get('location')).toBe(`/unsubscribe/${refToken}?done=1`);
    expect(await store.isSuppressed(withReferrer.referrerEmail as string)).toBe(true);
    expect(await store.isSuppressed(withReferrer.email)).toBe(false);

    const unknown = await fetch(`${server.url}/unsubscribe/${'C'.repeat(32)}`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('data-unsubscribe="unknown"');
  });
});

describe('rate limits', () => {
  it('answers 429 beyond the per-token budget, and what was accepted is stored', async () => {
    const p = partner(2);
    const before = await store.countEvents({ partnerId: p.partnerId, includeNonHuman: true });
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        post(
          '/api/events',
          beacon(p.token, [{ seq: 0, type: 'visible_time', ms: 100 }], { sid: `ratelimit${i}` }),
          beaconHeaders(),
        ),
      ),
    );
    const accepted = results.filter((r) => r.status === 204).length;
    expect(results.some((r) => r.status === 429)).toBe(true);
    expect(results.find((r) => r.status === 429)?.headers.get('retry-after')).toBeTruthy();
    expect(await store.countEvents({ partnerId: p.partnerId, includeNonHuman: true })).toBe(
      before + accepted,
    );
  });
});

describe('when the store is down', () => {
  it('answers 503 with Retry-After, and still serves the static site', async () => {
    const blocker = join(mkdtempSync(join(tmpdir(), 'aircover-down-')), 'not-a-folder');
    writeFileSync(blocker, 'a file where the data folder should be');
    const down = await startServer(await ensureBuild('sample', SAMPLE), {
      AIRCOVER_DATA_DIR: join(blocker, 'data'),
      AIRCOVER_ADMIN_PASSWORD: 'store-down-admin-password',
    });
    try {
      const p = partner(0);
      const events = await fetch(`${down.url}/api/events`, {
        method: 'POST',
        body: beacon(p.token, [{ seq: 0, type: 'page_view' }]),
        headers: { 'content-type': 'text/plain', origin: down.url, 'user-agent': BROWSER_UA },
      });
      expect(events.status).toBe(503);
      expect(events.headers.get('retry-after')).toBeTruthy();
      const form = await fetch(`${down.url}/api/forms/not-now`, {
        method: 'POST',
        body: new URLSearchParams({ token: p.token, until: '2w' }),
        headers: { origin: down.url, 'user-agent': BROWSER_UA },
        redirect: 'manual',
      });
      expect(form.status).toBe(503);
      expect((await fetch(`${down.url}/p/${p.token}/`)).status).toBe(200);
      // Signing in needs the store (lockouts and sessions live there): a plain 503, not a crash.
      const login = await fetch(`${down.url}/admin/login`, {
        method: 'POST',
        body: new URLSearchParams({ password: 'store-down-admin-password', next: '/admin' }),
        headers: { origin: down.url, 'user-agent': BROWSER_UA },
        redirect: 'manual',
      });
      expect(login.status).toBe(503);
      expect(login.headers.get('retry-after')).toBe('5');
      expect(await login.text()).toContain('The store is unavailable right now');
    } finally {
      await down.stop();
    }
  });
});
