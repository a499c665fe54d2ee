import { existsSync, readFileSync } from 'node:fs';
import { defineCommand } from 'citty';
import type { FollowupCampaign } from '../../../lib/followup/model.ts';
import type { Store } from '../../../lib/store/index.ts';
import { jsonArg } from '../../args.ts';
import { CliError, ExitCode, out, terminalSafe } from '../../output.ts';

/**
 * The store, when there is one to read (a URL, or the SQLite file exists): matching is optional
 * here. Opened as a dry run opens it: classifying only reads, so it never creates the Postgres
 * schema nor applies a pending migration (it says to run `db migrate`).
 */
async function presentStore(url: string | undefined): Promise<Store | null> {
  const { openStore, sqlitePathFor } = await import('../../../lib/store/index.ts');
  const given = url ?? (process.env.DATABASE_URL || undefined);
  if (!given && !existsSync(sqlitePathFor(undefined))) return null;
  // A store that cannot be opened fails as itself (src/cli/errors.ts gives its code and hint).
  return await openStore({ ...(given ? { url: given } : {}), dryRun: true });
}

async function campaignsOrNone(): Promise<FollowupCampaign[]> {
  const { loadFollowupCampaigns } = await import('../../../lib/followup/campaign.ts');
  try {
    return loadFollowupCampaigns();
  } catch {
    return [];
  }
}

export default defineCommand({
  meta: {
    name: 'classify',
    description:
      'Classify raw messages (.eml) offline: class, evidence, return date, new text, matched partner.',
  },
  args: {
    files: {
      type: 'positional',
      required: true,
      valueHint: 'FILE.eml…',
      description: 'One or more .eml files',
    },
    json: jsonArg,
    url: {
      type: 'string',
      description:
        'Database URL to match partners against (default: DATABASE_URL or the SQLite file, when present)',
    },
  },
  async run({ args }) {
    const files = args._.length ? args._.map(String) : [String(args.files)];
    for (const file of files)
      if (!existsSync(file)) throw new CliError(`${file}: no such file`, ExitCode.usage);
    // The parser, classifier and matcher load when messages are classified, not for `--help`.
    const { classify, detailOf } = await import('../../../lib/inbox/classify/index.ts');
    const { buildDirectory, matchLabel, matchMessage, unmatchedLabel } = await import(
      '../../../lib/inbox/match.ts'
    );
    const { parseMessage } = await import('../../../lib/inbox/parse.ts');
    const store = await presentStore(args.url);
    try {
      const directory = buildDirectory(await campaignsOrNone());
      const results = [];
      for (const file of files) {
        const message = await parseMessage(readFileSync(file));
        const c = classify(message);
        const match = await matchMessage(store, directory, message, c);
        results.push({
          file,
          messageId: message.messageId,
          from: message.from,
          subject: message.subject,
          class: c.class,
          evidence: c.evidence,
          returnDate: c.autoReply?.returnDate ?? c.reply?.until ?? null,
          newText: c.reply?.newText ?? null,
          detail: detailOf(c),
          partner:
            match && match.kind !== 'team'
              ? {
                  campaign: match.campaign,
                  partnerId: match.partnerId,
                  match: match.kind,
                  // One label, as `inbox list` and the dashboard show it ("referrer of ann, bob").
                  matchedAs: matchLabel(match.kind, match.referred),
                  ...(match.referred ? { referred: match.referred } : {}),
                }
              : null,
          ...(match?.kind === 'team' ? { team: match.sentKind } : {}),
          // "team" for an answer to the team's own mail, as the dashboard's inbox says.
          unmatchedAs: match && match.kind !== 'team' ? null : unmatchedLabel(match?.kind),
        });
      }
      if (args.json) return out.json(results);
      for (const r of results) {
        out.print(
          terminalSafe(
            `${r.file}: ${r.class} · ${r.partner ? `${r.partner.campaign}/${r.partner.partnerId} (${r.partner.matchedAs})` : `${r.unmatchedAs}${r.team ? ` (answers a ${r.team})` : ''}`}`,
          ),
        );
        for (const e of r.evidence) out.print(terminalSafe(`  ${e.rule} (${e.where}): ${e.saw}`));
        if (r.returnDate) out.print(`  return date: ${r.returnDate.slice(0, 10)}`);
        if (r.newText)
          out.print(terminalSafe(`  new text: ${r.newText.split('\n').slice(0, 3).join(' / ')}`));
      }
    } finally {
      await store?.close();
    }
  },
});
