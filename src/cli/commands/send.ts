import { randomBytes } from 'node:crypto';
import { defineCommand } from 'citty';
import type { Campaign, Touch } from '../../lib/campaign/load.ts';
import type { Problem } from '../../lib/campaign/problems.ts';
import type { PlanCategory, SendProgress, SendSummary, TouchPlan } from '../../lib/email/send/index.ts';
import type { Store } from '../../lib/store/index.ts';
import { formatDate, formatShort } from '../../lib/time/format.ts';
import {
  campaignArg,
  campaignCacheDir,
  campaignFolder,
  campaignsDirArg,
  contentDirArg,
  dryRunArg,
  layoutCacheDir,
  preflightCacheDir,
  yesArg,
} from '../args.ts';
import { CliError, color, ExitCode, out } from '../output.ts';

const categoryLabels: Record<PlanCategory, string> = {
  send: 'to send',
  retry: 'to retry',
  'in-flight': 'in flight when a run stopped (replayed under the same key)',
  sent: 'already sent',
  failed: 'failed earlier (refused by the provider)',
  suppressed: 'suppressed (unsubscribed, bounced, complained)',
  declined: 'declined ("no thanks")',
  'left-company': 'left the company (the inbox read the notice): find a new contact',
  paused: 'paused ("not now")',
  replied: 'replied (the inbox read their answer)',
  responded: 'already did what it asks',
  'no-referrer': 'no referrer to nudge',
  'outside-audience': 'outside the audience',
  'webinar-cancelled': 'not planned: the webinar is cancelled',
  scheduled: "waiting for the send window on the partner's clock (aircover schedule)",
  covered: "in their referrer's one note (listed below)",
  'after-note': "joined after their referrer's note of this touch; the next referrer touch covers them",
};

const emailPattern = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

function planJson(plan: TouchPlan) {
  return {
    touch: plan.touch.id,
    at: plan.touch.at.toISOString(),
    counts: plan.counts,
    toSend: plan.toSend,
    ...(plan.blocked ? { blocked: plan.blocked } : {}),
    paused: plan.rows
      .filter((r) => r.category === 'paused')
      .map((r) => ({ partner: r.partner.id, until: r.until?.toISOString() ?? null })),
    scheduled: plan.rows
      .filter((r) => r.category === 'scheduled')
      .map((r) => ({ partner: r.partner.id, dueAt: r.dueAt.toISOString() })),
    // Every partner's decision, as the follow-up queue's `touches` shows it (one state model).
    partners: plan.rows
      .filter((r) => !r.note || r.category === 'covered' || r.category === 'after-note')
      .map((r) => ({
        partner: r.partner.id,
        recipient: r.recipient,
        category: r.category,
        ...(r.note ? { note: r.note.key } : {}),
      })),
    // Referrer nudges: one row per referrer, with the partners the one message covers.
    ...(plan.touch.kind === 'referrer-nudge' ? { notes: notesOf(plan) } : {}),
  };
}

/** A referrer-nudge plan's notes: one per referrer (`covered` rows point at them). */
function notesOf(plan: TouchPlan) {
  return plan.rows
    .filter((r) => r.note && r.category !== 'covered' && r.category !== 'after-note')
    .map((r) => ({
      referrer: r.note?.key ?? '',
      recipient: r.recipient,
      category: r.category,
      partners: (r.note?.covers ?? []).map((p) => p.id),
    }));
}

function printPlan(campaign: Campaign, plan: TouchPlan, planCategories: readonly PlanCategory[]) {
  // Times as the team reads them: the campaign's zone (named) and locale.
  const { timeZone, locale } = campaign.def;
  const at = (instant: Date) => formatShort(instant, timeZone, locale);
  out.print(
    `${color.bold(`${campaign.id} / ${plan.touch.id}`)} (${plan.touch.kind}, due ${at(plan.touch.at)})`,
  );
  const rows = planCategories
    .filter((c) => plan.counts[c] > 0 || c === 'send')
    .map((c) => {
      let label = categoryLabels[c];
      if (c === 'paused') {
        const last = Math.max(
          ...plan.rows.filter((r) => r.category === 'paused').map((r) => r.until?.getTime() ?? 0),
        );
        if (last > 0) label += `, until ${formatDate(new Date(last), timeZone, locale)} at the latest`;
      }
      if (c === 'scheduled') {
        const next = Math.min(
          ...plan.rows.filter((r) => r.category === 'scheduled').map((r) => r.dueAt.getTime()),
        );
        label += `; the next at ${at(new Date(next))}`;
      }
      return [String(plan.counts[c]).padStart(6), label];
    });
  out.table(
    ['count', plan.touch.kind === 'referrer-nudge' ? 'messages (one per referrer) and partners' : 'partners'],
    rows,
  );
  const notes = plan.touch.kind === 'referrer-nudge' ? notesOf(plan) : [];
  if (notes.length > 0)
    out.table(
      ['referrer', 'note', 'partners covered'],
      notes.map((n) => [n.recipient, categoryLabels[n.category], n.partners.join(', ')]),
    );
  if (plan.blocked) out.print(`Nothing planned: ${plan.blocked}.`);
  out.print();
}

async function confirm(message: string): Promise<boolean> {
  const prompts = await import('@clack/prompts');
  const answer = await prompts.confirm({ message, output: process.stderr });
  return answer === true;
}

function progressReporter(total: number, json: boolean) {
  let last = 0;
  let bar: { advance(step?: number, msg?: string): void; stop(msg?: string): void } | undefined;
  let shown = 0;
  const tty = Boolean(process.stderr.isTTY) && !json;
  return {
    async start(label: string) {
      if (tty && total > 0) {
        const prompts = await import('@clack/prompts');
        const p = prompts.progress({ max: total, output: process.stderr });
        p.start(label);
        bar = p;
      }
    },
    update(p: SendProgress) {
      const done = p.sent + p.failed + p.skipped;
      if (bar) {
        if (done > shown) bar.advance(done - shown, `${p.touch}: ${p.sent} sent, ${p.failed} failed`);
        shown = done;
        return;
      }
      if (json) return;
      const now = Date.now();
      if (now - last >= 1000 || done >= total) {
        last = now;
        out.info(`${p.touch}: ${done}/${total} (${p.sent} sent, ${p.failed} failed, ${p.skipped} skipped)`);
      }
    },
    stop(message: string) {
      bar?.stop(message);
      bar = undefined;
    },
  };
}

export default defineCommand({
  meta: {
    name: 'send',
    description:
      'Send a touch of a campaign (or every touch that is due): plan, confirm, send, resumable after any stop.',
  },
  args: {
    campaign: campaignArg,
    touch: { type: 'string', description: 'The touch to send (its id in campaign.yaml)' },
    due: { type: 'boolean', default: false, description: 'Send every touch whose time has come' },
    yes: yesArg,
    dryRun: dryRunArg,
    retryFailed: {
      type: 'boolean',
      default: false,
      description: 'Plan the rows that failed earlier again (see `aircover sends`), then send them',
    },
    to: {
      type: 'string',
      description: 'Send every message to this test inbox (partner named in the subject); ledger untouched',
    },
    json: { type: 'boolean', default: false, description: 'Print the plan and the result as JSON' },
    campaignsDir: campaignsDirArg,
    contentDir: contentDirArg,
  },
  async run({ args }) {
    if (Boolean(args.touch) === args.due) {
      throw new CliError(
        'Name one touch with --touch <id>, or send every due touch with --due.',
        ExitCode.usage,
      );
    }
    if (args.to !== undefined && !emailPattern.test(args.to)) {
      throw new CliError(`--to needs an email address, not "${args.to}".`, ExitCode.usage);
    }
    const dir = campaignFolder(args.campaign, args.campaignsDir);
    out.info(`Preflight of ${args.campaign}…`);
    // Rendering, transports and the store load only once the command line is sound, so
    // `--help` and a wrong flag answer at once.
    const { loadCampaignCached } = await import('../../lib/campaign/load-cache.ts');
    const { preflightCampaign, withCache } = await import('../../lib/campaign/preflight.ts');
    const { formatProblem } = await import('../../lib/campaign/problems.ts');
    const { dueTouches } = await import('../../lib/email/send/plan.ts');
    const { LockBusyError, withStoreLock } = await import('../../lib/lock.ts');
    const { openStore } = await import('../../lib/store/index.ts');
    // The compiled email layout from the last run: MJML loads only when it changed. A dry run
    // reads every cache below and writes none: it changes nothing, not even the state folder.
    const { keepLayoutsIn } = await import('../../lib/email/render/layout.ts');
    keepLayoutsIn(layoutCacheDir(), { readOnly: args.dryRun });

    const refuse = (problems: Problem[]) => {
      const errors = problems.filter((x) => x.severity === 'error');
      for (const p of errors) out.error(formatProblem(p));
      return new CliError(
        `${errors.length} preflight error${errors.length === 1 ? '' : 's'} (aircover check ${args.campaign}): nothing was sent.`,
      );
    };
    // From the cache when no file it reads changed (src/lib/campaign/load-cache.ts): the parsers
    // and zod load only when something did.
    const loaded = await loadCampaignCached(dir, {
      contentDir: args.contentDir,
      cacheDir: campaignCacheDir(),
      readOnly: args.dryRun,
    });
    if (!loaded.ok) throw refuse(loaded.problems);
    const campaign = loaded.campaign;
    const now = new Date();
    let touches: Touch[];
    if (args.touch) {
      const touch = campaign.touches.find((t) => t.id === args.touch);
      if (!touch) {
        throw new CliError(
          `No touch "${args.touch}" in ${campaign.id}; touches: ${campaign.touches.map((t) => t.id).join(', ')}.`,
          ExitCode.usage,
        );
      }
      touches = [touch];
    } else {
      touches = dueTouches(campaign, now);
      if (touches.length === 0) {
        const next = campaign.touches.find((t) => t.at > now);
        if (args.json) out.json({ campaign: campaign.id, touches: [], next: next?.id ?? null });
        else
          out.success(
            `Nothing is due in ${campaign.id}${next ? `; next: ${next.id} at ${formatShort(next.at, campaign.def.timeZone, campaign.def.locale)}` : ''}.`,
          );
        return;
      }
    }

    // The preflight of what is about to go out: these touches' messages and the lints that
    // concern them, reusing what an earlier check or send found for unchanged inputs. Nothing
    // goes out from a campaign with errors.
    const report = await preflightCampaign(
      campaign,
      withCache(campaign, {
        contentDir: args.contentDir,
        touches: touches.map((t) => t.id),
        ...(args.touch ? { sending: [args.touch] } : {}),
        cacheDir: preflightCacheDir(),
        readOnlyCache: args.dryRun,
      }),
    );
    const problems = [...loaded.problems, ...report.problems];
    if (problems.some((p) => p.severity === 'error')) throw refuse(problems);

    // A dry run neither creates the SQLite file nor applies migrations. A store that cannot be
    // opened fails as itself (src/cli/errors.ts gives its code and hint).
    const store: Store = await openStore(args.dryRun ? { dryRun: true } : {});
    const work = () => run(store, campaign, touches, now, args);
    try {
      if (args.dryRun) await work();
      // A lease in the store: one send of a campaign at a time on every machine sharing it.
      else
        await withStoreLock(store, `send-${campaign.id}`, work, {
          describe: (holder) =>
            `Another send of ${campaign.id} is running (${holder}); nothing was sent. Run again when it has finished.`,
        });
    } catch (error) {
      if (error instanceof LockBusyError) throw new CliError(error.message, ExitCode.stopped);
      throw error;
    } finally {
      await store.close();
    }
  },
});

interface RunArgs {
  yes: boolean;
  dryRun: boolean;
  retryFailed: boolean;
  to?: string | undefined;
  json: boolean;
}

async function run(store: Store, campaign: Campaign, touches: Touch[], now: Date, args: RunArgs) {
  // Planning only: the sender (run.ts, its render threads and message building) loads once
  // something is to go out.
  const { loadPlanState, planTouch } = await import('../../lib/email/send/plan.ts');
  const { planCategories } = await import('../../lib/email/send/plan-rows.ts');
  const { transportKindOf } = await import('../../lib/email/transport/kind.ts');
  const transportKind = transportKindOf(process.env);
  const writes = !args.dryRun && args.to === undefined;
  // --retry-failed: refused rows go back to planned before the plan, which then treats them as
  // rows that never reached the provider (re-checked, current key). A dry run only counts them.
  const requeued = { rows: 0, unknown: 0 };
  if (args.retryFailed && args.to === undefined) {
    for (const touch of touches) {
      const r = await store.requeueFailedSends({
        campaign: campaign.id,
        touch: touch.id,
        dryRun: args.dryRun,
      });
      requeued.rows += r.requeued.length;
      requeued.unknown += r.unknown.length;
    }
  }
  const state = await loadPlanState(store, campaign, now);
  const plans: TouchPlan[] = [];
  for (const touch of touches) {
    plans.push(await planTouch({ store, campaign, now, state }, touch, { write: writes }));
  }
  if (!args.json) {
    const where =
      transportKind === 'resend'
        ? 'Resend'
        : `the outbox (${process.env.AIRCOVER_OUTBOX_DIR ?? 'outbox'}/; set RESEND_API_KEY to send for real)`;
    for (const plan of plans) printPlan(campaign, plan, planCategories);
    if (args.to) out.info(`Test run: every message goes to ${args.to}; the ledger is not touched.`);
    if (args.retryFailed && !args.to)
      out.info(
        `${args.dryRun ? 'Would requeue' : 'Requeued'} ${requeued.rows} failed row(s)${requeued.unknown ? `; ${requeued.unknown} with an unknown outcome left failed (they may have been delivered: check the provider's log)` : ''}.`,
      );
    const failedEarlier = plans.reduce((n, p) => n + p.counts.failed, 0);
    if (failedEarlier > 0 && !args.retryFailed)
      out.info(
        `${failedEarlier} failed earlier: \`aircover sends ${campaign.id} --state failed\` shows why; --retry-failed sends them again.`,
      );
    out.info(`Transport: ${where}.`);
  }
  const total = plans.reduce((n, p) => n + p.toSend, 0);
  const result: Record<string, unknown> = {
    campaign: campaign.id,
    transport: transportKind,
    dryRun: args.dryRun,
    ...(args.retryFailed ? { requeued: requeued.rows, leftUnknown: requeued.unknown } : {}),
    ...(args.to ? { to: args.to } : {}),
    plan: plans.map(planJson),
  };
  if (args.dryRun || total === 0) {
    if (args.json) out.json({ ...result, results: [] });
    else out.success(args.dryRun ? 'Dry run: nothing was sent.' : 'Nothing to send.');
    return;
  }

  const interactive = Boolean(process.stdin.isTTY) && Boolean(process.stderr.isTTY) && !args.json;
  if (!args.yes && interactive) {
    const ok = await confirm(
      `Send ${total} message${total === 1 ? '' : 's'}${args.to ? ` to ${args.to}` : ''} through ${transportKind}?`,
    );
    if (!ok) throw new CliError('Nothing was sent.', ExitCode.stopped);
  }

  // The sender, the transport and the partner sync load once something is to go out, not for a
  // dry run.
  const { sendTest, sendTouch } = await import('../../lib/email/send/run.ts');
  const { createTransport } = await import('../../lib/email/transport/index.ts');
  const { syncCampaignPartners } = await import('../../lib/engagement/partners-sync.ts');
  const transport = createTransport(process.env);
  const controller = new AbortController();
  const onSignal = () => {
    out.info('Stopping after the current call… (the ledger stays resumable)');
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const started = Date.now();
  const summaries: SendSummary[] = [];
  const tests: { touch: string; sent: number; failed: number; errors: string[] }[] = [];
  try {
    // The store's partner table follows partners.csv (the collector finds partners by token).
    if (!args.to) await syncCampaignPartners(store, campaign);
    for (const plan of plans) {
      if (plan.toSend === 0) continue;
      const progress = progressReporter(plan.toSend, args.json);
      await progress.start(`Sending ${plan.touch.id}`);
      const context = {
        transport,
        campaign,
        render: { now },
        signal: controller.signal,
        total: plan.toSend,
        onProgress: (p: SendProgress) => progress.update(p),
      };
      if (args.to) {
        const partners = plan.rows
          .filter((r) => r.category === 'send' || r.category === 'retry')
          .map((r) => r.note?.covers ?? [r.partner]);
        const t = await sendTest(context, plan.touch, partners, args.to, randomBytes(6).toString('hex'));
        progress.stop(`${plan.touch.id}: ${t.sent} test messages sent to ${args.to}`);
        tests.push({ touch: plan.touch.id, ...t });
        continue;
      }
      const summary = await sendTouch({ ...context, store }, plan.touch);
      progress.stop(`${plan.touch.id}: ${summary.sent} sent`);
      summaries.push(summary);
      if (summary.stopped || summary.unavailable || summary.aborted) break;
    }
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
  const seconds = (Date.now() - started) / 1000;
  const failure = outcomeError(campaign, summaries, tests, controller.signal.aborted);
  if (args.json) {
    const body = { ...result, seconds, results: args.to ? tests : summaries };
    // Under --json stdout holds one object: the result alone, or the error carrying it.
    if (failure) throw new CliError(failure.message, failure.exitCode, { ...failure.place, result: body });
    out.json(body);
  } else if (args.to) {
    for (const t of tests) {
      out.success(
        `${t.touch}: ${t.sent} test messages to ${args.to}${t.failed ? `, ${t.failed} failed` : ''}`,
      );
      for (const e of t.errors.slice(0, 10)) out.error(e);
    }
  } else {
    for (const s of summaries) printSummary(s);
    out.info(`Done in ${seconds.toFixed(1)} s.`);
  }
  if (failure) throw failure;
}

/** How a run that did not send everything ends: the stop, the failure, or nothing. */
function outcomeError(
  campaign: Campaign,
  summaries: SendSummary[],
  tests: { failed: number }[],
  aborted: boolean,
): CliError | undefined {
  const stopped = summaries.find((s) => s.stopped);
  if (stopped?.stopped?.reason === 'unauthorized') {
    return new CliError(
      `Stopped: Resend refused the API key (${stopped.stopped.message}). Nothing was lost: every unsent row is still to send. Fix RESEND_API_KEY and run the same command again.`,
      ExitCode.stopped,
      { code: 'provider-refused-key', field: 'RESEND_API_KEY' },
    );
  }
  if (stopped?.stopped) {
    return new CliError(
      `Stopped: the provider's ${stopped.stopped.reason.replace(/_/g, ' ')} (${stopped.stopped.message}). Nothing was lost: run the same command again when the quota resets and it sends exactly what is missing.`,
      ExitCode.stopped,
      { code: 'provider-quota' },
    );
  }
  const unavailable = summaries.find((s) => s.unavailable);
  if (unavailable?.unavailable)
    return new CliError(unavailable.unavailable, ExitCode.failure, { code: 'provider-unavailable' });
  if (summaries.some((s) => s.aborted) || aborted) {
    return new CliError(
      'Interrupted. Run the same command again to send what is missing.',
      ExitCode.stopped,
      {
        code: 'interrupted',
      },
    );
  }
  if (tests.some((t) => t.failed > 0) || summaries.some((s) => s.failed > 0)) {
    return new CliError(
      `Some messages failed: \`aircover sends ${campaign.id} --state failed\` lists them with their errors; fix the cause, then send again with --retry-failed.`,
      ExitCode.failure,
      { code: 'some-failed' },
    );
  }
  return undefined;
}

function printSummary(s: SendSummary) {
  const parts = [`${s.sent} sent`];
  if (s.replayed) parts.push(`${s.replayed} replayed (already sent, not delivered twice)`);
  if (s.skipped) parts.push(`${s.skipped} skipped at the last moment (suppressed or declined)`);
  if (s.retryable) parts.push(`${s.retryable} to retry`);
  if (s.unresolved) parts.push(`${s.unresolved} with an unknown outcome (replayed on the next run)`);
  if (s.failed) parts.push(`${s.failed} failed`);
  const line = `${s.touch}: ${parts.join(', ')}`;
  if (s.failed || s.stopped || s.unavailable) out.warn(line);
  else out.success(line);
}
