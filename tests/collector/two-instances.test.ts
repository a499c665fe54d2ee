/**
 * Many instances, one truth (issue 11): two `aircover serve` processes on one Postgres share the
 * once-a-day hot-note memory (one note, not two), the login lockout (guesses on one count on the
 * other), and the send lock (a second concurrent send is refused with a clear message).
 * Runs when AIRCOVER_TEST_DATABASE_URL is set (CI sets it; under CI it must); a schema of its own.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/lib/store/index.ts';
import { type FakeResend, startFakeResend } from '../fake-resend/server.ts';
import { describeWith } from '../helpers/requires.ts';
import { type RunningServer, startServer } from '../helpers/server.ts';
import { ensureBuild, runCli, SAMPLE } from '../helpers/site-build.ts';
import { BROWSER_UA, beacon, eventually } from './helpers.ts';

const url = process.env.AIRCOVER_TEST_DATABASE_URL;
const schema = `aircover_two_${randomBytes(4).toString('hex')}`;
const PASSWORD = 'two-instances-password';

describeWith('postgres')('two servers on one Postgres', () => {
  let a: RunningServer;
  let b: RunningServer;
  let store: Store;
  let resend: FakeResend;
  let env: Record<string, string>;
  beforeAll(async () => {
    resend = await startFakeResend({ rateLimit: 0 });
    env = {
      DATABASE_URL: url as string,
      AIRCOVER_DB_SCHEMA: schema,
      AIRCOVER_ADMIN_PASSWORD: PASSWORD,
      AIRCOVER_TEAM_EMAIL: 'team@example.com',
      RESEND_API_KEY: resend.apiKey,
      RESEND_BASE_URL: resend.url,
      AIRCOVER_STATE_DIR: mkdtempSync(join(tmpdir(), 'aircover-two-state-')),
    };
    const build = await ensureBuild('sample', SAMPLE);
    env.AIRCOVER_SECRET = build.env.AIRCOVER_SECRET ?? '';
    [a, b] = await Promise.all([startServer(build, env), startServer(build, env)]);
    store = await openStore({ url: url as string, schema });
    await eventually(async () => expect((await store.listPartners('sample')).length).toBe(12), 20_000);
  });
  afterAll(async () => {
    await store?.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await resend?.close();
    if (url) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  });

  const form = (server: RunningServer, kind: string, fields: Record<string, string>) =>
    fetch(`${server.url}/api/forms/${kind}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        origin: server.url,
        'user-agent': BROWSER_UA,
      },
      body: new URLSearchParams(fields).toString(),
    });

  it('one hot note between them', async () => {
    const partner = (await store.listPartners('sample')).find((p) => p.data.owner || p.email);
    if (!partner) throw new Error('the sample has partners');
    const [call, feedback] = await Promise.all([
      form(a, 'call', { token: partner.token, touch: '', preferredTimes: 'Tuesday' }),
      form(b, 'feedback', { token: partner.token, touch: '', resonates: 'The margins story' }),
    ]);
    expect([call.status, feedback.status]).toEqual([200, 200]);
    await eventually(
      async () =>
        expect(
          await store.getKey(`hot:sample:${partner.partnerId}:${new Date().toISOString().slice(0, 10)}`),
        ).not.toBeNull(),
      20_000,
    );
    await new Promise((r) => setTimeout(r, 3_000)); // the other instance's check has run by now
    // Every provider call so far is a hot note (nothing else was sent); a second instance's note
    // would be a second call, even if the provider's idempotency replayed it.
    expect(resend.requests.map((r) => r.path)).toEqual(['/emails/batch']);
    expect(resend.received.map((e) => e.subject)).toEqual([expect.stringMatching(/^Hot: /)]);
  });

  it('one lockout between them', async () => {
    const login = (server: RunningServer, password: string) =>
      fetch(`${server.url}/admin/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
        body: new URLSearchParams({ password }).toString(),
      });
    for (const server of [a, b, a, b, a]) expect((await login(server, 'wrong')).status).toBe(401);
    expect((await login(b, PASSWORD)).status).toBe(429);
    expect((await login(a, PASSWORD)).status).toBe(429);
  });

  it('one rate limit between them', async () => {
    const post = (server: RunningServer) =>
      fetch(`${server.url}/api/events`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', origin: server.url, 'user-agent': BROWSER_UA },
        body: beacon(randomBytes(24).toString('base64url'), [{ seq: 0, type: 'page_view' }]),
      }).then((r) => r.status);
    // 100 from one client on each: under each instance's own burst of 120, over the shared 120.
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++)
      statuses.push(...(await Promise.all([...Array(10)].flatMap(() => [post(a), post(b)]))));
    expect(statuses.filter((s) => s === 204).length).toBeGreaterThan(150);
    await new Promise((r) => setTimeout(r, 2_500)); // both have told the store what they let through
    const after = await Promise.all([post(a), post(a), post(b), post(b)]);
    expect(after).toEqual([429, 429, 429, 429]);
  });

  it('a second concurrent send is refused with a clear message', async () => {
    resend.inject({ type: 'slow', count: 1, delayMs: 6_000 });
    const args = ['send', 'sample', '--touch', 'advance-notice', '--yes'];
    const first = runCli(args, env);
    await eventually(async () => expect(await store.getKey('lock:send-sample')).not.toBeNull(), 60_000);
    const second = await runCli(args, env);
    expect(second.code, second.stderr).toBe(3);
    expect(second.stderr).toMatch(/Another send of sample is running \(.+pid \d+.+\); nothing was sent/);
    const done = await first;
    expect(done.code, done.stderr).toBe(0);
    expect(await store.getKey('lock:send-sample')).toBeNull();
  }, 120_000);
});
