/**
 * Behind a proxy (issue 11): the real client from X-Forwarded-* when AIRCOVER_TRUST_PROXY says
 * so (lockouts per client, Secure cookies), security headers on every page, a CSP that no page
 * violates in real Chromium, logout that ends the session on the server, and production
 * passwords of at least 12 characters.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientOf, parseTrustProxy } from '../../src/lib/engagement/proxy.ts';
import { openStore, type Store } from '../../src/lib/store/index.ts';
import { collectErrors, launchBrowser } from '../helpers/browser.ts';
import { itWith } from '../helpers/requires.ts';
import { type RunningServer, startBareEntry, startServer } from '../helpers/server.ts';
import { ensureBuild, SAMPLE, type SiteBuild } from '../helpers/site-build.ts';
import { eventually } from './helpers.ts';

const PASSWORD = 'proxy-test-password-long';

describe('the client behind a proxy', () => {
  const input = (peer: string, xff?: string, proto?: string) => ({
    peer,
    forwardedFor: xff ?? null,
    forwardedProto: proto ?? null,
  });
  it('ignores X-Forwarded-* unless the proxy is trusted', () => {
    const off = parseTrustProxy(undefined);
    expect(clientOf(input('10.0.0.5', '203.0.113.9', 'https'), off)).toEqual({
      ip: '10.0.0.5',
      https: false,
    });
  });
  it('a hop count takes the entry the trusted proxies appended', () => {
    const one = parseTrustProxy('1');
    expect(clientOf(input('::ffff:10.0.0.5', '198.51.100.1, 203.0.113.9', 'https'), one)).toEqual({
      ip: '203.0.113.9',
      https: true,
    });
    expect(clientOf(input('10.0.0.5'), one)).toEqual({ ip: '10.0.0.5', https: false });
    expect(clientOf(input('10.0.0.5', 'a, b, 203.0.113.7, 10.0.0.9'), parseTrustProxy('2')).ip).toBe(
      '203.0.113.7',
    );
  });
  it('a CIDR list skips our proxies from the right and trusts nobody else', () => {
    const ours = parseTrustProxy('10.0.0.0/8, 127.0.0.1');
    expect(clientOf(input('10.1.2.3', '6.6.6.6, 203.0.113.9, 10.0.0.2'), ours).ip).toBe('203.0.113.9');
    expect(clientOf(input('192.0.2.1', '203.0.113.9'), ours).ip).toBe('192.0.2.1');
    expect(() => parseTrustProxy('10.0.0.0/99')).toThrow(/CIDR/);
    expect(() => parseTrustProxy('proxy.example')).toThrow(/AIRCOVER_TRUST_PROXY/);
  });
});

describe('the server behind a proxy', () => {
  let build: SiteBuild;
  let server: RunningServer;
  let store: Store;
  beforeAll(async () => {
    build = await ensureBuild('sample', SAMPLE);
    server = await startServer(build, { AIRCOVER_TRUST_PROXY: '1', AIRCOVER_ADMIN_PASSWORD: PASSWORD });
    store = await openStore({ dataDir: server.dataDir });
    await eventually(async () => expect((await store.listPartners('sample')).length).toBe(12), 15_000);
  });
  afterAll(async () => {
    await store?.close();
    await server?.stop();
  });

  const login = (password: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/admin/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url, ...headers },
      body: new URLSearchParams({ password, next: '/admin' }).toString(),
    });

  it('locks out the client that guessed, not everyone behind the proxy', async () => {
    const guesser = { 'x-forwarded-for': '203.0.113.50' };
    for (let i = 0; i < 5; i++) expect((await login('wrong', guesser)).status).toBe(401);
    expect((await login(PASSWORD, guesser)).status).toBe(429);
    expect((await login(PASSWORD, { 'x-forwarded-for': '203.0.113.51' })).status).toBe(303);
  });

  it('marks the session cookie Secure when the client came over https', async () => {
    const plain = await login(PASSWORD, { 'x-forwarded-for': '203.0.113.60' });
    expect(plain.headers.get('set-cookie')).not.toMatch(/Secure/i);
    const tls = await login(PASSWORD, { 'x-forwarded-for': '203.0.113.61', 'x-forwarded-proto': 'https' });
    expect(tls.headers.get('set-cookie')).toMatch(/;\s*Secure/i);
  });

  it('logout ends the session on the server: the old cookie no longer opens the dashboard', async () => {
    const signedIn = await login(PASSWORD, { 'x-forwarded-for': '203.0.113.70' });
    const cookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const admin = () => fetch(`${server.url}/admin/`, { redirect: 'manual', headers: { cookie } });
    expect((await admin()).status).toBe(200);
    const out = await fetch(`${server.url}/admin/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, origin: server.url, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(out.status).toBe(303);
    const after = await admin();
    expect(after.status).toBe(302);
    expect(after.headers.get('location')).toMatch(/\/admin\/login/);
  });

  it('sends security headers on every page; nobody may frame private ones', async () => {
    const [partner] = await store.listPartners('sample');
    const paths = [
      '/',
      '/whitepapers/',
      `/p/${partner?.token}/`,
      '/admin/login',
      '/robots.txt',
      '/api/events',
    ];
    for (const path of paths) {
      const response = await fetch(`${server.url}${path}`, { redirect: 'manual' });
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(response.headers.get('referrer-policy'), path).toBe('same-origin');
      const csp = response.headers.get('content-security-policy') ?? '';
      if (path === '/' || path === '/whitepapers/' || path === '/robots.txt')
        expect(csp, path).toContain("frame-ancestors 'self'");
      else expect(csp, path).toContain("frame-ancestors 'none'");
    }
    const home = await (await fetch(`${server.url}/`)).text();
    expect(home).toMatch(
      /<meta http-equiv="content-security-policy" content="[^"]*script-src 'self' 'sha256-/,
    );
    expect(home).not.toContain('unsafe-inline');
  });

  itWith('chromium')('no page logs a CSP violation in Chromium', async () => {
    const partners = await store.listPartners('sample');
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      const errors = collectErrors(page);
      const violations: string[] = [];
      await page.exposeFunction('reportViolation', (v: string) => violations.push(v));
      await page.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) =>
          (window as unknown as { reportViolation(v: string): void }).reportViolation(
            `${e.violatedDirective} ${e.blockedURI} ${document.location.pathname}`,
          ),
        );
      });
      const visit = async (path: string) => {
        await page.goto(`${server.url}${path}`, { waitUntil: 'networkidle' });
      };
      for (const path of ['/', '/whitepapers/', '/webinars/', '/webinars/integrators-share-live/'])
        await visit(path);
      // Every post: one carries a code block, whose highlighting must not need inline styles.
      await visit('/blog/');
      const posts = await page.$$eval('a[href^="/blog/"]', (as) =>
        as.map((a) => a.getAttribute('href') ?? ''),
      );
      for (const path of new Set(posts.filter((href) => href !== '/blog/'))) await visit(path);
      const links = await page.$$eval('a[href^="/whitepapers/"], a[href^="/blog/"]', (as) =>
        as.map((a) => a.getAttribute('href') ?? ''),
      );
      for (const path of [...new Set(links)].slice(0, 4)) await visit(path);
      await visit(`/p/${partners[0]?.token}/`);
      const preview = await page.$$eval('a[href^="/preview/"]', (as) =>
        as.map((a) => a.getAttribute('href') ?? ''),
      );
      if (preview[0]) await visit(preview[0]);
      await visit(`/unsubscribe/${partners[1]?.token}`);
      await visit('/admin/login');
      await page.fill('input[name=password]', PASSWORD);
      await Promise.all([page.waitForURL(/\/admin\/?$/), page.click('button[type=submit]')]);
      await page.waitForLoadState('networkidle');
      await visit('/admin/campaigns/sample');
      await page.waitForSelector('canvas');
      await visit(`/admin/partners/sample/${partners[0]?.partnerId}`);
      await visit('/admin/feedback');
      expect(violations).toEqual([]);
      expect(errors.filter((e) => /content security policy/i.test(e))).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

describe('node dist/server/entry.mjs on its own (the adapter entry, without aircover serve)', () => {
  let build: SiteBuild;
  let server: RunningServer;
  beforeAll(async () => {
    build = await ensureBuild('sample', SAMPLE);
    server = await startBareEntry(build, { AIRCOVER_ADMIN_PASSWORD: PASSWORD });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('sends the same security headers on static pages, files, personal pages and /admin', async () => {
    // The bare entry syncs no partners: a personal page is a static file of the build.
    const token = readdirSync(join(build.client, 'p'))[0];
    const asset = readdirSync(join(build.client, '_astro')).find((f) => f.endsWith('.css'));
    const privatePaths = [`/p/${token}/`, '/admin', '/admin/login'];
    for (const path of ['/', '/whitepapers/', '/robots.txt', `/_astro/${asset}`, ...privatePaths]) {
      const response = await fetch(`${server.url}${path}`, { redirect: 'manual' });
      expect(response.status, path).toBeLessThan(400);
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(response.headers.get('referrer-policy'), path).toBe('same-origin');
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain(
        privatePaths.includes(path) ? "frame-ancestors 'none'" : "frame-ancestors 'self'",
      );
      expect(response.headers.get('x-frame-options'), path).toBe(
        privatePaths.includes(path) ? 'DENY' : 'SAMEORIGIN',
      );
    }
    // The on-demand login page keeps Astro's hashed policy beside ours.
    const login = await fetch(`${server.url}/admin/login`);
    expect(login.headers.get('content-security-policy')).toMatch(/script-src 'self' 'sha256-/);
  });
});

describe('in production', () => {
  let server: RunningServer;
  afterAll(async () => {
    await server?.stop();
  });
  it('refuses an admin password under 12 characters', async () => {
    server = await startServer(await ensureBuild('sample', SAMPLE), {
      AIRCOVER_ENV: 'production',
      AIRCOVER_ADMIN_PASSWORD: 'short-pw',
    });
    const response = await fetch(`${server.url}/admin/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
      body: 'password=short-pw',
    });
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('at least 12 characters');
  });
});
