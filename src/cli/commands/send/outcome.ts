/**
 * How `aircover send` reports a run: progress while it sends, a line per touch at the end, and
 * the error (with its exit code) a run that did not send everything ends with.
 */
import type { Campaign } from '../../../lib/campaign/load.ts';
import type { SendProgress, SendSummary } from '../../../lib/email/send/index.ts';
import { CliError, ExitCode, out } from '../../output.ts';

export function progressReporter(total: number, json: boolean) {
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

/** How a run that did not send everything ends: the stop, the failure, or nothing. */
export function outcomeError(
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

export function printSummary(s: SendSummary) {
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
