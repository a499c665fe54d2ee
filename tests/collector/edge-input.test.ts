/**
 * Clean input at the edge, and cheap before expensive (issue 11): one cleaner for every string
 * from outside, one body reader (400 malformed, 413 too big, 415 wrong type), one bad event never
 * failing its neighbours in a group commit (SQLite and Postgres), content read once.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePartners } from '../../src/lib/campaign/partners.ts';
import { cachedUntilChanged } from '../../src/lib/content/cached.ts';
import { EventBatcher } from '../../src/lib/engagement/batcher.ts';
import { readBody } from '../../src/lib/engagement/body.ts';
import { cleanDeep, cleanLine, cleanText } from '../../src/lib/input/clean.ts';
import { openStore, type Store } from '../../src/lib/store/index.ts';
import type { EventInput } from '../../src/lib/store/types.ts';
import { parseAttendance } from '../../src/lib/webinar/attendance.ts';
import { loadWebinar } from '../../src/lib/webinar/schedule.ts';
import { itWith } from '../helpers/requires.ts';
import { type RunningServer, startServer } from '../helpers/server.ts';
import { ensureBuild, projectRoot, SAMPLE } from '../helpers/site-build.ts';
import { BROWSER_UA, beacon, eventually } from './helpers.ts';

const LONE = '\ud800';

describe('the cleaner', () => {
  it('drops NUL, lone surrogates and control characters; keeps newlines in free text', () => {
    expect(cleanText(`a\u0000b${LONE}c\u001b]52;c;ZXZpbA==\u0007d\r\ne\u009bf\tg`)).toBe(
      'abc]52;c;ZXZpbA==d\r\nef\tg',
    );
    expect(cleanText('😀 ok')).toBe('😀 ok');
    expect(cleanLine('one\ntwo\r\nthree\u2028four')).toBe('one two three four');
    expect(cleanDeep({ 'k\u0000': [`v${LONE}`, 1, null, { x: 'y\u0000' }] })).toEqual({
      k: ['v', 1, null, { x: 'y' }],
    });
  });
});

describe('imports are cleaned by the same cleaner', () => {
  it('attendance exports and partners.csv lose NUL and terminal escapes', () => {
    const meet = `First name,Last name,Email,Duration,Time joined,Time exited\nS\u0000øren\u001b]52;c;eA==\u0007,Lykke,soren@example.com,44 min,4:01 PM,4:45 PM\n`;
    const report = parseAttendance(new TextEncoder().encode(meet), 'meet.csv');
    expect(report.attendees.map((a) => a.name)).toEqual(['Søren]52;c;eA== Lykke']);
    const csv =
      'id,company,first_name,email,pain\nacme,Acme\u0000 Ltd,Bo\u001b[2J,bo@example.com,"slow\u0000\nreturns"\n';
    const { list } = parsePartners(csv, 'partners.csv', 'Europe/Berlin');
    const [partner] = list.partners;
    expect(JSON.stringify(partner)).not.toMatch(/\\u0000|\\u001b/);
    expect(partner?.company).toBe('Acme Ltd');
  });
});

describe('the body reader', () => {
  const req = (body: string, type: string | null, extra: Record<string, string> = {}) =>
    new Request('http://127.0.0.1/x', {
      method: 'POST',
      body,
      headers: { ...(type ? { 'content-type': type } : {}), ...extra },
    });
  const rules = { maxBytes: 1024, accept: ['form', 'json'] as const };

  it('answers 400 malformed, 413 too big, 415 wrong type, and cleans what it returns', async () => {
    const status = async (r: Request) => {
      const read = await readBody(r, { ...rules, accept: [...rules.accept] });
      return read.ok ? 200 : read.answer.status;
    };
    expect(await status(req('{"name":', 'application/json'))).toBe(400);
    expect(await status(req('x'.repeat(2000), 'application/x-www-form-urlencoded'))).toBe(413);
    expect(await status(req('name=a', 'text/plain'))).toBe(415);
    expect(await status(req('name=a', null))).toBe(415);
    const read = await readBody(req('name=Bo%00b&note=line%0D%0Aline', 'application/x-www-form-urlencoded'), {
      ...rules,
      accept: [...rules.accept],
    });
    expect(read.ok && read.value).toEqual({ name: 'Bob', note: 'line\r\nline' });
  });
});

/** Ten requests of good events and one of an event no store takes (a raw NUL, never cleaned). */
async function poisonedGroup(store: Store, campaign: string) {
  const batcher = new EventBatcher(async () => store, { maxDelayMs: 20 });
  const event = (i: number, text: string): EventInput => ({
    campaign,
    partnerId: `p${i}`,
    type: 'page_view',
    source: 'page',
    occurredAt: new Date(),
    verdict: 'human',
    verdictReason: 'test',
    metadata: { text },
    eventKey: `edge:${campaign}:${i}`,
  });
  const results = await Promise.allSettled([
    ...Array.from({ length: 5 }, (_, i) => batcher.add([event(i, 'fine')])),
    batcher.add([event(99, `bad\u0000${LONE}`)]),
    ...Array.from({ length: 5 }, (_, i) => batcher.add([event(i + 5, 'fine')])),
  ]);
  return {
    good: results.filter((r, i) => i !== 5 && r.status === 'fulfilled').length,
    stored: await store.countEvents({ campaign, includeNonHuman: true }),
  };
}

describe('one bad event never fails its neighbours', () => {
  it('on SQLite', async () => {
    const store = await openStore({ dataDir: mkdtempSync(join(tmpdir(), 'aircover-edge-')) });
    try {
      const { good, stored } = await poisonedGroup(store, 'edge-sqlite');
      expect(good).toBe(10);
      expect(stored).toBeGreaterThanOrEqual(10);
    } finally {
      await store.close();
    }
  });

  const url = process.env.AIRCOVER_TEST_DATABASE_URL;
  itWith('postgres')('on Postgres', async () => {
    const schema = `aircover_edge_${randomBytes(4).toString('hex')}`;
    const store = await openStore({ url: url as string, schema });
    try {
      const { good, stored } = await poisonedGroup(store, 'edge-pg');
      expect(good).toBe(10);
      expect(stored).toBe(10);
    } finally {
      await store.close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  });
});

describe('content read once, until its files change', () => {
  it('loads again only after a file changed', () => {
    const root = mkdtempSync(join(tmpdir(), 'aircover-edge-content-'));
    cpSync(join(projectRoot, 'content'), join(root, 'content'), { recursive: true });
    let loads = 0;
    const get = cachedUntilChanged(
      () => [join(root, 'content')],
      () => {
        loads += 1;
        return loadWebinar('integrators-share-live', { contentDir: join(root, 'content') });
      },
      { recheckMs: 0 },
    );
    const first = get();
    for (let i = 0; i < 20; i++) expect(get()).toBe(first);
    expect(loads).toBe(1);
    const file = join(root, 'content', 'webinars', 'integrators-share-live.md');
    utimesSync(file, new Date(), new Date(Date.now() + 5_000));
    expect(get()).not.toBe(first);
    expect(loads).toBe(2);
  });
});

describe('the routes, end to end', () => {
  let server: RunningServer;
  let store: Store;
  beforeAll(async () => {
    server = await startServer(await ensureBuild('sample', SAMPLE));
    store = await openStore({ dataDir: server.dataDir });
    await eventually(async () => expect((await store.listPartners('sample')).length).toBe(12), 15_000);
  });
  afterAll(async () => {
    await store?.close();
    await server?.stop();
  });
  const post = (path: string, body: string, type: string, extra: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      body,
      redirect: 'manual',
      headers: { 'content-type': type, origin: server.url, 'user-agent': BROWSER_UA, ...extra },
    });

  it('the public registration: 400 malformed JSON, 415 text/plain, 413 too big', async () => {
    const path = '/api/webinars/integrators-share-live/register';
    expect((await post(path, '{"name":', 'application/json', { accept: 'application/json' })).status).toBe(
      400,
    );
    expect((await post(path, 'name=a&email=a@example.com', 'text/plain')).status).toBe(415);
    expect((await post(path, `name=${'x'.repeat(9000)}`, 'application/x-www-form-urlencoded')).status).toBe(
      413,
    );
  });

  it('a NUL or lone surrogate in a beacon or in feedback is cleaned, not lost', async () => {
    const [partner] = await store.listPartners('sample');
    if (!partner) throw new Error('the sample has partners');
    const body = beacon(
      partner.token,
      [{ seq: 0, type: 'cta_click', cta: 'read-paper', href: '/x\u0000y' }],
      {
        sid: 'edgenul0001',
      },
    ).replace('/x\\u0000y', `/x\\u0000y\\ud800`);
    expect((await post('/api/events', body, 'text/plain;charset=UTF-8')).status).toBe(204);
    // JSON keeps escapes as they are: a NUL and a lone surrogate reach the server as such.
    const form = `{"token":"${partner.token}","touch":"","resonates":"True\\u0000 \\ud800story\\nline two"}`;
    const answer = await post('/api/forms/feedback', form, 'application/json', {
      accept: 'application/json',
    });
    expect(answer.status).toBe(200);
    const feedback = await store.listResponses({
      campaign: 'sample',
      partnerId: partner.partnerId,
      kind: 'feedback',
    });
    expect(feedback.map((f) => f.text)).toContain('What rings true: True story\nline two');
    const clicks = await store.listEvents({
      campaign: 'sample',
      partnerId: partner.partnerId,
      types: ['cta_click'],
      includeNonHuman: true,
    });
    expect(clicks.map((e) => e.metadata.href)).toContain('/xy');
  });

  // Last in this block: it spends this client's rate limit.
  it('the public registration limits and validates before it reads any content', async () => {
    // No such webinar in content/: an answer of 400 shows the body was judged before the content
    // was looked at, and 429 that the limit comes before the content too.
    const path = '/api/webinars/no-such-webinar-at-all/register';
    const invalid = () =>
      post(path, 'name=&email=not-an-address', 'application/x-www-form-urlencoded', {
        accept: 'application/json',
      }).then((r) => r.status);
    expect(await invalid()).toBe(400);
    const seen = new Set<number>();
    for (let round = 0; round < 20 && !seen.has(429); round++)
      for (const status of await Promise.all(Array.from({ length: 50 }, invalid))) seen.add(status);
    expect([...seen].sort()).toEqual([400, 429]);
  });
});
