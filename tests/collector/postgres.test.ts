/**
 * The real server on Postgres (DATABASE_URL), as it runs beyond one machine: partners synced
 * at start, beacons group-committed, a form answered once, an unsubscribe taking effect.
 * Runs when AIRCOVER_TEST_DATABASE_URL is set (CI sets it); each run uses a schema of its own.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/lib/store/index.ts';
import { describeWith } from '../helpers/requires.ts';
import { type RunningServer, startServer } from '../helpers/server.ts';
import { ensureBuild, SAMPLE } from '../helpers/site-build.ts';
import { BROWSER_UA, beacon, eventually } from './helpers.ts';

const url = process.env.AIRCOVER_TEST_DATABASE_URL;
const schema = `aircover_collector_${randomBytes(4).toString('hex')}`;

describeWith('postgres')('the collector on Postgres', () => {
  let server: RunningServer;
  let store: Store;
  beforeAll(async () => {
    server = await startServer(await ensureBuild('sample', SAMPLE), {
      DATABASE_URL: url as string,
      AIRCOVER_DB_SCHEMA: schema,
    });
    store = await openStore({ url: url as string, schema });
    await eventually(async () => expect((await store.listPartners('sample')).length).toBe(12), 15_000);
  });
  afterAll(async () => {
    await store?.close();
    await server?.stop();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });

  it('stores beacons, one response per double submit, and honours an unsubscribe at once', async () => {
    const [first, second] = await store.listPartners('sample');
    if (!first || !second) throw new Error('the sample has partners');
    const headers = { origin: server.url, 'user-agent': BROWSER_UA };
    const sent = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        fetch(`${server.url}/api/events`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'text/plain;charset=UTF-8' },
          body: beacon(first.token, [{ seq: 0, type: 'visible_time', ms: 1000 }], {
            sid: `postgres-sid-${i}`,
          }),
        }),
      ),
    );
    expect(sent.map((r) => r.status)).toEqual(Array(20).fill(204));
    const events = await store.listEvents({
      campaign: 'sample',
      partnerId: first.partnerId,
      // Time on the personal page outside its paper section is page time, not reading.
      types: ['page_time'],
    });
    expect(events).toHaveLength(20);

    const form = new URLSearchParams({ token: first.token, touch: '', preferredTimes: 'Tuesday morning' });
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${server.url}/api/forms/call`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
        redirect: 'manual',
      });
      expect(response.status).toBe(303);
    }
    const calls = await store.listResponses({
      campaign: 'sample',
      partnerId: first.partnerId,
      kind: 'call-request',
    });
    expect(calls).toHaveLength(1);

    const unsubscribe = await fetch(`${server.url}/api/unsubscribe/${second.token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(unsubscribe.status).toBeLessThan(300);
    expect(await store.isSuppressed(second.email)).toBe(true);
  });
});
