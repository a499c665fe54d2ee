/**
 * aircover's own scheduler: sends what is due, campaign by campaign, as `send --due` does.
 * `aircover serve` runs it every minute with AIRCOVER_SCHEDULER=on; `send --due` stays for cron.
 *
 * - One runner across every instance sharing the store: each run takes the store lease
 *   `scheduler` (src/lib/lock.ts over keyed rows), and each campaign's `send-<id>` lease, the same
 *   one `aircover send` takes, so a run never races a send from the terminal. A run that finds a
 *   lease taken skips, and says so in its log line.
 * - The ledger does the rest: a partner whose send window is still shut is `scheduled` and gets
 *   no row yet (plan.ts), so a run sends exactly the partners whose morning has come, and a run
 *   killed half-way is finished by the next one.
 * - Why not Resend's `scheduled_at`: a message handed to Resend for later is out of our hands.
 *   Suppressions, "no thanks" and pauses are checked again just before each batch; a scheduled
 *   email would skip that check for the hours it waits, and the ledger would have to say `sent`
 *   for a message that may yet be cancelled. So nothing is handed over before it is due.
 * - Each run is logged: one line through `log`, and the last run kept in the store
 *   (`scheduler:last-run`) so `aircover schedule` can show when the scheduler last ran.
 */
import type { Campaign } from '../../campaign/load.ts';
import { preflightCampaign } from '../../campaign/preflight.ts';
import { syncCampaignPartners } from '../../engagement/partners-sync.ts';
import { LockBusyError, withStoreLock } from '../../lock.ts';
import type { Store } from '../../store/index.ts';
import type { Transport } from '../message.ts';
import { dueTouches, loadPlanState, planTouch } from './plan.ts';
import { sendTouch } from './run.ts';

export interface SchedulerRun {
  startedAt: string;
  finishedAt: string;
  /** Why nothing ran: another instance holds the scheduler lease. */
  skipped?: string;
  campaigns: {
    campaign: string;
    touches: string[];
    sent: number;
    failed: number;
    /** Partners still waiting for their send window. */
    waiting: number;
    /** Why this campaign was not sent: preflight errors, a send in progress, an error. */
    error?: string;
  }[];
}

export interface SchedulerContext {
  store: Store;
  transport: Transport;
  /** The campaigns to look at, loaded afresh for every run (campaign.yaml may have changed). */
  campaigns: () => Campaign[];
  now?: () => Date;
  log?: (line: string) => void;
  render?: { secret?: string };
}

const lastRunKey = 'scheduler:last-run';
const lastRunTtlMs = 30 * 86_400_000;

/** One run: every campaign's due touches, planned and sent under the leases. */
export async function runDueSends(context: SchedulerContext): Promise<SchedulerRun> {
  const { store, transport } = context;
  const now = context.now?.() ?? new Date();
  const run: SchedulerRun = { startedAt: now.toISOString(), finishedAt: '', campaigns: [] };
  try {
    await withStoreLock(store, 'scheduler', async () => {
      for (const campaign of context.campaigns()) {
        const touches = dueTouches(campaign, now);
        if (touches.length === 0) continue;
        const entry: SchedulerRun['campaigns'][number] = {
          campaign: campaign.id,
          touches: touches.map((t) => t.id),
          sent: 0,
          failed: 0,
          waiting: 0,
        };
        run.campaigns.push(entry);
        try {
          const report = await preflightCampaign(campaign, { touches: entry.touches });
          const errors = report.problems.filter((p) => p.severity === 'error').length;
          if (errors > 0) {
            entry.error = `${errors} preflight error${errors === 1 ? '' : 's'} (aircover check ${campaign.id}): nothing sent`;
            continue;
          }
          await withStoreLock(store, `send-${campaign.id}`, async () => {
            await syncCampaignPartners(store, campaign);
            const state = await loadPlanState(store, campaign, now);
            for (const touch of touches) {
              const render = { ...context.render, now };
              const plan = await planTouch({ store, campaign, now, state, render }, touch, { write: true });
              entry.waiting += plan.counts.scheduled;
              if (plan.toSend === 0) continue;
              const summary = await sendTouch(
                { store, transport, campaign, render, total: plan.toSend },
                touch,
              );
              entry.sent += summary.sent;
              entry.failed += summary.failed + summary.retryable + summary.unresolved;
              if (summary.stopped || summary.unavailable) {
                entry.error = summary.stopped?.message ?? summary.unavailable ?? 'stopped';
                break;
              }
            }
          });
        } catch (error) {
          entry.error =
            error instanceof LockBusyError
              ? `a send of ${campaign.id} is running elsewhere; next run`
              : error instanceof Error
                ? error.message
                : String(error);
        }
      }
    });
  } catch (error) {
    if (!(error instanceof LockBusyError)) throw error;
    run.skipped = error.message;
  }
  run.finishedAt = new Date().toISOString();
  context.log?.(describeRun(run));
  if (!run.skipped) {
    // Only the lease holder gets here, so replacing the row cannot race another runner.
    await store
      .deleteKey(lastRunKey)
      .then(() => store.putKeyOnce(lastRunKey, JSON.stringify(run), lastRunTtlMs))
      .catch(() => undefined);
  }
  return run;
}

/** The run's log line. */
export function describeRun(run: SchedulerRun): string {
  if (run.skipped) return `scheduler: skipped, ${run.skipped}`;
  if (run.campaigns.length === 0) return 'scheduler: nothing due';
  const parts = run.campaigns.map((c) => {
    const counts = `${c.sent} sent, ${c.failed} failed, ${c.waiting} waiting for their window`;
    return `${c.campaign} [${c.touches.join(', ')}] ${counts}${c.error ? ` (${c.error})` : ''}`;
  });
  return `scheduler: ${parts.join('; ')}`;
}

/** The last run any instance recorded, if any. */
export async function lastSchedulerRun(store: Store): Promise<SchedulerRun | null> {
  const row = await store.getKey(lastRunKey);
  return row ? (JSON.parse(row.value) as SchedulerRun) : null;
}

/**
 * Runs `runDueSends` every `intervalMs` (default a minute) until stopped; a failing run is
 * logged and the next one tries again. Runs never overlap within the process.
 */
export function startScheduler(context: SchedulerContext & { intervalMs?: number }): {
  stop(): Promise<void>;
} {
  const intervalMs = context.intervalMs ?? 60_000;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const tick = () => {
    running = runDueSends(context).catch((error: unknown) => {
      context.log?.(`scheduler: run failed: ${error instanceof Error ? error.message : String(error)}`);
    });
    return running;
  };
  let timer: NodeJS.Timeout | undefined;
  const loop = () => {
    tick().finally(() => {
      if (!stopped) timer = setTimeout(loop, intervalMs);
    });
  };
  loop();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
