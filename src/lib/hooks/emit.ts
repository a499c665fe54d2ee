/**
 * `emit()`: the one call the places that record a fact make (hot notes, forms, marks and the
 * dashboard, the inbox later) to tell the rest of the stack. It queues one delivery per
 * configured endpoint that wants the event, in the store (so a crash or a down receiver loses
 * nothing), then delivers in the background of this process; retries run on a timer.
 *
 * Endpoints: AIRCOVER_WEBHOOKS's, and the event's campaign's own (campaign.yaml `webhooks:`).
 * With no endpoint configured it does nothing and costs nothing. It never throws into the caller:
 * the fact is already recorded, and a webhook problem is logged, not a failed form.
 */
import { randomUUID } from 'node:crypto';
import { partnerPath } from '../followup/links.ts';
import { siteUrl } from '../personalize/links.ts';
import type { Store } from '../store/types.ts';
import { campaignEndpoints } from './campaigns.ts';
import { endpoints, type HookEvent } from './config.ts';
import { type DeliverOptions, deliverDue } from './deliver.ts';
import type { HookData, HookPayload } from './payload.ts';

type Log = (message: string, error?: unknown) => void;
const defaultLog: Log = (message, error) => console.error(`aircover webhooks: ${message}`, error ?? '');

/** Queue an event for every endpoint that wants it and start delivering. Returns the message id. */
export async function emit(
  store: Store,
  type: HookEvent,
  data: HookData,
  options: { env?: NodeJS.ProcessEnv; log?: Log } = {},
): Promise<string | null> {
  const env = options.env ?? process.env;
  const log = options.log ?? defaultLog;
  try {
    const targets = [
      ...endpoints(env),
      ...(data.campaign ? campaignEndpoints(data.campaign, env) : []),
    ].filter((e) => e.events.includes(type));
    if (targets.length === 0) return null;
    const enriched: HookData = { ...data };
    if (data.campaign && data.partnerId) {
      const p = await store.findPartner(data.campaign, data.partnerId);
      if (p) {
        enriched.email ??= p.email;
        enriched.company ??= p.company;
        enriched.name ??= [p.firstName, p.lastName].filter(Boolean).join(' ') || null;
        enriched.owner ??= p.owner;
      }
      enriched.dashboardUrl ??= `${siteUrl(env)}${partnerPath(data.campaign, data.partnerId)}`;
    }
    const messageId = `msg_${randomUUID().replace(/-/g, '')}`;
    const payload: HookPayload = { type, timestamp: new Date().toISOString(), data: enriched };
    const body = JSON.stringify(payload);
    await store.queueDeliveries(
      targets.map((e) => ({ messageId, endpoint: e.name, eventType: type, payload: body })),
    );
    kick(store, { env, log });
    return messageId;
  } catch (error) {
    log(`${type} not queued`, error);
    return null;
  }
}

// --- the background runner: one per store in this process ----------------------------------------

interface Runner {
  running: Promise<void> | null;
  again: boolean;
  timer: NodeJS.Timeout | null;
}
const runners = new WeakMap<Store, Runner>();
const active = new Set<Promise<void>>();

/** Deliver what is due now, then wake up for the next retry (timers never keep a process alive). */
export function kick(store: Store, options: DeliverOptions & { log?: Log } = {}): void {
  let runner = runners.get(store);
  if (!runner) {
    runner = { running: null, again: false, timer: null };
    runners.set(store, runner);
  }
  const r = runner;
  if (r.running) {
    r.again = true;
    return;
  }
  if (r.timer) {
    clearTimeout(r.timer);
    r.timer = null;
  }
  const log = options.log ?? defaultLog;
  const run = (async () => {
    do {
      r.again = false;
      await deliverDue(store, options);
    } while (r.again);
    const pending = await store.listDeliveries({ state: 'pending', limit: 1000 });
    const next = pending
      .map((d) => (d.nextAttemptAt ? Date.parse(d.nextAttemptAt) : Number.NaN))
      .filter((t) => Number.isFinite(t))
      .sort((a, b) => a - b)[0];
    if (next !== undefined) {
      const wait = Math.min(Math.max(next - Date.now(), 50), 3_600_000);
      r.timer = setTimeout(() => kick(store, options), wait);
      r.timer.unref();
    }
  })()
    .catch((error: unknown) => log('delivery pass failed', error))
    .finally(() => {
      r.running = null;
      active.delete(run);
    });
  r.running = run;
  active.add(run);
}

/** Resolves when no delivery pass is running (a CLI command before closing its store; tests). */
export async function deliveriesIdle(): Promise<void> {
  while (active.size > 0) await Promise.allSettled([...active]);
}

/** Stop the retry timer of a store being closed. */
export function stopDeliveries(store: Store): void {
  const r = runners.get(store);
  if (r?.timer) clearTimeout(r.timer);
  runners.delete(store);
}
