import { basename } from 'node:path';
import { defineCommand } from 'citty';
import type { LedgerEntry, SendState } from '../../lib/store/index.ts';
import { campaignArg, campaignFolder, campaignsDirArg, csvArg, jsonArg } from '../args.ts';
import { campaignClock, storeArgs } from '../followup.ts';
import { out, UsageError } from '../output.ts';

/** The ledger's states; kept here so a wrong --state answers before the store loads. */
const states = ['planned', 'sending', 'sent', 'failed', 'skipped'] as const satisfies readonly SendState[];

const columns = [
  'touch',
  'partnerId',
  'recipient',
  'state',
  'attempts',
  'retryable',
  'lastError',
  'skipReason',
  'providerMessageId',
  'plannedAt',
  'sentAt',
  'updatedAt',
] as const satisfies readonly (keyof LedgerEntry)[];

/** What a person reads about a row: why it was skipped, why it failed, or its provider id. */
function why(row: LedgerEntry): string {
  if (row.state === 'skipped') return row.skipReason ?? '';
  if (row.lastError)
    return `${row.retryable && row.state === 'failed' ? '(will retry) ' : ''}${row.lastError}`;
  return row.providerMessageId ?? '';
}

export default defineCommand({
  meta: {
    name: 'sends',
    description:
      'The send ledger of a campaign: one row per touch and partner, its state and its last error (table, --csv, --json).',
  },
  args: {
    campaign: campaignArg,
    touch: { type: 'string', description: 'Only this touch' },
    state: { type: 'string', description: `Only these states, comma-separated: ${states.join(', ')}` },
    csv: csvArg,
    json: jsonArg,
    campaignsDir: campaignsDirArg,
    ...storeArgs,
  },
  async run({ args }) {
    const wanted = args.state ? args.state.split(',').map((s) => s.trim()) : [];
    const unknown = wanted.filter((s) => !(states as readonly string[]).includes(s));
    if (unknown.length > 0)
      throw new UsageError(`--state: unknown state ${unknown.join(', ')} (use ${states.join(', ')})`, {
        code: 'bad-value',
        field: 'state',
      });
    // A campaign's id is its folder's name.
    const folder = campaignFolder(args.campaign, args.campaignsDir);
    const campaign = basename(folder);
    const { openStore } = await import('../../lib/store/index.ts');
    // It only reads: opened as a dry run opens it, never created or migrated (no store yet: no rows).
    const store = await openStore({ ...(args.url ? { url: args.url } : {}), dryRun: true });
    let rows: LedgerEntry[];
    try {
      rows = await store.listLedger({
        campaign,
        ...(args.touch ? { touch: args.touch } : {}),
        ...(wanted.length ? { state: wanted as SendState[] } : {}),
      });
    } finally {
      await store.close();
    }
    if (args.json) return out.json({ campaign, rows });
    if (args.csv) {
      const { inertCsv } = await import('../../lib/text/csv.ts');
      // Instants in the campaign's zone with its offset, as followups --csv writes them.
      const { isoInZone } = await import('../../lib/time/zone.ts');
      const { timeZone } = await campaignClock(folder);
      const instant = new Set<string>(['plannedAt', 'sentAt', 'updatedAt']);
      return out.csv(
        inertCsv(
          rows.map((r) =>
            columns.map((c) => {
              const v = r[c];
              return instant.has(c) && typeof v === 'string' && v ? isoInZone(new Date(v), timeZone) : v;
            }),
          ),
          { header: true, columns: [...columns] },
        ),
      );
    }
    if (rows.length === 0)
      return out.info(`No ledger rows for ${campaign}${args.touch ? ` / ${args.touch}` : ''}.`);
    // Times in the campaign's zone and locale, named in the header (JSON keeps the UTC instants).
    const clock = await campaignClock(folder);
    const { formatShort } = await import('../../lib/time/format.ts');
    out.table(
      ['touch', 'partner', 'recipient', 'state', 'tries', `updated (${clock.timeZone})`, 'why'],
      rows.map((r) => [
        r.touch,
        r.partnerId,
        r.recipient,
        r.state,
        r.attempts,
        formatShort(r.updatedAt, clock.timeZone, clock.locale),
        why(r).slice(0, 100),
      ]),
    );
    const counts = states
      .map((s) => [s, rows.filter((r) => r.state === s).length] as const)
      .filter(([, n]) => n > 0);
    out.info(`${rows.length} rows: ${counts.map(([s, n]) => `${n} ${s}`).join(', ')}.`);
    if (rows.some((r) => r.state === 'failed'))
      out.info(`\`aircover send ${campaign} --touch <id> --retry-failed\` sends the failed rows again.`);
  },
});
