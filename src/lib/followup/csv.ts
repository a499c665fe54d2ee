/**
 * The queue as CSV: the hand-off to the rest of the stack. `aircover followups --csv` and the
 * dashboard's `/admin/export.csv` both write exactly these columns, in this order; every value is
 * read from the queue row, which takes it from the one partner state (state/: reading, outcomes,
 * owner) and the store. Cells go through inertCsv (no formula runs in a spreadsheet); instants
 * are ISO 8601 with the offset of the campaign's zone (`2027-01-12T09:30:00+01:00`), so a
 * spreadsheet shows the team's clock and a script still reads an exact instant.
 */

import { inertCsv } from '../text/csv.ts';
import { isoInZone } from '../time/zone.ts';
import type { FollowUp } from './model.ts';

export { neutralizeFormula } from '../text/csv.ts';

export const csvColumns = [
  'campaign',
  'partnerId',
  'company',
  'name',
  'email',
  'owner',
  'tags',
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
  // What they said and did (state/outcomes.ts).
  'feedback',
  'feedbackRating',
  'feedbackAt',
  'consentToQuote',
  'registered',
  'registeredAt',
  'attendance',
  'replies',
  'lastReplyAt',
] as const;
export type CsvColumn = (typeof csvColumns)[number];

/** The columns holding an instant (written in the campaign's zone with its offset). */
const instants = new Set<CsvColumn>([
  'until',
  'lastHumanActivity',
  'due',
  'lastHumanVisit',
  'feedbackAt',
  'registeredAt',
  'lastReplyAt',
]);

function value(i: FollowUp, c: CsvColumn): unknown {
  const o = i.outcomes;
  switch (c) {
    case 'tags':
      return i.tags.join(' ');
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
    case 'feedback':
      return o.feedback?.text ?? null;
    case 'feedbackRating':
      return o.feedback?.rating ?? null;
    case 'feedbackAt':
      return o.feedback?.at ?? null;
    case 'consentToQuote':
      // Empty without feedback: there is nothing to consent about.
      return o.feedback ? o.feedback.consentToQuote : null;
    case 'registered':
      return o.registration !== null;
    case 'registeredAt':
      return o.registration?.at ?? null;
    case 'attendance':
      return o.attendance;
    case 'replies':
      return o.replies.length;
    case 'lastReplyAt':
      return o.replies.at(-1)?.at ?? null;
    default:
      return i[c];
  }
}

function cell(i: FollowUp, c: CsvColumn, zone: string): unknown {
  const v = value(i, c);
  if (instants.has(c) && typeof v === 'string' && v) {
    const at = new Date(v);
    return Number.isNaN(at.getTime()) ? v : isoInZone(at, zone);
  }
  return v;
}

/**
 * The CSV of queue rows. `zoneOf` gives each row's campaign zone (campaign.yaml `timeZone`);
 * without one, instants are written in UTC (`+00:00`).
 */
export function queueCsv(
  items: FollowUp[],
  zoneOf: (campaign: string) => string | undefined = () => 'UTC',
): string {
  // Partner-written text must not run as a spreadsheet formula: inertCsv neutralises every cell.
  return inertCsv(
    items.map((i) => {
      const zone = zoneOf(i.campaign) ?? 'UTC';
      return csvColumns.map((c) => cell(i, c, zone));
    }),
    { header: true, columns: [...csvColumns] },
  );
}

/** `zoneOf` for a list of campaigns. */
export function campaignZones(
  campaigns: { id: string; timeZone: string }[],
): (campaign: string) => string | undefined {
  const zones = new Map(campaigns.map((c) => [c.id, c.timeZone]));
  return (campaign) => zones.get(campaign);
}
