import { defineCommand } from 'citty';
import { type InboundClass, inboundClasses } from '../../../lib/store/types.ts';
import { dryRunArg, jsonArg } from '../../args.ts';
import { storeArgs, withFollowup } from '../../followup.ts';
import { CliError, out, UsageError } from '../../output.ts';

export default defineCommand({
  meta: {
    name: 'correct',
    description: 'Give a message its right class; the correction wins and its effects follow.',
  },
  args: {
    id: { type: 'positional', required: true, description: 'The message id (aircover inbox lists them)' },
    class: { type: 'positional', required: true, description: inboundClasses.join(' | ') },
    dryRun: dryRunArg,
    json: jsonArg,
    ...storeArgs,
  },
  async run({ args }) {
    const id = Number(args.id);
    if (!Number.isInteger(id) || id <= 0)
      throw new UsageError(`"${args.id}" is not a message id`, { field: 'id' });
    const klass = args.class as InboundClass;
    if (!inboundClasses.includes(klass))
      throw new UsageError(`class must be one of ${inboundClasses.join(', ')} (got "${args.class}")`, {
        field: 'class',
      });
    await withFollowup({ url: args.url, dryRun: args.dryRun }, async (store, campaigns) => {
      const message = await store.getInbound(id);
      if (!message) throw new CliError(`no inbound message ${id}`);
      if (args.dryRun) {
        out.info(`Would correct message ${id} from ${message.effectiveClass} to ${klass}.`);
        return args.json
          ? out.json({ id, from: message.effectiveClass, to: klass, dryRun: true })
          : undefined;
      }
      const { correct } = await import('../../../lib/inbox/pipeline.ts');
      const { cliIdentity } = await import('../../../lib/followup/mark.ts');
      const result = await correct(store, campaigns, id, klass, cliIdentity());
      if (!result) throw new CliError(`no inbound message ${id}`);
      if (args.json) return out.json({ id, class: result.message.effectiveClass, effects: result.effects });
      out.success(`message ${id}: ${message.effectiveClass} → ${klass}`);
    });
  },
});
