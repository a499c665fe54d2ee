/**
 * Sends queued webhook deliveries: one attempt each, signed per Standard Webhooks (webhook-id,
 * webhook-timestamp, webhook-signature from the standardwebhooks package), or as a Slack
 * incoming-webhook message. A 2xx is delivered; anything else (or no answer in 10 s) is logged as
 * an attempt and retried after the next delay of `retryDelays`, until they run out (then
 * `failed`). 410 Gone stops at once: the receiver said the endpoint is no more.
 *
 * The body is the exact text queued (signed anew per attempt with that attempt's timestamp, as
 * the spec wants), so a receiver deduplicates on webhook-id.
 */
import { Webhook } from 'standardwebhooks';
import type { Store, WebhookDelivery } from '../store/types.ts';
import { campaignEndpoints } from './campaigns.ts';
import { endpoints as configuredEndpoints, type Endpoint, retryDelays } from './config.ts';
import { slackMessage } from './slack.ts';

export const TIMEOUT_MS = 10_000;
const LEASE_MS = 60_000;

export interface DeliverOptions {
  env?: NodeJS.ProcessEnv;
  endpoints?: Endpoint[];
  now?: () => Date;
  fetch?: typeof fetch;
}

/** The request one delivery makes to its endpoint. */
export function requestFor(
  delivery: Pick<WebhookDelivery, 'messageId' | 'payload'>,
  endpoint: Endpoint,
  at: Date,
): { body: string; headers: Record<string, string> } {
  if (endpoint.format === 'slack') {
    return {
      body: JSON.stringify(slackMessage(JSON.parse(delivery.payload))),
      headers: { 'content-type': 'application/json' },
    };
  }
  if (!endpoint.secret)
    throw new Error(
      endpoint.secretEnv
        ? `${endpoint.secretEnv} is not set (the secret of webhook ${endpoint.name})`
        : `webhook ${endpoint.name} has no secret`,
    );
  const signature = new Webhook(endpoint.secret).sign(delivery.messageId, at, delivery.payload);
  return {
    body: delivery.payload,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'aircover-webhooks',
      'webhook-id': delivery.messageId,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signature,
    },
  };
}

async function attempt(
  store: Store,
  delivery: WebhookDelivery,
  found: Endpoint | string | undefined,
  options: Required<Pick<DeliverOptions, 'now' | 'fetch'>> & { delays: number[] },
): Promise<boolean> {
  const started = options.now();
  const t0 = performance.now();
  let status: number | null = null;
  let error: string | null = null;
  // A string: the configuration cannot be read now (a broken campaign.yaml); retried, not dropped.
  const endpoint = typeof found === 'string' ? undefined : found;
  if (typeof found === 'string') error = found;
  else if (!endpoint) error = 'endpoint no longer configured';
  else {
    try {
      const { body, headers } = requestFor(delivery, endpoint, started);
      const response = await options.fetch(endpoint.url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      status = response.status;
      await response.body?.cancel().catch(() => {});
      if (status < 200 || status >= 300) error = `HTTP ${status}`;
    } catch (e) {
      error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
  }
  const delivered = error === null;
  const delay = options.delays[delivery.attempts];
  const giveUp = found === undefined || status === 410 || delay === undefined;
  await store.recordAttempt(delivery.id, {
    status,
    error,
    ms: performance.now() - t0,
    at: started,
    delivered,
    retryAt: delivered || giveUp ? null : new Date(options.now().getTime() + (delay ?? 0)),
  });
  return delivered;
}

/** One pass: every delivery due now, one attempt each. Returns what happened. */
export async function deliverDue(
  store: Store,
  options: DeliverOptions = {},
): Promise<{ attempted: number; delivered: number }> {
  const env = options.env ?? process.env;
  const list = options.endpoints ?? configuredEndpoints(env);
  const byName = new Map(list.map((e) => [e.name, e]));
  // A campaign's own endpoints are named `<campaign>/<name>` (hooks/campaigns.ts).
  const endpointFor = (name: string): Endpoint | string | undefined => {
    const found = byName.get(name);
    if (found || options.endpoints) return found;
    const slash = name.indexOf('/');
    if (slash < 0) return undefined;
    try {
      return campaignEndpoints(name.slice(0, slash), env).find((e) => e.name === name);
    } catch (error) {
      // An invalid campaign.yaml (`aircover check` names the line): say so, and try again later.
      return error instanceof Error ? error.message : String(error);
    }
  };
  const now = options.now ?? (() => new Date());
  const ctx = { now, fetch: options.fetch ?? fetch, delays: retryDelays(env) };
  let attempted = 0;
  let delivered = 0;
  for (;;) {
    const at = now();
    const batch = await store.claimDeliveries(at, new Date(at.getTime() + LEASE_MS), 20);
    if (batch.length === 0) break;
    const results = await Promise.all(batch.map((d) => attempt(store, d, endpointFor(d.endpoint), ctx)));
    attempted += batch.length;
    delivered += results.filter(Boolean).length;
  }
  return { attempted, delivered };
}
