/** Shared bits of the collector tests: svix signing, beacons, reading the server's store. */
import { createHmac, randomUUID } from 'node:crypto';
import { openStore, type Partner, type Store } from '../../src/lib/store/index.ts';

/** The webhook secret the test servers are started with (svix format: whsec_ + base64 key). */
export const WEBHOOK_SECRET = `whsec_${Buffer.from('collector-test-webhook-key-0123456789').toString('base64')}`;

export const BROWSER_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
export const HEADLESS_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36';

/** Signs a body the way Resend (svix / standard-webhooks) does. */
export function svixHeaders(
  body: string,
  options: { id?: string; timestamp?: number; secret?: string } = {},
): Record<string, string> {
  const id = options.id ?? `msg_${randomUUID()}`;
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const key = Buffer.from((options.secret ?? WEBHOOK_SECRET).replace(/^whsec_/, ''), 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return {
    'content-type': 'application/json',
    'svix-id': id,
    'svix-timestamp': timestamp,
    'svix-signature': `v1,${signature}`,
  };
}

export function emailEvent(
  type: string,
  partner: Pick<Partner, 'campaign' | 'partnerId' | 'email'>,
  touch: string,
  extra: Record<string, unknown> = {},
  at = new Date(),
): string {
  return JSON.stringify({
    type,
    created_at: at.toISOString(),
    data: {
      email_id: randomUUID(),
      created_at: at.toISOString(),
      from: 'Maren Holt <maren.holt@kestrel-sensing.example.com>',
      to: [partner.email],
      subject: 'The integrator’s share',
      tags: { campaign: partner.campaign, partner: partner.partnerId, touch },
      ...extra,
    },
  });
}

export function beacon(
  token: string,
  events: Record<string, unknown>[],
  options: { touch?: string; sid?: string; page?: 'partner' | 'advance' | 'paper' } = {},
): string {
  return JSON.stringify({
    v: 1,
    token,
    touch: options.touch ?? '',
    sid: options.sid ?? randomUUID().replaceAll('-', ''),
    page: options.page ?? 'partner',
    events,
  });
}

/** A read connection to the server's SQLite file (WAL: readers do not block the server). */
export function storeOf(dataDir: string): Promise<Store> {
  return openStore({ dataDir });
}

/** Waits until `check` passes (events are written by another process). */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
