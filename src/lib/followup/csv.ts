/** The queue as CSV (aircover followups --csv, the dashboard's export), via csv-stringify. */
import { inertCsv } from '../text/csv.ts';
import type { FollowUp } from './model.ts';

export { neutralizeFormula } from '../text/csv.ts';

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

export function queueCsv(items: FollowUp[]): string {
  // Partner-written text must not run as a spreadsheet formula: inertCsv neutralises every cell.
  return inertCsv(
    items.map((i) => csvColumns.map((c) => (c === 'otherCampaigns' ? i.otherCampaigns.join(' ') : i[c]))),
    { header: true, columns: [...csvColumns] },
  );
}
