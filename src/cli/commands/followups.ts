import { defineCommand } from 'citty';
import { type Status, statuses } from '../../lib/followup/model.ts';
import { csvArg, jsonArg, onlyCampaignArg } from '../args.ts';
import { storeArgs, withFollowup } from '../followup.ts';
import { CliError, color, ExitCode, out } from '../output.ts';

/** A table cell: control characters and line breaks flattened, long text cut. */
function oneLine(text: string, max: number): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: flattening control characters is the point
  const flat = text.replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export default defineCommand({
  meta: {
    name: 'followups',
    description: 'Who to follow up, when and how: one row per partner, due today first.',
  },
  args: {
    campaign: onlyCampaignArg,
    status: {
      type: 'string',
      description: `Only these statuses, comma-separated: ${statuses.join(', ')}`,
    },
    owner: { type: 'string', description: 'Only partners of this owner' },
    csv: csvArg,
    json: jsonArg,
    ...storeArgs,
  },
  async run({ args }) {
    const wanted = args.status ? args.status.split(',').map((s) => s.trim()) : [];
    const unknown = wanted.filter((s) => !(statuses as readonly string[]).includes(s));
    if (unknown.length)
      throw new CliError(`unknown status ${unknown.join(', ')} (use ${statuses.join(', ')})`, ExitCode.usage);
    // The queue's modules load when it runs, so `--help` stays fast; CSV only for --csv.
    const { buildQueue } = await import('../../lib/followup/queue.ts');
    const { dueTodayTest } = await import('../../lib/followup/rules.ts');
    const { teamClock } = await import('../../lib/followup/team-clock.ts');
    const { formatShort, zoneNote } = await import('../../lib/time/format.ts');
    // It only reads: the store is never created or migrated (as for a dry run).
    await withFollowup({ ...args, readOnly: true }, async (store, campaigns) => {
      const now = new Date();
      const queue = await buildQueue(store, campaigns, {
        now,
        ...(wanted.length ? { status: wanted as Status[] } : {}),
        ...(args.owner ? { owner: args.owner } : {}),
      });
      if (args.json) return out.json({ generatedAt: now.toISOString(), followups: queue });
      if (args.csv) {
        const { campaignZones, queueCsv } = await import('../../lib/followup/csv.ts');
        return out.csv(queueCsv(queue, campaignZones(campaigns)));
      }
      if (queue.length === 0) return out.info('No partners match.');
      // People read the due times in the campaign's zone and locale, named under the table.
      const { timeZone: tz, locale } = teamClock(campaigns);
      const dueToday = dueTodayTest(now, tz);
      out.table(
        ['', 'due', 'partner', 'campaign', 'owner', 'status', 'score', 'next action', 'reason'],
        queue.map((i) => [
          i.hot
            ? { text: 'HOT', paint: color.red }
            : dueToday(i)
              ? { text: 'today', paint: color.yellow }
              : '',
          i.due ? formatShort(i.due, tz, locale) : '—',
          oneLine(`${i.company} (${i.name})`, 48),
          i.campaign,
          i.owner ?? '—',
          i.statusLabel,
          i.score,
          i.actionLabel,
          oneLine(i.reason, 70),
        ]),
      );
      const due = queue.filter(dueToday).length;
      out.info(
        `${queue.length} partners, ${due} due today (${zoneNote(tz)}). --json or --csv for the suggested messages.`,
      );
    });
  },
});
