/** Inbound messages as rows for the list: table, CSV (every cell inert) and JSON. */
import type { StoredInbound } from '../store/types.ts';
import { inertCsv } from '../text/csv.ts';
import { matchLabel, type PartnerRef } from './match.ts';

export interface InboundRow {
  id: number;
  receivedAt: string;
  /** The effective class: a correction wins. */
  class: string;
  classified: string;
  corrected: boolean;
  /** Who corrected it (the dashboard's name, the CLI's user), empty when nobody did. */
  correctedBy: string;
  from: string;
  subject: string;
  campaign: string;
  partnerId: string;
  partner: string;
  /** The match kind as stored (`thread`, `from`, `referrer`...). */
  match: string;
  /** The match as shown: "referrer of ann, bob" for a referrer's message (match.ts `matchLabel`). */
  matchedAs: string;
  detail: string;
}

/** The one-line gist of the findings: a bounce's recipient and status, a return date, an intent. */
export function gist(m: StoredInbound): string {
  const d = m.detail as Record<string, Record<string, unknown> | undefined>;
  if (d.bounce)
    return `${d.bounce.hard ? 'hard' : 'soft'} ${String(d.bounce.status ?? '')} ${String(d.bounce.recipient ?? '')}`.trim();
  if (d.complaint)
    return `${String(d.complaint.feedbackType ?? '')} ${String(d.complaint.recipient ?? '')}`.trim();
  if (d.autoReply) {
    if (d.autoReply.leftCompany) return 'left the company';
    return d.autoReply.returnDate ? `back ${String(d.autoReply.returnDate).slice(0, 10)}` : 'away';
  }
  if (d.reply)
    return `${String(d.reply.intent)}${d.reply.until ? ` until ${String(d.reply.until).slice(0, 10)}` : ''}`;
  return '';
}

export function inboundRow(m: StoredInbound): InboundRow {
  return {
    id: m.id,
    receivedAt: m.receivedAt,
    class: m.effectiveClass,
    classified: m.class,
    corrected: m.correction !== null,
    correctedBy: m.correctedBy ?? '',
    from: m.fromName ? `${m.fromName} <${m.fromEmail ?? ''}>` : (m.fromEmail ?? ''),
    subject: m.subject ?? '',
    campaign: m.campaign ?? '',
    partnerId: m.partnerId ?? '',
    partner: m.campaign && m.partnerId ? `${m.campaign}/${m.partnerId}` : '',
    match: m.matchKind ?? '',
    matchedAs: matchLabel(m.matchKind, m.detail.referred as PartnerRef[] | undefined),
    detail: gist(m),
  };
}

const columns = [
  'id',
  'receivedAt',
  'class',
  'classified',
  'corrected',
  'from',
  'subject',
  'campaign',
  'partnerId',
  'match',
  'matchedAs',
  'detail',
] as const;

export function inboundCsv(messages: StoredInbound[]): string {
  return inertCsv(
    messages.map((m) => {
      const r = inboundRow(m);
      return columns.map((c) => r[c]);
    }),
    { header: true, columns: [...columns] },
  );
}
