import { defineCommand } from 'citty';
import { statuses, statusLabels } from '../../lib/followup/model.ts';
import { jsonArg, onlyCampaignArg } from '../args.ts';
import { storeArgs, withFollowup } from '../followup.ts';
import { out } from '../output.ts';

export default defineCommand({
  meta: { name: 'report', description: 'The funnel and the numbers of each campaign.' },
  args: {
    campaign: onlyCampaignArg,
    json: jsonArg,
    ...storeArgs,
  },
  async run({ args }) {
    // Loaded when the report runs, so `--help` stays fast.
    const { campaignPage } = await import('../../lib/followup/queue.ts');
    const { subjectTests } = await import('../../lib/report/subject-test.ts');
    // It only reads: the store is never created or migrated (as for a dry run).
    await withFollowup({ ...args, readOnly: true }, async (store, campaigns, loaded) => {
      const now = new Date();
      // Subject tests read the templates' variants, which the follow-up model does not carry.
      const full = new Map(loaded.map((c) => [c.id, c]));
      const reports = [];
      for (const c of campaigns) {
        const campaign = full.get(c.id);
        const tests = campaign ? await subjectTests(store, campaign, now) : [];
        reports.push({ ...(await campaignPage(store, c, now)).report, subjectTests: tests });
      }
      if (args.json) return out.json({ generatedAt: now.toISOString(), campaigns: reports });
      for (const r of reports) {
        out.print(`${r.name} (${r.campaign}), ${r.partners} partners`);
        out.print();
        const top = r.funnel[0]?.partners || r.partners || 1;
        out.table(
          ['funnel', 'partners', '%'],
          r.funnel.map((f) => [f.stage, f.partners, `${Math.round((f.partners / top) * 100)}%`]),
        );
        out.print();
        out.table(
          ['status', 'partners'],
          statuses.filter((s) => r.statuses[s] > 0).map((s) => [statusLabels[s], r.statuses[s]]),
        );
        out.print();
        for (const t of r.subjectTests) {
          out.print(`Subject test: ${t.touch} (human evidence only; opens never count)`);
          out.table(
            ['variant', 'subject', 'sent', 'visited', 'read the paper', 'replied'],
            t.variants.map((v) => [v.variant, v.subject, v.sent, v.visited, v.readers, v.replied]),
          );
          out.print(t.verdict);
          out.print();
        }
        out.table(
          ['number', 'value'],
          Object.entries(r.numbers).map(([k, v]) => [k.replace(/[A-Z]/g, (m) => ` ${m.toLowerCase()}`), v]),
        );
        out.print();
      }
    });
  },
});
