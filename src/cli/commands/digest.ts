import { defineCommand } from 'citty';
import { dryRunArg } from '../args.ts';
import { storeArgs, withFollowup } from '../followup.ts';
import { CliError, ExitCode, out, terminalSafe } from '../output.ts';

export default defineCommand({
  meta: {
    name: 'digest',
    description:
      'Email the team: hot partners since yesterday, follow-ups due today, registrations, feedback.',
  },
  args: {
    to: { type: 'string', description: 'Recipient (default AIRCOVER_TEAM_EMAIL)' },
    json: { type: 'boolean', description: 'Print what was sent as JSON', default: false },
    dryRun: dryRunArg,
    ...storeArgs,
  },
  async run({ args }) {
    const to = args.to ?? process.env.AIRCOVER_TEAM_EMAIL;
    if (!to) throw new CliError('no recipient: pass --to or set AIRCOVER_TEAM_EMAIL', ExitCode.usage);
    await withFollowup({ url: args.url, dryRun: args.dryRun }, async (store, campaigns) => {
      // The transports (Resend, nodemailer) load only for a digest being sent.
      const { sendDigest } = await import('../../lib/followup/notify.ts');
      const { data, message, result } = await sendDigest(store, campaigns, { to, dryRun: args.dryRun });
      if (args.dryRun) {
        if (args.json) return out.json({ to, subject: message.subject, dryRun: true, digest: data });
        out.print(terminalSafe(message.text));
        return out.success(
          `dry run: the digest above would go to ${to} (${message.subject}); nothing was sent.`,
        );
      }
      if (result?.status !== 'sent')
        throw new CliError(
          `the digest was not sent: ${result && 'error' in result ? result.error.message : 'no result'}`,
        );
      if (args.json)
        return out.json({ to, subject: message.subject, providerId: result.providerId, digest: data });
      out.success(`digest sent to ${to} (${result.providerId}): ${message.subject}`);
    });
  },
});
