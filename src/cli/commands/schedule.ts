import { defineCommand } from 'citty';
import type { TouchPlan } from '../../lib/email/send/index.ts';
import { campaignArg, campaignFolder, campaignsDirArg, contentDirArg, jsonArg } from '../args.ts';
import { CliError, ExitCode, out } from '../output.ts';

/**
 * `aircover schedule <campaign>`: what goes out when, for each partner, on their own clock. It
 * plans every touch as `send` would (the same decisions, the same send windows) without writing.
 */
export default defineCommand({
  meta: {
    name: 'schedule',
    description: "What goes out when: every touch for every partner, in the partner's time zone.",
  },
  args: {
    campaign: campaignArg,
    touch: { type: 'string', description: 'Only this touch (its id in campaign.yaml)' },
    json: jsonArg,
    campaignsDir: campaignsDirArg,
    contentDir: contentDirArg,
  },
  async run({ args }) {
    const dir = campaignFolder(args.campaign, args.campaignsDir);
    const { loadCampaign } = await import('../../lib/campaign/load.ts');
    const { formatProblem } = await import('../../lib/campaign/problems.ts');
    // The planner alone (as send's dry run): the sender, its render threads and the message
    // building are not needed to show a schedule.
    const { loadPlanState, planTouch } = await import('../../lib/email/send/plan.ts');
    const { isoInZone } = await import('../../lib/time/zone.ts');
    const { openStore } = await import('../../lib/store/index.ts');

    const loaded = loadCampaign(dir, { contentDir: args.contentDir });
    if (!loaded.ok) {
      for (const p of loaded.problems.filter((x) => x.severity === 'error')) out.error(formatProblem(p));
      throw new CliError(`${args.campaign} does not load (aircover check ${args.campaign}).`);
    }
    const campaign = loaded.campaign;
    const touches = args.touch ? campaign.touches.filter((t) => t.id === args.touch) : campaign.touches;
    if (touches.length === 0) {
      throw new CliError(
        `No touch "${args.touch}" in ${campaign.id}; touches: ${campaign.touches.map((t) => t.id).join(', ')}.`,
        ExitCode.usage,
        { code: 'bad-value', field: 'touch' },
      );
    }
    // It plans without writing, so it opens the store as a dry run does: never created or migrated.
    // A store that cannot be opened fails as itself (src/cli/errors.ts gives its code and hint).
    const store = await openStore({ dryRun: true });
    const now = new Date();
    const plans: TouchPlan[] = [];
    try {
      const state = await loadPlanState(store, campaign, now);
      for (const touch of touches) {
        plans.push(
          await planTouch({ store, campaign, now, state, dueFrom: 'touch' }, touch, { write: false }),
        );
      }
    } finally {
      await store.close();
    }

    // One row per partner: a referrer note's own row is left out (its partners are `covered`).
    const rowsOf = (plan: TouchPlan) =>
      plan.rows
        .filter((r) => !r.note || r.category === 'covered' || r.category === 'after-note')
        .map((r) => ({
          partner: r.partner.id,
          timeZone: r.partner.timeZone,
          // The instant with the partner's own offset, and in UTC.
          dueAt: isoInZone(r.dueAt, r.partner.timeZone),
          dueUtc: r.dueAt.toISOString(),
          category: r.category,
        }))
        .sort((a, b) => a.dueUtc.localeCompare(b.dueUtc) || a.partner.localeCompare(b.partner));

    if (args.json) {
      out.json({
        campaign: campaign.id,
        generatedAt: now.toISOString(),
        touches: plans.map((plan) => ({
          touch: plan.touch.id,
          at: isoInZone(plan.touch.at, campaign.def.timeZone),
          window: plan.touch.window ?? null,
          ...(plan.blocked ? { blocked: plan.blocked } : {}),
          partners: rowsOf(plan),
        })),
      });
      return;
    }
    // People read each time in the campaign's locale: the partner's clock and the campaign's.
    const { formatShort } = await import('../../lib/time/format.ts');
    const zone = campaign.def.timeZone;
    const locale = campaign.def.locale;
    for (const plan of plans) {
      const w = plan.touch.window;
      const windowText = w
        ? `${w.days.join(',')} ${w.start}–${w.end} on each partner's clock${w.holidays.length ? `, not on ${w.holidays.join(', ')}` : ''}`
        : 'no send window: at its time for everyone';
      out.print(`${plan.touch.id} (${plan.touch.kind}) from ${formatShort(plan.touch.at, zone, locale)}`);
      out.print(`  window: ${windowText}`);
      if (plan.blocked) out.print(`  nothing planned: ${plan.blocked}`);
      out.table(
        ['partner', 'zone', 'their time', `campaign time (${zone})`, 'status'],
        rowsOf(plan).map((r) => [
          r.partner,
          r.timeZone,
          formatShort(r.dueUtc, r.timeZone, locale),
          formatShort(r.dueUtc, zone, locale),
          r.category,
        ]),
      );
      out.print();
    }
  },
});
