import { defineCommand } from 'citty';
import { dryRunArg, jsonArg } from '../../args.ts';
import { storeArgs, withFollowup } from '../../followup.ts';
import { CliError, out } from '../../output.ts';

export default defineCommand({
  meta: {
    name: 'sync',
    description:
      'Read the IMAP mailbox (AIRCOVER_IMAP_URL) once: new messages are classified, matched and applied.',
  },
  args: { dryRun: dryRunArg, json: jsonArg, ...storeArgs },
  async run({ args }) {
    // imapflow loads when a sync runs, not when `--help` lists it.
    const { ImapConfigError, imapConfig, syncOnce } = await import('../../../lib/inbox/imap.ts');
    const { replyNotifier } = await import('../../../lib/followup/reply-note.ts');
    let config: ReturnType<typeof imapConfig>;
    try {
      config = imapConfig();
    } catch (error) {
      if (error instanceof ImapConfigError) throw new CliError(error.message);
      throw error;
    }
    await withFollowup({ url: args.url, dryRun: args.dryRun }, async (store, campaigns) => {
      let results: Awaited<ReturnType<typeof syncOnce>>;
      try {
        // A person's reply tells its owner (a note and the webhooks), once per message.
        const onOwnerNote = replyNotifier(store, campaigns, { log: (line) => out.warn(line) });
        results = await syncOnce({ store, campaigns, onOwnerNote }, config, { dryRun: args.dryRun });
      } catch (error) {
        throw new CliError(
          `IMAP ${config.host}:${config.port}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      // Replies and declines go out to the webhooks (src/lib/hooks/): first try before the store closes.
      const { deliveriesIdle } = await import('../../../lib/hooks/emit.ts');
      await deliveriesIdle();
      if (args.json) return out.json(results);
      if (args.dryRun) {
        for (const r of results) {
          out.info(
            `${r.folder}: ${r.read} new message(s); dry run: nothing stored, no cursor moved, nothing flagged`,
          );
          if (r.preview?.length)
            out.table(
              ['uid', 'class', 'partner', 'subject'],
              r.preview.map((p) => [String(p.uid), p.class, p.partner ?? 'unmatched', p.subject]),
            );
        }
        return;
      }
      for (const r of results)
        out.success(
          `${r.folder}: ${r.read} read, ${r.stored} new${r.reset ? ' (UIDVALIDITY changed: read from the start)' : ''}`,
        );
    });
  },
});
