/**
 * Outgoing webhooks against a local receiver (127.0.0.1, port 0) on a real SQLite store: the
 * receiver verifies each delivery with `standardwebhooks`; a receiver that fails twice gets the
 * delivery on the third try, every attempt logged; one that never answers 2xx is given up after
 * the retries run out; Slack gets its own message, escaped; a wrong AIRCOVER_WEBHOOKS is an
 * error naming the entry and the field.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpointsFromEnv } from '../../src/lib/hooks/config.ts';
import { deliverDue } from '../../src/lib/hooks/deliver.ts';
import { deliveriesIdle, emit, stopDeliveries } from '../../src/lib/hooks/emit.ts';
import type { Store } from '../../src/lib/store/types.ts';
import { tempStore } from '../followup/helpers.ts';

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;

describe('outgoing webhooks', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let receiver: Server;
  let base: string;
  /** Per path: statuses to answer in turn (then 204), and what arrived. */
  const script = new Map<string, number[]>();
  const arrived: { path: string; body: string; headers: Record<string, string>; verified: boolean }[] = [];

  beforeAll(async () => {
    ({ store, cleanup } = await tempStore());
    await store.upsertPartners('sample', [
      {
        partnerId: 'p1',
        token: 'tok-p1',
        email: 'ann@acme.example.com',
        company: 'Acme <!channel>',
        firstName: 'Ann',
        lastName: 'Berg',
        owner: 'maren',
      },
    ]);
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const headers = req.headers as Record<string, string>;
        let verified = false;
        try {
          new Webhook(SECRET).verify(body, headers);
          verified = true;
        } catch {}
        arrived.push({ path: req.url ?? '', body, headers, verified });
        const next = script.get(req.url ?? '')?.shift() ?? 204;
        res.writeHead(next).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    stopDeliveries(store);
    await new Promise((resolve) => receiver?.close(resolve));
    await cleanup?.();
  });

  const env = (list: unknown[], retry = '0,0') => ({
    AIRCOVER_WEBHOOKS: JSON.stringify(list),
    AIRCOVER_WEBHOOK_RETRY_MS: retry,
    AIRCOVER_SITE_URL: 'https://partners.example.com',
  });

  it('signs per Standard Webhooks, retries with the delivery log, and gives up when retries run out', async () => {
    script.set('/crm', [500, 503]);
    script.set('/down', [500, 500, 500, 500]);
    const e = env([
      { name: 'crm', url: `${base}/crm`, secret: SECRET },
      { name: 'down', url: `${base}/down`, secret: SECRET, events: ['partner.hot'] },
    ]);
    const id = await emit(
      store,
      'partner.hot',
      { campaign: 'sample', partnerId: 'p1', reason: 'read 60%' },
      { env: e },
    );
    expect(id).toMatch(/^msg_/);
    await deliveriesIdle();
    // Retries are due at once with delays of 0: run passes until nothing is due.
    for (let i = 0; i < 5; i++) await deliverDue(store, { env: e });

    const deliveries = await store.listDeliveries({ messageId: id ?? '' });
    const crm = deliveries.find((d) => d.endpoint === 'crm');
    const down = deliveries.find((d) => d.endpoint === 'down');
    expect(crm?.state).toBe('delivered');
    expect(crm?.attempts).toBe(3);
    expect((await store.listAttempts(crm?.id ?? 0)).map((a) => a.status)).toEqual([500, 503, 204]);
    expect(down?.state).toBe('failed');
    expect(down?.attempts).toBe(3); // the first try and the two retries configured
    const log = await store.listAttempts(down?.id ?? 0);
    expect(log.map((a) => [a.status, a.error])).toEqual([
      [500, 'HTTP 500'],
      [500, 'HTTP 500'],
      [500, 'HTTP 500'],
    ]);

    // Every request carried a valid signature; the same webhook-id on each retry; the body is
    // the Standard Webhooks envelope with the partner filled in from the store.
    const crmRequests = arrived.filter((a) => a.path === '/crm');
    expect(crmRequests).toHaveLength(3);
    expect(crmRequests.every((a) => a.verified)).toBe(true);
    expect(new Set(crmRequests.map((a) => a.headers['webhook-id']))).toEqual(new Set([id]));
    const payload = JSON.parse(crmRequests[0]?.body ?? '{}');
    expect(payload).toMatchObject({
      type: 'partner.hot',
      data: {
        campaign: 'sample',
        partnerId: 'p1',
        email: 'ann@acme.example.com',
        name: 'Ann Berg',
        owner: 'maren',
        dashboardUrl: 'https://partners.example.com/admin/partners/sample/p1',
      },
    });
    // A forged signature does not verify.
    const forged = { ...crmRequests[0]?.headers, 'webhook-signature': 'v1,AAAA' };
    expect(() => new Webhook(SECRET).verify(crmRequests[0]?.body ?? '', forged)).toThrow();
  });

  it('sends Slack its own message for hot and replied partners only, escaped', async () => {
    const e = env([{ name: 'sales', url: `${base}/slack`, format: 'slack' }]);
    expect(
      await emit(store, 'feedback.received', { campaign: 'sample', partnerId: 'p1' }, { env: e }),
    ).toBeNull();
    await emit(store, 'partner.replied', { campaign: 'sample', partnerId: 'p1', by: 'Maren' }, { env: e });
    await deliveriesIdle();
    const slack = arrived.filter((a) => a.path === '/slack');
    expect(slack).toHaveLength(1);
    const { text } = JSON.parse(slack[0]?.body ?? '{}') as { text: string };
    expect(text).toContain('Replied');
    expect(text).toContain('Acme &lt;!channel&gt;');
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('<https://partners.example.com/admin/partners/sample/p1|open in the dashboard>');
  });

  it('refuses a wrong configuration, naming the entry and the field', () => {
    expect(() => endpointsFromEnv({ AIRCOVER_WEBHOOKS: 'not json' })).toThrow(/AIRCOVER_WEBHOOKS: not JSON/);
    expect(() =>
      endpointsFromEnv({ AIRCOVER_WEBHOOKS: JSON.stringify([{ url: 'https://x.example.com' }]) }),
    ).toThrow(/\[0\]\.secret/);
    expect(() =>
      endpointsFromEnv({
        AIRCOVER_WEBHOOKS: JSON.stringify([{ url: 'ftp://x.example.com', format: 'slack' }]),
      }),
    ).toThrow(/\[0\]\.url/);
    expect(() =>
      endpointsFromEnv({
        AIRCOVER_WEBHOOKS: JSON.stringify([
          { url: 'https://x.example.com', secret: SECRET, events: ['partner.sneezed'] },
        ]),
      }),
    ).toThrow(/\[0\]\.events/);
  });
});
