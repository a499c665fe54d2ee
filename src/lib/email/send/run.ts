/**
 * Sending one planned touch: the ledger drives everything, so a run killed at any point and run
 * again sends exactly what is missing.
 *
 * 1. Recovery. A row left `sending` WITH a request key was carried by a provider call whose answer
 *    never reached the ledger: it may have been accepted. The whole call is dispatched again, same
 *    members, same order, byte-identical rendering, under the same key: Resend (24 h) replays its
 *    first answer instead of sending again. A row left `sending` WITHOUT a request key was claimed
 *    but never handed to the provider: it simply becomes claimable again.
 * 2. Chunks of up to 100 rows are claimed (atomically, `planned` and retryable `failed`), the
 *    suppression list and declines are checked again for exactly those rows, the rest are handed
 *    to the transport as one call. Their rendering is done ahead, while the previous call is in
 *    flight (pure work on the rows the claim is expected to take; nothing is written for it). `onDispatch` writes the call's key onto the rows
 *    before the request leaves; each result is written to the ledger as it arrives.
 * 3. Outcomes: accepted → `sent` with the provider id. Refused (4xx) → `failed`, for good.
 *    Rate limited past the transport's retries → `failed`, retryable. Unknown (network error,
 *    timeout, 5xx past the retries, interrupted): the row stays `sending` with its request key, so
 *    the next run replays that call. Quota → the run stops; the call's rows become retryable.
 */
import type { Campaign, Touch } from '../../campaign/load.ts';
import type { Partner } from '../../campaign/partners.ts';
import { type LedgerEntry, normalizeEmail, type SentDetails, type Store } from '../../store/index.ts';
import type { OutgoingMessage, SendResult, Transport } from '../message.ts';
import { type RenderOptions, tryRenderMessage } from '../render/index.ts';
import { type BuildRow, type Built, buildMessage, partnersOfRow } from './build.ts';
import { toOutgoing } from './message.ts';
import { type RenderPool, renderThreadsFor, startRenderPool } from './render-pool.ts';
import { recipientOf } from './state.ts';
import { subjectVariantOf, variantLabel } from './variant.ts';

/** Resend keeps idempotency keys 24 h; past this a replay could deliver twice, so it is not done. */
export const REPLAY_WINDOW_MS = 23 * 60 * 60 * 1000;

export interface SendProgress {
  touch: string;
  sent: number;
  failed: number;
  skipped: number;
  /** Rows the run expects to handle (from the plan). */
  total: number;
}

export interface SendSummary {
  touch: string;
  /** Newly recorded as sent by this run. */
  sent: number;
  /** Replayed calls whose rows were already recorded as sent (nothing was delivered twice). */
  replayed: number;
  /** Failed for good (the provider refused them). */
  failed: number;
  /** Failed, may succeed on a later run (rate limit, quota). */
  retryable: number;
  /** Outcome unknown (network, 5xx); left `sending` with their call's key for the next run. */
  unresolved: number;
  /** Skipped at the last moment: suppressed or declined between the plan and their batch. */
  skipped: number;
  /** Set when the provider stopped the run: a daily or monthly quota, or a refused key (`unauthorized`). */
  stopped?: { reason: string; message: string };
  /** The provider answered no call of a whole batch: the run ended early. */
  unavailable?: string;
  /** The run was interrupted (signal). */
  aborted?: boolean;
}

export interface SendContext {
  store: Store;
  transport: Transport;
  campaign: Campaign;
  render?: RenderOptions;
  /** Rows claimed per provider call. Default 100 (Resend's batch limit). */
  chunkSize?: number;
  signal?: AbortSignal;
  onProgress?: (progress: SendProgress) => void;
  /** Expected rows, for progress (the plan's `toSend`). */
  total?: number;
  /**
   * Threads that render ahead of the calls; 0 renders in the sending thread. Default: see
   * `renderThreadsFor` (AIRCOVER_RENDER_THREADS, else one per core up to 4, none on one core).
   */
  renderThreads?: number;
}

function errorText(result: Extract<SendResult, { status: 'failed' | 'stopped' }>): string {
  const status = result.error.statusCode === null ? '' : ` (${result.error.statusCode})`;
  return `${result.error.name}${status}: ${result.error.message}`;
}

/** Whether a failed call may have been accepted anyway (network error, timeout, 5xx, abort). */
function outcomeUnknown(result: Extract<SendResult, { status: 'failed' }>): boolean {
  const code = result.error.statusCode;
  return code === null || code >= 500;
}

export async function sendTouch(context: SendContext, touch: Touch): Promise<SendSummary> {
  const { store, transport, campaign, signal } = context;
  const chunkSize = Math.max(1, Math.min(100, context.chunkSize ?? 100));
  const render = { ...context.render, now: context.render?.now ?? new Date() };
  const partners = new Map(campaign.partners.map((p) => [p.id, p]));
  const summary: SendSummary = {
    touch: touch.id,
    sent: 0,
    replayed: 0,
    failed: 0,
    retryable: 0,
    unresolved: 0,
    skipped: 0,
  };
  const progress = () =>
    context.onProgress?.({
      touch: touch.id,
      sent: summary.sent + summary.replayed,
      failed: summary.failed + summary.retryable + summary.unresolved,
      skipped: summary.skipped,
      total: context.total ?? 0,
    });

  const build = (row: BuildRow, batchKey?: string): Promise<Built> =>
    buildMessage(campaign, touch, partnersOfRow(row, partners), row, render, batchKey);

  /** The sent message's Message-ID, for the inbox to match replies (never for a --to test send). */
  async function rememberMessageId(m: OutgoingMessage | undefined): Promise<void> {
    const id = m?.headers['Message-ID'];
    if (!m || !id || m.ref.touch !== touch.id) return;
    // Whom it went to: a referrer note (recorded under its first covered partner) went to the
    // referrer, so a reply in its thread is matched as the referrer's (inbox/match.ts).
    const partner = partners.get(m.ref.partner);
    const recipient = partner ? (recipientOf(touch, partner) ?? partner.email) : m.to;
    await store.recordSentMessages([
      {
        messageId: id,
        kind: 'touch',
        campaign: m.ref.campaign,
        partnerId: m.ref.partner,
        touch: m.ref.touch,
        recipient,
      },
    ]);
  }

  /**
   * What the ledger keeps of a sent message: its subject and, for a subject test, the variant,
   * so the report reads the variant a partner really got (report/subject-test.ts).
   */
  function sentDetails(m: OutgoingMessage | undefined): SentDetails {
    if (!m) return {};
    const variant = subjectVariantOf(campaign, touch, m.ref.partner);
    return { subject: m.subject, subjectVariant: variant === null ? null : variantLabel(variant) };
  }

  /** Hands one group to the transport and records every result. Returns false to end the run. */
  async function dispatch(messages: OutgoingMessage[]): Promise<boolean> {
    const dispatched = new Set<string>();
    let answered = 0;
    let stopped = false;
    for await (const result of transport.send(messages, {
      ...(signal ? { signal } : {}),
      onDispatch: async (d) => {
        const keys = d.messages.map((m) => m.idempotencyKey);
        await store.markDispatched(keys, d.requestKey);
        for (const key of keys) dispatched.add(key);
      },
    })) {
      if (result.status === 'sent') {
        answered++;
        const sentMessage = messages.find((m) => m.idempotencyKey === result.idempotencyKey);
        if (await store.markSent(result.idempotencyKey, result.providerId, sentDetails(sentMessage)))
          summary.sent++;
        else summary.replayed++;
        await rememberMessageId(sentMessage);
      } else if (result.status === 'stopped') {
        stopped = true;
        summary.stopped = { reason: result.reason, message: result.error.message };
        await store.markFailed(result.idempotencyKey, errorText(result), true);
        summary.retryable++;
      } else if (outcomeUnknown(result)) {
        // Leave the row `sending` with its call's key: the next run replays that call.
        summary.unresolved++;
      } else {
        answered++;
        const retryable = result.retryable && result.error.statusCode === 429;
        await store.markFailed(result.idempotencyKey, errorText(result), retryable);
        if (retryable) summary.retryable++;
        else summary.failed++;
      }
      progress();
    }
    // Claimed but never handed over (the run was interrupted first): claimable again.
    for (const m of messages) {
      if (!dispatched.has(m.idempotencyKey)) {
        await store.markFailed(m.idempotencyKey, 'interrupted before it was sent', true);
      }
    }
    if (stopped) return false;
    if (signal?.aborted) {
      summary.aborted = true;
      return false;
    }
    if (answered === 0 && messages.length > 0) {
      summary.unavailable =
        'The provider did not answer a whole batch after every retry. Run the same command again later: nothing is sent twice.';
      return false;
    }
    return true;
  }

  // 1. Recovery of calls that were in flight when a previous run died.
  const stuck = await store.listLedger({ campaign: campaign.id, touch: touch.id, state: 'sending' });
  if (stuck.length > 0) {
    const all = await store.listLedger({ campaign: campaign.id, touch: touch.id });
    const groups = new Map<string, LedgerEntry[]>();
    for (const row of all) {
      if (row.requestKey === null) continue;
      const group = groups.get(row.requestKey) ?? [];
      group.push(row);
      groups.set(row.requestKey, group);
    }
    const replays = new Set<string>();
    for (const row of stuck) {
      if (row.requestKey === null) {
        await store.markFailed(row.idempotencyKey, 'interrupted before it was sent', true);
      } else replays.add(row.requestKey);
    }
    for (const requestKey of replays) {
      if (signal?.aborted) break;
      const members = groups.get(requestKey) ?? [];
      const open = members.filter((m) => m.state === 'sending');
      const claimedAt = Math.min(...open.map((m) => Date.parse(m.claimedAt ?? '') || 0));
      if (Date.now() - claimedAt > REPLAY_WINDOW_MS) {
        for (const m of open) {
          await store.markFailed(
            m.idempotencyKey,
            'outcome unknown: in flight when a run stopped more than 23 hours ago; check the provider log before sending again',
            false,
          );
          summary.failed++;
        }
        continue;
      }
      const messages: OutgoingMessage[] = [];
      let broken: string | undefined;
      for (const member of members) {
        const built = await build(member, requestKey);
        if ('error' in built) broken = built.error;
        else if (
          member.contentVersion !== null &&
          built.contentVersion !== member.contentVersion &&
          // Rows planned before versions came from the inputs carry the rendered content's hash.
          built.contentHash !== member.contentVersion
        ) {
          broken = 'the message content changed while it was in flight';
        } else messages.push(built.message);
      }
      if (broken !== undefined) {
        for (const m of open) {
          await store.markFailed(
            m.idempotencyKey,
            `outcome unknown: ${broken}; check the provider log before sending again`,
            false,
          );
          summary.failed++;
        }
        continue;
      }
      if (!(await dispatch(messages))) return summary;
    }
  }

  // 2. Fresh claims. Rows that fail in this run are not claimed again by it (see maxAttempts).
  //    Rendering runs ahead of the rate limit: while one call is in flight, the rows the next
  //    claims will most likely take (the claim's order) are rendered, speculatively and without
  //    touching the ledger: on render threads (render-pool.ts) when the machine has cores to
  //    spare and the touch more than one call, else in this thread between the call's answers.
  //    Claiming, the suppression re-check and the call stay together, right before each call,
  //    exactly as without the look-ahead; a claimed row that was not rendered ahead (another
  //    sender took the expected one, a key changed, the pool failed) is rendered then, here.
  const failedBefore = await store.listLedger({ campaign: campaign.id, touch: touch.id, state: 'failed' });
  const maxAttempts = Math.max(1, ...failedBefore.filter((r) => r.retryable).map((r) => r.attempts + 1));
  const expected: BuildRow[] = (await store.listLedger({ campaign: campaign.id, touch: touch.id }))
    .filter((r) => r.state === 'planned' || (r.state === 'failed' && r.retryable && r.attempts < maxAttempts))
    .map((r) => ({ partnerId: r.partnerId, idempotencyKey: r.idempotencyKey, covers: r.covers }));
  const threads = expected.length > chunkSize ? (context.renderThreads ?? renderThreadsFor()) : 0;
  let pool: RenderPool | undefined;
  if (threads > 0 && !signal?.aborted) {
    try {
      pool = await startRenderPool(campaign, touch, render, threads);
    } catch {
      pool = undefined; // No threads to be had: render here, as on one core.
    }
  }
  let ended = false;
  try {
    let cursor = 0;
    const inThread = async (rows: BuildRow[]): Promise<Map<string, Built>> => {
      const rendered = new Map<string, Built>();
      for (const [i, row] of rows.entries()) {
        // Let the call in flight go out and its answers be recorded between renderings.
        if (i % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
        if (signal?.aborted || ended) break;
        rendered.set(row.idempotencyKey, await build(row));
      }
      return rendered;
    };
    // Rendered ahead, in claim order. While the threads start (they load the renderer, about
    // half a second) and if they fail, this thread renders one call's worth ahead itself; once
    // they are up they keep two calls' worth ahead (one for jitter), and this thread lends a
    // hand whenever it would otherwise wait for them.
    const queue: Promise<Map<string, Built>>[] = [];
    let inThreadAhead = false;
    const fill = () => {
      while (cursor < expected.length) {
        const threaded = pool?.ready === true;
        if (threaded ? queue.length >= 2 : queue.length >= 1 || inThreadAhead) return;
        const rows = expected.slice(cursor, cursor + chunkSize);
        cursor += rows.length;
        let ahead: Promise<Map<string, Built>>;
        if (threaded && pool) {
          // A failed pool only costs speed: the claimed rows are then rendered here.
          ahead = pool.render(rows).catch(() => new Map<string, Built>());
        } else {
          inThreadAhead = true;
          ahead = inThread(rows).finally(() => {
            inThreadAhead = false;
          });
        }
        // Never an unhandled rejection while it waits; a failure surfaces when it is awaited.
        ahead.catch(() => {});
        queue.push(ahead);
      }
    };
    for (;;) {
      fill();
      const next = queue.shift();
      fill();
      if (next && pool?.ready) {
        // Rather than idle until the threads have this call's rows, render some of them here.
        let settled = false;
        void next.finally(() => {
          settled = true;
        });
        await pool.renderHere(() => settled || signal?.aborted === true);
      }
      const prerendered = next ? await next : new Map<string, Built>();
      fill(); // this thread renders the next call's rows while this one is in flight
      if (signal?.aborted) {
        summary.aborted = true;
        break;
      }
      const claimed = await store.claimSends(campaign.id, touch.id, chunkSize, { maxAttempts });
      if (claimed.length === 0) break;
      // The last word before the call: unsubscribes, bounces, complaints and "no thanks" since the plan.
      const recipients = claimed.map((row) => normalizeEmail(row.recipient));
      const suppressed = await store.suppressedAmong(recipients);
      const declined = await declinedAmong(store, campaign.id, claimed);
      const messages: OutgoingMessage[] = [];
      for (const row of claimed) {
        const partner = partnersOfRow(row, partners)?.[0];
        const stillTo = partner ? recipientOf(touch, partner) : undefined;
        if (
          suppressed.has(normalizeEmail(row.recipient)) ||
          (stillTo && suppressed.has(normalizeEmail(stillTo)))
        ) {
          await store.markSkipped(row.idempotencyKey, 'suppressed');
          summary.skipped++;
          continue;
        }
        // A referrer note leaves out a partner who said no since the plan; with nobody left it is skipped.
        const covers = row.covers?.filter((id) => !declined.has(id));
        if (declined.has(row.partnerId) || (covers && covers.length === 0)) {
          await store.markSkipped(row.idempotencyKey, 'declined');
          summary.skipped++;
          continue;
        }
        const narrowed = covers && row.covers && covers.length < row.covers.length;
        const built =
          (narrowed ? undefined : prerendered.get(row.idempotencyKey)) ??
          (await build({ ...row, covers: covers ?? null }));
        if ('error' in built) {
          await store.markFailed(row.idempotencyKey, built.error, false);
          summary.failed++;
          continue;
        }
        messages.push(built.message);
      }
      progress();
      if (messages.length > 0 && !(await dispatch(messages))) break;
    }
  } finally {
    ended = true;
    await pool?.close();
  }
  return summary;
}

/** Partners among `rows` who said "no thanks" (or were marked not interested). */
async function declinedAmong(store: Store, campaign: string, rows: LedgerEntry[]): Promise<Set<string>> {
  const ids = new Set(rows.flatMap((r) => [r.partnerId, ...(r.covers ?? [])]));
  const responses = await store.listResponses({ campaign, kind: ['decline', 'not-interested'] });
  return new Set(responses.map((r) => r.partnerId ?? '').filter((id) => ids.has(id)));
}

/** `--to`: every message of the plan to one inbox, the partner named in the subject; no ledger. */
export async function sendTest(
  context: Omit<SendContext, 'store'>,
  touch: Touch,
  /** Each message's partners: one, or a referrer note's covered partners (the first is `partner`). */
  partnersToSend: (Partner | readonly Partner[])[],
  inbox: string,
  runId: string,
): Promise<{ sent: number; failed: number; errors: string[] }> {
  const { transport, campaign } = context;
  const render = { ...context.render, now: context.render?.now ?? new Date() };
  const out = { sent: 0, failed: 0, errors: [] as string[] };
  const messages: OutgoingMessage[] = [];
  for (const entry of partnersToSend) {
    const group: readonly Partner[] = Array.isArray(entry) ? entry : [entry as Partner];
    const partner = group[0];
    if (!partner) continue;
    const rendered = await tryRenderMessage(
      campaign,
      touch,
      partner,
      group.length > 1 ? { ...render, referred: group } : render,
    );
    if (!rendered.ok) {
      out.failed++;
      out.errors.push(`${partner.id}: ${rendered.problems.map((p) => p.message).join('; ')}`);
      continue;
    }
    messages.push(
      toOutgoing(rendered.message, {
        idempotencyKey: `aircover-test:${runId}:${campaign.id}:${touch.id}:${partner.id}`.slice(0, 256),
        testInbox: inbox,
      }),
    );
  }
  for await (const result of transport.send(messages, context.signal ? { signal: context.signal } : {})) {
    if (result.status === 'sent') out.sent++;
    else {
      out.failed++;
      out.errors.push(`${result.ref.partner}: ${errorText(result)}`);
    }
    context.onProgress?.({
      touch: touch.id,
      sent: out.sent,
      failed: out.failed,
      skipped: 0,
      total: messages.length,
    });
  }
  return out;
}
