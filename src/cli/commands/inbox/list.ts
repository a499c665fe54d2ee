import { defineCommand } from 'citty';
import { type InboundClass, inboundClasses } from '../../../lib/store/types.ts';
import { csvArg, jsonArg } from '../../args.ts';
import { storeArgs, withFollowup } from '../../followup.ts';
import { out, UsageError } from '../../output.ts';

export const listArgs = {
  campaign: { type: 'string', description: 'Only this campaign' },
  class: {
    type: 'string',
    description: `Only this class (${inboundClasses.join(', ')}; a correction counts)`,
  },
  unmatched: { type: 'boolean', default: false, description: 'Only messages tied to no partner' },
  json: jsonArg,
  csv: csvArg,
  ...storeArgs,
} as const;

export default defineCommand({
  meta: { name: 'list', description: 'The messages that came back, newest last (table, --csv or --json).' },
  args: listArgs,
  async run({ args }) {
    const klass = args.class as InboundClass | undefined;
    if (klass !== undefined && !inboundClasses.includes(klass))
      throw new UsageError(`--class must be one of ${inboundClasses.join(', ')} (got "${args.class}")`, {
        field: 'class',
      });
    if (args.json && args.csv) throw new UsageError('--json and --csv: choose one');
    // Loaded when the list runs: `aircover --help` reads this file for the inbox's flags.
    const { inboundCsv, inboundRow } = await import('../../../lib/inbox/report.ts');
    // It only reads: the store is never created or migrated (as for a dry run).
    await withFollowup({ url: args.url, readOnly: true }, async (store, campaigns) => {
      const messages = await store.listInbound({
        ...(args.campaign ? { campaign: args.campaign } : {}),
        ...(klass ? { class: klass } : {}),
        ...(args.unmatched ? { unmatched: true } : {}),
      });
      if (args.json) return out.json(messages.map(inboundRow));
      if (args.csv) return out.csv(inboundCsv(messages));
      if (messages.length === 0) return out.info('No messages.');
      // Received times in the team's zone and locale, named in the header.
      const { teamClock } = await import('../../../lib/followup/team-clock.ts');
      const { formatShort } = await import('../../../lib/time/format.ts');
      const clock = teamClock(campaigns.filter((c) => !args.campaign || c.id === args.campaign));
      out.table(
        ['id', `received (${clock.timeZone})`, 'class', 'from', 'partner', 'match', 'subject'],
        messages.map((m) => {
          const r = inboundRow(m);
          return [
            r.id,
            formatShort(r.receivedAt, clock.timeZone, clock.locale),
            r.class,
            r.from,
            r.partner || '—',
            r.matchedAs || '—',
            r.subject.slice(0, 60),
          ];
        }),
      );
    });
  },
});
