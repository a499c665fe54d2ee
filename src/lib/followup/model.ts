/**
 * The follow-up domain's own view of a campaign and its results. Plain data, so the rules are
 * pure functions that tests feed crafted timelines, and the bench feeds 10,000 partners without
 * loading a campaign folder. `fromCampaign` (campaign.ts) builds it from the campaign model.
 */
import type { Audience, ScoringDef, TouchKind } from '../campaign/schema.ts';
import type { StoredResponse, SuppressionReason } from '../store/types.ts';
import type { Evidence, Outcomes, Reading } from './state/types.ts';

export interface FollowupPartner {
  id: string;
  email: string;
  company: string;
  firstName: string;
  lastName?: string | undefined;
  owner?: string | undefined;
  /** partners.csv `tags`, for the dashboard's filter and the exports. */
  tags?: string[] | undefined;
  gatekeepers: { name: string; role?: string | undefined; email?: string | undefined }[];
  referrer?: { name: string; email: string; relationship?: string | undefined } | undefined;
}

export interface FollowupTouch {
  id: string;
  kind: TouchKind;
  audience: Audience;
  /** When it goes out. */
  at: Date;
  /** The template file: two touches with the same template are the same message. */
  template: string;
  subject?: string | undefined;
}

export interface FollowupCampaign {
  id: string;
  name: string;
  timeZone: string;
  /** campaign.yaml `locale`: how the team's views write its days and times. */
  locale: string;
  /** The campaign's webinar, if any: id (content slug), start and end. */
  webinar?:
    | {
        id: string;
        title: string;
        start: Date;
        end: Date;
        /** Its schedule state (src/lib/webinar/schedule.ts); `cancelled`: no reminders, no no-shows. */
        status?: 'confirmed' | 'cancelled' | undefined;
      }
    | undefined;
  /** Sorted by time. */
  touches: FollowupTouch[];
  partners: FollowupPartner[];
  scoring?: ScoringDef | undefined;
  /** campaign.yaml `sameCompany`: what a colleague's reply does to the company's partners (default pause). */
  sameCompany?: 'stop' | 'pause' | 'continue' | undefined;
  /** What the campaign offers, for suggested messages: the paper's title, the posts' titles. */
  paperTitle?: string | undefined;
  posts?: string[] | undefined;
  /** The campaign's sender, the default From of team notes. */
  sender?: { name: string; email: string } | undefined;
}

/** What the human evidence of one partner adds up to (see signals.ts). */
export interface HumanSignals {
  visits: number;
  visibleSeconds: number;
  /** read_progress events (sections that stayed on screen long enough to read). */
  sections: number;
  /** Reading progress through the paper, 0..1. */
  maxProgress: number;
  clicks: number;
  downloads: number;
  firstAt: string | null;
  lastAt: string | null;
  /** Latest time per signal kind, for the score's decay. */
  lastBy: Partial<Record<'visit' | 'reading' | 'progress' | 'click' | 'download', string>>;
}

/** Everything known about one partner in one campaign, gathered from the store. */
export interface PartnerFacts {
  campaign: string;
  partnerId: string;
  /** Touches sent to them (ledger rows in state `sent`), by time. */
  sent: { touch: string; at: string }[];
  deliveredAt: string | null;
  openedAt: string | null;
  bouncedAt: string | null;
  /** A human reply by email (`email.received`). */
  repliedAt: string | null;
  suppression: { reason: SuppressionReason; at: string } | null;
  human: HumanSignals;
  /** Events with a bot or suspect verdict: shown, never counted. */
  nonHumanEvents: number;
  /** Their responses in this campaign, oldest first (registrations also matched by email). */
  responses: StoredResponse[];
  /** Personal-page sections seen (`section_seen`, human): shown, never reading. */
  sectionsSeen: number;
  /**
   * The latest "no longer with the company" notice the inbox read (`inbox.left-company` event),
   * with the replacement it names, if any.
   */
  leftCompany?: {
    id: number;
    at: string;
    replacement: { email: string | null; name: string | null } | null;
  } | null;
  /** Bounce and delivery-delay reports, oldest first, by kind (Resend's bounce type). */
  bounces: {
    id: number;
    at: string;
    type: string;
    kind: 'permanent' | 'transient' | 'undetermined';
  }[];
}

export const statuses = [
  'not-sent',
  'no-response',
  'opened-only',
  'visited',
  'delivery-delayed',
  'engaged-warm',
  'engaged-hot',
  'registered',
  'attended',
  'no-show',
  'call-requested',
  'feedback-given',
  'in-conversation',
  'replied',
  'referred',
  'not-now',
  'left-company',
  'declined',
  'unsubscribed',
  'complained',
  'bounced',
] as const;
export type Status = (typeof statuses)[number];

export const statusLabels: Record<Status, string> = {
  'not-sent': 'not sent',
  'no-response': 'delivered, no response',
  'opened-only': 'opened only',
  visited: 'visited their page (not the paper)',
  'delivery-delayed': 'delivery delayed',
  'engaged-warm': 'engaged (warm)',
  'engaged-hot': 'engaged (hot)',
  registered: 'registered',
  attended: 'attended',
  'no-show': 'no-show',
  'call-requested': 'asked for a call',
  'feedback-given': 'feedback given',
  'in-conversation': 'in conversation',
  replied: 'replied',
  referred: 'referred us to someone else',
  'left-company': 'left the company',
  'not-now': 'not now',
  declined: 'declined',
  unsubscribed: 'unsubscribed',
  complained: 'complained (marked as spam)',
  bounced: 'bounced',
};

export const actions = [
  'reply',
  'contact-referral',
  'new-contact',
  'personal-follow-up',
  'schedule-call',
  'find-address',
  'thank-next-step',
  'send-recording',
  'remind',
  'referrer-note',
  'ask-gatekeeper',
  'next-touch',
  'send-first',
  'continue-conversation',
  'wait',
  'thank-and-stop',
  'hold',
  'stop',
] as const;
export type Action = (typeof actions)[number];

export const actionLabels: Record<Action, string> = {
  reply: 'reply to them',
  'contact-referral': 'contact the referral',
  'new-contact': 'find a new contact',
  'personal-follow-up': 'personal follow-up',
  'schedule-call': 'schedule the call',
  'find-address': 'find a new address',
  'thank-next-step': 'thank + one next step',
  'send-recording': 'send the recording',
  remind: 'reminders',
  'referrer-note': 'note to the referrer',
  'ask-gatekeeper': 'ask the gatekeeper',
  'next-touch': 'next touch',
  'send-first': 'first touch',
  'continue-conversation': 'continue the conversation',
  wait: 'wait (not now)',
  'thank-and-stop': 'thank and stop',
  hold: 'hold (other campaign)',
  stop: 'stop',
};

/** One row of the follow-up queue: a partner of a campaign and what to do next. */
export interface FollowUp {
  campaign: string;
  campaignName: string;
  partnerId: string;
  email: string;
  company: string;
  name: string;
  owner: string | null;
  status: Status;
  statusLabel: string;
  /** For `not-now`: when they asked to hear from us again. */
  until: string | null;
  /** True after real reading time, feedback or a call request (surfaced at once). */
  hot: boolean;
  /** When they turned hot, if they did. */
  hotAt: string | null;
  score: number;
  lastHumanActivity: string | null;
  action: Action;
  actionLabel: string;
  /** ISO time the action is due by; null for stop/hold. */
  due: string | null;
  reason: string;
  suggestion: string;
  /** Who the action writes to (the partner, the referrer, a gatekeeper), if anyone. */
  contact: string | null;
  /** Smaller first: hot actions 0 .. stop 9. */
  priority: number;
  /** The other campaigns this person is a partner in (one timeline, one conversation). */
  otherCampaigns: string[];
  /** Membership of every audience (from the state module: the sender reads the same). */
  audiences: Record<Audience, boolean>;
  /** What the sender's rules decide for each touch of the campaign (ledger aside). */
  touches: { touch: string; send: boolean; reason: string | null }[];
  /** The evidence behind the status (response and event ids). */
  evidence: Evidence[];
  /** Paper reading (progress, time) apart from personal-page sections seen. */
  reading: Reading;
  /** Feedback, registration, attendance and replies (state/outcomes.ts), for the hand-off. */
  outcomes: Outcomes;
  /** partners.csv `tags`. */
  tags: string[];
  /** Reading or a form that would make them hot, held back because they said no or cannot be reached. */
  hotWithheld: { status: Status; at: string | null } | null;
}

/** The off-line outcomes `aircover mark` and the dashboard record (here, with no imports, so the
 * CLI can list them in `--help` without loading what recording them needs). */
export const markOutcomes = ['replied', 'met', 'called', 'not-interested'] as const;
