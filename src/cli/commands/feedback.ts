import { basename } from 'node:path';
import { defineCommand } from 'citty';
import { campaignArg, campaignFolder } from '../args.ts';
import { out } from '../output.ts';

export default defineCommand({
  meta: {
    name: 'feedback',
    description:
      "Partners' feedback on the advance copy, with consent to quote, to put quotes into the published paper.",
  },
  args: {
    campaign: campaignArg,
    consented: { type: 'boolean', description: 'Only feedback the partner agreed to have quoted' },
    csv: { type: 'boolean', description: 'CSV on stdout' },
    json: { type: 'boolean', description: 'JSON on stdout' },
  },
  async run({ args }) {
    // Loaded when the command runs, so `--help` stays fast.
    const { campaignsDir } = await import('../../lib/campaign/dirs.ts');
    const { openStore } = await import('../../lib/store/index.ts');
    // A campaign's id is its folder's name.
    const folder = campaignFolder(args.campaign, campaignsDir());
    const campaign = basename(folder);
    // It only reads: opened as a dry run opens it, never created or migrated (no store yet: none).
    const store = await openStore({ dryRun: true });
    try {
      const [responses, partners] = await Promise.all([
        store.listResponses({ campaign, kind: 'feedback' }),
        store.listPartners(campaign),
      ]);
      const byId = new Map(partners.map((p) => [p.partnerId, p]));
      const rows = responses
        .filter((r) => !args.consented || r.consentToQuote === true)
        .map((r) => {
          const p = r.partnerId ? byId.get(r.partnerId) : undefined;
          const d = r.data as { resonates?: string | null; missing?: string | null };
          return {
            at: r.occurredAt,
            partner: r.partnerId ?? '',
            name: [p?.firstName, p?.lastName].filter(Boolean).join(' ') || (r.name ?? ''),
            role: roleOf(p?.data),
            company: p?.company ?? '',
            email: p?.email ?? r.email ?? '',
            rating: r.rating ?? '',
            consentToQuote: r.consentToQuote === true,
            resonates: d.resonates ?? '',
            missing: d.missing ?? '',
            text: r.text ?? '',
          };
        });
      if (args.json) out.json(rows);
      else if (args.csv) {
        // The CSV writer loads for --csv only.
        const { inertCsv } = await import('../../lib/text/csv.ts');
        // The instant in the campaign's zone with its offset, as followups --csv writes it.
        const { campaignClock } = await import('../followup.ts');
        const { isoInZone } = await import('../../lib/time/zone.ts');
        const { timeZone } = await campaignClock(folder);
        const zoned = rows.map((r) => ({ ...r, at: isoInZone(new Date(r.at), timeZone) }));
        out.csv(
          inertCsv(zoned, {
            header: true,
            columns: [
              'at',
              'partner',
              'name',
              'role',
              'company',
              'email',
              'rating',
              'consentToQuote',
              'resonates',
              'missing',
              'text',
            ],
          }),
        );
      } else if (rows.length === 0)
        out.info(`No feedback${args.consented ? ' with consent to quote' : ''} for ${campaign} yet.`);
      else {
        // The day in the campaign's zone and locale (JSON keeps the UTC instant).
        const { campaignClock } = await import('../followup.ts');
        const { formatDate } = await import('../../lib/time/format.ts');
        const clock = await campaignClock(folder);
        out.table(
          [`date (${clock.timeZone})`, 'partner', 'company', 'rating', 'quote ok', 'feedback'],
          rows.map((r) => [
            formatDate(r.at, clock.timeZone, clock.locale),
            r.name || r.partner,
            r.company,
            String(r.rating),
            r.consentToQuote ? 'yes' : 'no',
            r.text.replace(/\s+/g, ' ').slice(0, 70) + (r.text.length > 70 ? '…' : ''),
          ]),
        );
      }
    } finally {
      await store.close();
    }
  },
});

/** The partner's `role` column, from the store's partner data (partners-sync.ts: `data.fields`). */
function roleOf(data: Record<string, unknown> | undefined): string {
  const fields = data?.fields;
  if (typeof fields !== 'object' || fields === null) return '';
  const role = (fields as Record<string, unknown>).role;
  return typeof role === 'string' ? role : '';
}
