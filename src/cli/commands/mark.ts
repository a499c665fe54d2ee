import { defineCommand } from 'citty';
import { markOutcomes } from '../../lib/followup/model.ts';
import { dryRunArg, jsonArg } from '../args.ts';
import { storeArgs, withFollowup } from '../followup.ts';
import { CliError, ExitCode, out } from '../output.ts';

export default defineCommand({
  meta: {
    name: 'mark',
    description: `Record an off-line outcome (${markOutcomes.join(', ')}); it goes on the timeline and stops sequences.`,
  },
  args: {
    partner: { type: 'positional', required: true, description: 'Partner id or email address' },
    outcome: { type: 'positional', required: true, description: markOutcomes.join(' | ') },
    note: { type: 'string', description: 'What happened, in a line' },
    campaign: { type: 'string', description: 'The campaign (needed when the id is in several)' },
    json: jsonArg,
    dryRun: dryRunArg,
    ...storeArgs,
  },
  async run({ args }) {
    const outcome = args.outcome as (typeof markOutcomes)[number];
    if (!markOutcomes.includes(outcome))
      throw new CliError(
        `unknown outcome "${args.outcome}" (use ${markOutcomes.join(', ')})`,
        ExitCode.usage,
      );
    const { MarkError, markOutcome } = await import('../../lib/followup/mark.ts');
    await withFollowup({ url: args.url, dryRun: args.dryRun }, async (store, campaigns) => {
      try {
        const result = await markOutcome(store, campaigns, {
          partner: args.partner,
          outcome,
          note: args.note,
          campaign: args.campaign,
          dryRun: args.dryRun,
        });
        // A reply or a decline goes out to the webhooks (src/lib/hooks/): first try before the store closes.
        const { deliveriesIdle } = await import('../../lib/hooks/emit.ts');
        await deliveriesIdle();
        if (args.json) return out.json({ ...result, dryRun: args.dryRun });
        if (args.dryRun) {
          for (const m of result.marked)
            out.info(`dry run: would mark ${m.campaign}/${m.partnerId} ${outcome}`);
          return;
        }
        for (const m of result.marked)
          if (m.created) out.success(`${m.campaign}/${m.partnerId}: ${outcome}`);
          else out.info(`${m.campaign}/${m.partnerId}: ${outcome} was already recorded today with this note`);
        out.info(
          outcome === 'not-interested'
            ? 'Every touch of the campaign now skips them.'
            : 'Follow-ups and referrer nudges now skip them; the owner carries on personally.',
        );
      } catch (error) {
        if (error instanceof MarkError) throw new CliError(error.message);
        throw error;
      }
    });
  },
});
