import { describe, expect, it } from 'vitest';
import { inAudience, touchDecision } from '../../src/lib/campaign/audience.ts';
import { loadCampaign } from '../../src/lib/campaign/load.ts';
import { parseOffset, resolveSchedule } from '../../src/lib/campaign/schedule.ts';
import { renderMessage } from '../../src/lib/email/render/index.ts';
import { partnerLinks } from '../../src/lib/personalize/links.ts';
import {
  buildTokenIndex,
  partnerToken,
  referrerToken,
  tokenPattern,
} from '../../src/lib/personalize/token.ts';
import { contentDir, secret } from './helpers.ts';

describe('partner tokens', () => {
  const loaded = loadCampaign('campaigns/sample', { contentDir });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const { campaign } = loaded;

  it('are distinct per partner and campaign, stable, and change with the secret', () => {
    const tokens = campaign.partners.map((p) => partnerToken(campaign.id, p.id, secret));
    expect(new Set(tokens).size).toBe(campaign.partners.length);
    for (const token of tokens) {
      expect(token).toMatch(tokenPattern);
      expect(Buffer.from(token, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
    }
    expect(campaign.partners.map((p) => partnerToken(campaign.id, p.id, secret))).toEqual(tokens);
    const other = campaign.partners.map((p) => partnerToken(campaign.id, p.id, `${secret}-rotated`));
    expect(other.filter((t, i) => t === tokens[i])).toEqual([]);
    expect(partnerToken('other-campaign', 'vistula-wms', secret)).not.toBe(
      partnerToken(campaign.id, 'vistula-wms', secret),
    );
    expect(referrerToken(campaign.id, 'coldline-service', secret)).not.toBe(
      partnerToken(campaign.id, 'coldline-service', secret),
    );
  });

  it('index resolves partner and referrer tokens', () => {
    const index = buildTokenIndex([campaign], secret);
    expect(index.get(partnerToken(campaign.id, 'vistula-wms', secret))).toEqual({
      campaign: 'sample',
      partner: 'vistula-wms',
      role: 'partner',
    });
    expect(index.get(referrerToken(campaign.id, 'coldline-service', secret))?.role).toBe('referrer');
  });

  it('links carry the touch id and the site URL; messages link only their own partner page', async () => {
    const links = partnerLinks(campaign, 'vistula-wms', {
      secret,
      baseUrl: 'https://kestrel.example.com',
      touch: 'announce',
    });
    const token = partnerToken(campaign.id, 'vistula-wms', secret);
    expect(links.page).toBe(`https://kestrel.example.com/p/${token}/?t=announce`);
    expect(links.notNow).toBe(`${links.page}#not-now`);
    expect(links.unsubscribeOneClick).toBe(`https://kestrel.example.com/api/unsubscribe/${token}`);
    const message = await renderMessage(campaign, 'announce', 'vistula-wms', { secret });
    const pages = new Set(
      message.links.filter((l) => l.includes('/p/')).map((l) => l.split('/p/')[1]?.split('/')[0]),
    );
    expect([...pages]).toEqual([token]);
    expect(message.html).not.toContain('meet.example.com');
    expect(message.text).not.toContain('meet.example.com');
    const nudge = await renderMessage(campaign, 'referrer-nudge', 'coldline-service', { secret });
    expect(nudge).toMatchObject({ to: 'aoife.brennan@example.org', recipient: 'referrer' });
    expect(nudge.unsubscribeUrl).toContain(referrerToken(campaign.id, 'coldline-service', secret));
  });
});

describe('schedule and audience', () => {
  it('resolves offsets and reports unknown references and cycles', () => {
    expect(parseOffset('-1d2h')).toBe(-(26 * 3_600_000));
    const webinar = new Date('2027-01-21T15:00:00Z');
    const { times, problems } = resolveSchedule(
      [
        { id: 'a', when: '2027-01-12T08:00:00Z' },
        { id: 'b', when: { after: 'a', offset: '2d' } },
        { id: 'c', when: { webinar: '-1h' } },
        { id: 'x', when: { after: 'y', offset: '0d' } },
        { id: 'y', when: { after: 'x', offset: '0d' } },
        { id: 'z', when: { after: 'nope', offset: '0d' } },
      ],
      webinar,
    );
    expect(times.get('b')?.toISOString()).toBe('2027-01-14T08:00:00.000Z');
    expect(times.get('c')?.toISOString()).toBe('2027-01-21T14:00:00.000Z');
    expect(problems.map((p) => [p.code, p.touch])).toEqual([
      ['schedule.cycle', 'y'],
      ['schedule.unknown-touch', 'z'],
    ]);
  });

  it('decides audiences from partner state', () => {
    // No-show is known only after the attendance import: the state module sets `noShow`.
    expect(inAudience('no-show', { registered: true })).toBe(false);
    expect(inAudience('no-show', { registered: true, noShow: true })).toBe(true);
    expect(inAudience('no-show', { registered: true, attended: true })).toBe(false);
    expect(inAudience('silent', { engaged: true })).toBe(false);
    expect(inAudience('not-registered', {})).toBe(true);
    const followUp = { kind: 'follow-up', audience: 'silent' } as const;
    const now = new Date('2027-01-15T00:00:00Z');
    expect(touchDecision(followUp, {}, {}, now)).toEqual({ send: true });
    expect(touchDecision(followUp, {}, { declined: true }, now)).toMatchObject({
      send: false,
      reason: 'declined',
    });
    expect(touchDecision(followUp, {}, { pausedUntil: new Date('2027-02-01T00:00:00Z') }, now)).toMatchObject(
      {
        reason: 'paused',
      },
    );
    expect(touchDecision(followUp, {}, { pausedUntil: new Date('2027-01-01T00:00:00Z') }, now)).toEqual({
      send: true,
    });
    expect(touchDecision(followUp, {}, { responded: true }, now)).toMatchObject({ reason: 'responded' });
    expect(touchDecision({ kind: 'referrer-nudge', audience: 'silent' }, {}, {}, now)).toMatchObject({
      reason: 'no-referrer',
    });
  });
});
