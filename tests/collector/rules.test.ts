/** The pure rules: verdicts, engagement, not-now dates, origin policy. */
import { describe, expect, it } from 'vitest';
import { ENGAGED_VISIBLE_MS, engagementOf, isHumanEngagement } from '../../src/lib/engagement/engaged.ts';
import { notNowUntil } from '../../src/lib/engagement/forms.ts';
import { checkBeaconOrigin, crossSiteRefusal } from '../../src/lib/engagement/origin.ts';
import { BurstTracker, judgeHit, scannerNetwork } from '../../src/lib/engagement/verdict.ts';
import { BROWSER_UA, HEADLESS_UA } from './helpers.ts';

const at = new Date('2026-11-03T09:00:00.000Z');
const ev = (type: string, verdict: 'human' | 'bot' | 'suspect', metadata: Record<string, unknown> = {}) => ({
  type,
  verdict,
  occurredAt: at.toISOString(),
  metadata,
});

describe('verdicts', () => {
  it('labels agents, timing, networks and bursts', () => {
    expect(judgeHit({ userAgent: BROWSER_UA, ip: '203.0.113.9', at, hasOrigin: true })).toEqual({
      verdict: 'human',
      reason: 'browser',
    });
    expect(judgeHit({ userAgent: HEADLESS_UA, ip: null, at }).verdict).toBe('bot');
    expect(judgeHit({ userAgent: 'curl/8.0', ip: null, at }).verdict).toBe('bot');
    expect(judgeHit({ userAgent: null, ip: null, at }).verdict).toBe('bot');
    expect(judgeHit({ userAgent: BROWSER_UA, ip: null, at, burst: 4 }).verdict).toBe('bot');
    const soon = judgeHit({
      userAgent: BROWSER_UA,
      ip: null,
      at,
      deliveredAt: new Date(at.getTime() - 2_000),
    });
    expect(soon).toEqual({ verdict: 'suspect', reason: 'within 2 s of delivery' });
    expect(
      judgeHit({ userAgent: BROWSER_UA, ip: null, at, deliveredAt: new Date(at.getTime() - 3_600_000) })
        .verdict,
    ).toBe('human');
    expect(scannerNetwork('148.163.130.4')).toBe('Proofpoint');
    expect(scannerNetwork('::ffff:40.107.1.1')).toMatch(/Microsoft/);
    expect(scannerNetwork('192.0.2.1')).toBeNull();
    expect(judgeHit({ userAgent: BROWSER_UA, ip: '148.163.130.4', at }).verdict).toBe('suspect');
    expect(judgeHit({ userAgent: BROWSER_UA, ip: null, at, hasOrigin: false }).verdict).toBe('suspect');
    const bursts = new BurstTracker(5_000);
    expect(['a', 'b', 'c', 'd'].map((link, i) => bursts.hit('p', link, 1000 + i * 100))).toEqual([
      1, 2, 3, 4,
    ]);
    expect(bursts.hit('p', 'e', 20_000)).toBe(1);
  });
});

describe('engagement', () => {
  it('counts human evidence only, never opens or clicks', () => {
    expect(
      isHumanEngagement([
        ev('email.opened', 'suspect'),
        ev('email.clicked', 'human'),
        ev('cta_click', 'human'),
      ]),
    ).toBe(false);
    expect(isHumanEngagement([ev('visible_time', 'bot', { ms: 60_000 })])).toBe(false);
    expect(isHumanEngagement([ev('visible_time', 'human', { ms: ENGAGED_VISIBLE_MS - 1 })])).toBe(false);
    expect(isHumanEngagement([ev('visible_time', 'human', { ms: ENGAGED_VISIBLE_MS })])).toBe(true);
    const reading = engagementOf([
      ev('read_progress', 'human', { page: 'paper', section: 'a' }),
      ev('read_progress', 'human', { page: 'paper', section: 'b' }),
    ]);
    expect(reading).toMatchObject({
      engaged: true,
      sectionsRead: 2,
      reasons: ['read 2 sections of the paper'],
    });
    // The personal page's sections and time are not reading, however many.
    const skim = engagementOf([
      ...['a', 'b', 'c', 'd'].map((section) => ev('section_seen', 'human', { page: 'partner', section })),
      ev('page_time', 'human', { page: 'partner', ms: 60_000 }),
    ]);
    expect(skim).toMatchObject({ engaged: false, sectionsRead: 0, sectionsSeen: 4, visibleMs: 0 });
    expect(engagementOf([ev('form.call', 'human')])).toMatchObject({ engaged: true, forms: ['call'] });
  });
});

describe('not now', () => {
  it('computes the date', () => {
    const now = new Date('2026-01-31T10:00:00.000Z');
    expect(notNowUntil('2w', now).toISOString()).toBe('2026-02-14T10:00:00.000Z');
    expect(notNowUntil('1m', now).toISOString()).toBe('2026-02-28T10:00:00.000Z');
    expect(notNowUntil('next-quarter', now).toISOString()).toBe('2026-04-01T00:00:00.000Z');
    expect(notNowUntil('next-quarter', new Date('2026-11-03T00:00:00Z')).toISOString()).toBe(
      '2027-01-01T00:00:00.000Z',
    );
  });
});

describe('origin policy', () => {
  const base = {
    method: 'POST',
    contentType: 'application/x-www-form-urlencoded',
    referer: null,
    secFetchSite: null,
    host: 'site.example',
  };
  it('keeps forms same-origin and lets one-click, webhooks and beacons through', () => {
    expect(
      crossSiteRefusal({ ...base, pathname: '/api/forms/call', origin: 'https://site.example' }),
    ).toBeNull();
    expect(
      crossSiteRefusal({ ...base, pathname: '/api/forms/call', origin: 'https://evil.example' }),
    ).toBeTruthy();
    expect(crossSiteRefusal({ ...base, pathname: '/api/forms/call', origin: null })).toBeTruthy();
    expect(
      crossSiteRefusal({
        ...base,
        pathname: '/api/forms/call',
        origin: null,
        referer: 'https://site.example/p/x/',
      }),
    ).toBeNull();
    expect(crossSiteRefusal({ ...base, pathname: '/api/unsubscribe/x', origin: null })).toBeNull();
    expect(crossSiteRefusal({ ...base, pathname: '/api/webhooks/resend', origin: null })).toBeNull();
    expect(
      crossSiteRefusal({ ...base, method: 'GET', pathname: '/admin', origin: 'https://evil.example' }),
    ).toBeNull();
    expect(checkBeaconOrigin(null, 'site.example')).toEqual({ ok: true, hasOrigin: false });
    expect(checkBeaconOrigin('https://evil.example', 'site.example').ok).toBe(false);
  });
});
