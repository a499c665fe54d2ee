/**
 * The dashboard's inbox (/admin/inbox): every stored inbound message, filtered on the server as
 * `aircover inbox` filters (campaign, class, unmatched), newest first, a page at a time with what
 * is left said out loud; and the correct form's fields turned into a call of the pipeline's one
 * `correct` (the same as `aircover inbox correct`).
 *
 * Everything shown here came from a mail server or a partner: `shown` drops control characters,
 * escapes and bidi overrides before Astro's HTML escaping, so a subject can neither act on the page
 * nor reorder what is read.
 */
import type { FollowupCampaign } from '../followup/model.ts';
import {
  type InboundClass,
  type InboundFilter,
  inboundClasses,
  type Store,
  type StoredInbound,
} from '../store/types.ts';
import { terminalSafe } from '../text/terminal.ts';
import { matchLabel, type PartnerRef, unmatchedLabel } from './match.ts';
import { correct } from './pipeline.ts';
import { gist } from './report.ts';

export const INBOX_PAGE_SIZE = 50;
const TEXT_MAX = 300;

/** Hostile text as inert, one line, bounded. */
export function shown(value: string | null | undefined, max = TEXT_MAX): string {
  const line = terminalSafe(value ?? '')
    .replace(/[\s\u2028\u2029]+/g, ' ')
    .trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

export interface InboxQuery {
  filter: InboundFilter;
  page: number;
  /** A filter value that is not one (an unknown class): said on the page, never silently dropped. */
  error: string | null;
}

/** The page's query string as the CLI's filters. */
export function inboxQuery(params: URLSearchParams): InboxQuery {
  const filter: InboundFilter = {};
  let error: string | null = null;
  const campaign = params.get('campaign')?.trim();
  if (campaign) filter.campaign = campaign;
  const klass = params.get('class')?.trim();
  if (klass) {
    if (inboundClasses.includes(klass as InboundClass)) filter.class = klass as InboundClass;
    else error = `class must be one of ${inboundClasses.join(', ')}`;
  }
  if (params.get('unmatched') === '1') filter.unmatched = true;
  const page = Number(params.get('page') ?? '1');
  return { filter, page: Number.isInteger(page) && page > 0 ? page : 1, error };
}

export interface InboxRow {
  id: number;
  receivedAt: string;
  campaign: string;
  from: string;
  subject: string;
  /** The effective class: a correction wins. */
  class: InboundClass;
  classified: InboundClass;
  correction: InboundClass | null;
  correctedBy: string | null;
  correctedAt: string | null;
  gist: string;
  matchKind: string;
  /** The match as shown ("referrer of ann, bob"): match.ts `matchLabel`, as the CLI shows it. */
  matchedAs: string;
  /** The partner's dashboard page and label, or null when tied to no partner. */
  partner: { href: string; label: string } | null;
  /** "team" for a reply to the team's own mail, "unmatched" otherwise, when no partner. */
  unmatchedAs: 'team' | 'unmatched' | null;
}

function row(m: StoredInbound, campaigns: FollowupCampaign[]): InboxRow {
  const known =
    m.campaign && m.partnerId
      ? campaigns.find((c) => c.id === m.campaign)?.partners.find((p) => p.id === m.partnerId)
      : undefined;
  const from = m.fromName ? `${m.fromName} <${m.fromEmail ?? ''}>` : (m.fromEmail ?? '');
  return {
    id: m.id,
    receivedAt: m.receivedAt,
    campaign: shown(m.campaign),
    from: shown(from),
    subject: shown(m.subject),
    class: m.effectiveClass,
    classified: m.class,
    correction: m.correction,
    correctedBy: m.correctedBy ? shown(m.correctedBy) : null,
    correctedAt: m.correctedAt,
    gist: shown(gist(m)),
    matchKind: shown(m.matchKind),
    matchedAs: shown(matchLabel(m.matchKind, m.detail.referred as PartnerRef[] | undefined)),
    partner:
      m.campaign && m.partnerId
        ? {
            href: `/admin/partners/${encodeURIComponent(m.campaign)}/${encodeURIComponent(m.partnerId)}`,
            label: shown(
              known
                ? `${known.company} (${known.firstName} ${known.lastName ?? ''})`
                : `${m.campaign}/${m.partnerId}`,
            ),
          }
        : null,
    unmatchedAs: m.campaign && m.partnerId ? null : unmatchedLabel(m.matchKind),
  };
}

export interface InboxPage {
  rows: InboxRow[];
  /** Messages matching the filters, all pages. */
  total: number;
  page: number;
  pages: number;
  /** Messages after this page (the "N more" the page shows). */
  more: number;
}

export async function inboxPage(
  store: Store,
  campaigns: FollowupCampaign[],
  query: InboxQuery,
): Promise<InboxPage> {
  const all = query.error ? [] : await store.listInbound(query.filter);
  // The store lists oldest first (the CLI's order); the page reads newest first.
  const newest = [...all].sort((a, b) => b.receivedAt.localeCompare(a.receivedAt) || b.id - a.id);
  const pages = Math.max(1, Math.ceil(newest.length / INBOX_PAGE_SIZE));
  const page = Math.min(query.page, pages);
  const start = (page - 1) * INBOX_PAGE_SIZE;
  const slice = newest.slice(start, start + INBOX_PAGE_SIZE);
  return {
    rows: slice.map((m) => row(m, campaigns)),
    total: newest.length,
    page,
    pages,
    more: Math.max(0, newest.length - start - slice.length),
  };
}

export class CorrectionError extends Error {}

/**
 * The correct form: a message id and a class, through the pipeline's `correct` (the CLI's path),
 * recorded as `by`. Assigning an unmatched message to a partner is not offered: `aircover inbox
 * correct` corrects the class only, and the dashboard does what the CLI does.
 */
export async function correctFromForm(
  store: Store,
  campaigns: FollowupCampaign[],
  fields: Record<string, string | undefined>,
  by: string,
): Promise<StoredInbound> {
  const id = Number(fields.id);
  if (!Number.isInteger(id) || id <= 0) throw new CorrectionError('no such message');
  const klass = fields.class as InboundClass;
  if (!inboundClasses.includes(klass))
    throw new CorrectionError(`pick a class (${inboundClasses.join(', ')})`);
  const result = await correct(store, campaigns, id, klass, by);
  if (!result) throw new CorrectionError(`no inbound message ${id}`);
  return result.message;
}
