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
  // Reading, from the partner state: the paper's own progress and time, apart from page sections.
  'paperProgress',
  'readingMinutes',
  'paperSections',
  'sectionsSeen',
  'lastHumanVisit',
] as const;

function cell(i: FollowUp, c: (typeof csvColumns)[number]): unknown {
  switch (c) {
    case 'otherCampaigns':
      return i.otherCampaigns.join(' ');
    case 'paperProgress':
      return `${Math.round(i.reading.paperProgress * 100)}%`;
    case 'readingMinutes':
      return Math.round(i.reading.paperSeconds / 6) / 10;
    case 'paperSections':
      return i.reading.paperSections;
    case 'sectionsSeen':
      return i.reading.sectionsSeen;
    case 'lastHumanVisit':
      return i.reading.lastAt;
    default:
      return i[c];
  }
}

export function queueCsv(items: FollowUp[]): string {
  // Partner-written text must not run as a spreadsheet formula: inertCsv neutralises every cell.
  return inertCsv(
    items.map((i) => csvColumns.map((c) => cell(i, c))),
    { header: true, columns: [...csvColumns] },
  );
}
