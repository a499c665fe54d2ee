import { randomBytes } from 'node:crypto';
import { defineCommand } from 'citty';
import type { Campaign, Touch } from '../../lib/campaign/load.ts';
import type { Problem } from '../../lib/campaign/problems.ts';
import type { SendProgress, SendSummary, TouchPlan } from '../../lib/email/send/index.ts';
import type { Store } from '../../lib/store/index.ts';
import { formatShort } from '../../lib/time/format.ts';
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
import { CliError, ExitCode, out } from '../output.ts';
import { outcomeError, printSummary, progressReporter } from './send/outcome.ts';
import { planJson, printPlan } from './send/plan-output.ts';

const emailPattern = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

async function confirm(message: string): Promise<boolean> {
  const prompts = await import('@clack/prompts');
  const answer = await prompts.confirm({ message, output: process.stderr });
  return answer === true;
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
    // The command's preflight, before this, rendered every message of these touches (`checked`).
    plans.push(await planTouch({ store, campaign, now, state }, touch, { write: writes, checked: true }));
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
