/**
 * The box above a partner's timeline: what they read, did, were sent and said, and what to do
 * next and why. Every figure comes from the one partner state (state/) and its facts; the only
 * count read here is human email clicks (the store's own verdicts: scanner clicks are labelled
 * bot or suspect and left out).
 */
import type { Store, StoredResponse } from '../store/types.ts';
import { formatDate } from '../time/format.ts';
import type { FollowUp, FollowupCampaign } from './model.ts';
import { loadCampaignStates, outcomesOf, type PartnerState } from './state/index.ts';

export interface PartnerSummary {
  status: string;
  hot: boolean;
  owner: string | null;
  paper: { percent: number; minutes: number; sections: number; summary: string };
  /** Personal-page sections seen (not reading). */
  sectionsSeen: number;
  visits: number;
  downloads: number;
  forms: { kind: string; at: string; detail: string }[];
  emails: { sent: number; lastSentAt: string | null; deliveredAt: string | null; humanClicks: number };
  webinar: { title: string; registered: boolean; attended: boolean; noShow: boolean } | null;
  replies: { kind: string; at: string; by: string | null }[];
  next: { action: string; due: string | null; reason: string; suggestion: string } | null;
}

const formKinds = new Set(['feedback', 'call-request', 'registration', 'not-now', 'decline']);

function formDetail(r: StoredResponse, campaign: Pick<FollowupCampaign, 'timeZone' | 'locale'>): string {
  if (r.kind === 'feedback')
    return `${r.rating ? `${r.rating}/5, ` : ''}${r.consentToQuote ? 'may quote' : 'not for quoting'}`;
  if (r.kind === 'not-now' && r.until)
    return `until ${formatDate(r.until, campaign.timeZone, campaign.locale)}`;
  if (r.kind === 'registration') return r.webinar ?? '';
  return '';
}

export function summarize(
  state: PartnerState,
  facts: {
    sent: { at: string }[];
    deliveredAt: string | null;
    repliedAt: string | null;
    responses: StoredResponse[];
  },
  campaign: FollowupCampaign,
  row: FollowUp | undefined,
  humanClicks: number,
): PartnerSummary {
  const r = state.reading;
  const { replies } = outcomesOf(state, facts);
  return {
    status: state.statusLabel,
    hot: state.hot,
    owner: state.owner,
    paper: {
      percent: Math.round(r.paperProgress * 100),
      minutes: Math.round(r.paperSeconds / 6) / 10,
      sections: r.paperSections,
      summary: r.summary,
    },
    sectionsSeen: r.sectionsSeen,
    visits: r.visits,
    downloads: r.downloads,
    forms: facts.responses
      .filter((x) => formKinds.has(x.kind) && x.source !== 'dashboard')
      .map((x) => ({ kind: x.kind, at: x.occurredAt, detail: formDetail(x, campaign) })),
    emails: {
      sent: facts.sent.length,
      lastSentAt: facts.sent.at(-1)?.at ?? null,
      deliveredAt: facts.deliveredAt,
      humanClicks,
    },
    webinar: campaign.webinar
      ? {
          title: campaign.webinar.title,
          registered: state.registered,
          attended: Boolean(state.flags.attended),
          noShow: Boolean(state.flags.noShow),
        }
      : null,
    replies,
    next: row
      ? { action: row.actionLabel, due: row.due, reason: row.reason, suggestion: row.suggestion }
      : null,
  };
}

/** One partner's summary in one campaign; `row` is their queue row (next action, linked). */
export async function partnerSummary(
  store: Store,
  campaign: FollowupCampaign,
  partnerId: string,
  row: FollowUp | undefined,
  now: Date = new Date(),
): Promise<PartnerSummary | null> {
  const [loaded, humanClicks] = await Promise.all([
    loadCampaignStates(store, campaign, { now }),
    store.countEvents({ campaign: campaign.id, partnerId, types: ['email.clicked'] }),
  ]);
  const state = loaded.states.get(partnerId);
  const facts = loaded.facts.get(partnerId);
  if (!state || !facts) return null;
  return summarize(state, facts, campaign, row, humanClicks);
}
