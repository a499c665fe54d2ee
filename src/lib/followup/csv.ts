/** The queue as CSV (aircover followups --csv, the dashboard's export), via csv-stringify. */
import { stringify } from 'csv-stringify/sync';
import type { FollowUp } from './model.ts';

export const csvColumns = [
  'campaign',
  'partnerId',
  'company',
  'name',
  'email',
  'owner',
  'status',
  'until',
  'hot',
  'score',
  'lastHumanActivity',
  'action',
  'due',
  'reason',
  'suggestion',
  'contact',
  'otherCampaigns',
] as const;

/** Partner-written text must not run as a spreadsheet formula (=, +, -, @ at the start). */
export function neutralizeFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export function queueCsv(items: FollowUp[]): string {
  return stringify(
    items.map((i) => csvColumns.map((c) => (c === 'otherCampaigns' ? i.otherCampaigns.join(' ') : i[c]))),
    {
      header: true,
      columns: [...csvColumns],
      cast: { boolean: (v) => (v ? 'yes' : 'no'), string: neutralizeFormula },
    },
  );
}
