/**
 * The table of next actions, keyed by status: what the team does for a partner in each state,
 * when, to whom, and why (the words live in copy.ts). Rules from the seeds (DESIGN.md):
 *
 * - Hot (paper reading, feedback, a call request) → a personal follow-up by the named owner within
 *   one business day, surfaced at once (speed wins). Never for a partner who said no.
 * - Call requested → schedule it (ten minutes). Registered → reminders. Attended → thanks and one
 *   next step. No-show → the recording.
 * - Silent after a touch → the next touch that adds something new; after the last planned touch →
 *   a note to the referrer (let the referral source know), else a known gatekeeper, else stop.
 * - Replied by email (the inbox read it) → reply to them, first in the queue (speed wins);
 *   "talk to <someone>" → contact that person; "no longer with the company" → find a new contact
 *   (the replacement when the notice names one). An owner's mark afterwards ends the "replied".
 * - Not now → resurfaces on its date. Declined → thank and stop. Bounced → find a new address;
 *   delivery delayed → wait (the provider retries). Manual outcomes stop the sequences.
 */
import { touchDecision } from '../campaign/audience.ts';
import { type Copy, copyFor, touchOffer, type Voice, voiceOf } from './copy.ts';
import { addBusinessDays } from './dates.ts';
import type {
  Action,
  FollowupCampaign,
  FollowupPartner,
  FollowupTouch,
  PartnerFacts,
  Status,
} from './model.ts';
import type { AudienceFlags } from './state/audiences.ts';
import type { PartnerState } from './state/derive.ts';
import { personLabel, SOFT_BOUNCE_LIMIT } from './state/status.ts';

export interface Plan {
  action: Action;
  due: Date | null;
  reason: string;
  suggestion: string;
  contact: string | null;
}

export const priorities: Record<Action, number> = {
  reply: 0,
  'contact-referral': 1,
  'new-contact': 1,
  'personal-follow-up': 0,
  'schedule-call': 0,
  'find-address': 1,
  'thank-next-step': 2,
  'send-recording': 2,
  remind: 3,
  'referrer-note': 3,
  'ask-gatekeeper': 3,
  'next-touch': 4,
  'send-first': 5,
  'continue-conversation': 6,
  wait: 7,
  'thank-and-stop': 2,
  hold: 8,
  stop: 9,
};

/**
 * The next planned touch that adds something new for this partner: after the last one sent, not
 * a message they already had (same template), and one the sender would send them.
 */
export function nextTouch(
  facts: PartnerFacts,
  campaign: FollowupCampaign,
  partner: FollowupPartner,
  flags: AudienceFlags,
  now: Date,
): FollowupTouch | undefined {
  const sentIds = new Set(facts.sent.map((s) => s.touch));
  const sentTemplates = new Set(campaign.touches.filter((t) => sentIds.has(t.id)).map((t) => t.template));
  // Touches are in schedule order; a touch sent late still marks where the partner is.
  let lastIndex = -1;
  campaign.touches.forEach((t, i) => {
    if (sentIds.has(t.id)) lastIndex = i;
  });
  return campaign.touches.find((t, i) => {
    if (i <= lastIndex || sentIds.has(t.id) || sentTemplates.has(t.template)) return false;
    return touchDecision(t, partner, flags, now).send;
  });
}

/** What one action-table entry gets. */
export interface ActionInput {
  partner: FollowupPartner;
  facts: PartnerFacts;
  campaign: FollowupCampaign;
  state: PartnerState;
  now: Date;
  v: Voice;
  /** The words, with the campaign's days. */
  copy: Copy;
  /** One business day (or n) after a time, in the campaign's zone. */
  bd: (from: string | Date, n?: number) => Date;
  /** The plan for a silent partner (next touch, referrer, gatekeeper, stop). */
  silent: (prefix: string) => Plan;
  /** A personal follow-up by the owner. */
  personal: (reason: string, at: string) => Plan;
  resurfaced: string;
}

const iso = (i: ActionInput) => i.now.toISOString();

/** The table: one entry per status. */
export const actionTable: Record<Status, (i: ActionInput) => Plan> = {
  unsubscribed: (i) => ({
    action: 'stop',
    due: null,
    reason: i.copy.unsubscribedReason(
      i.facts.suppression?.reason ?? 'suppressed',
      i.facts.suppression?.at ?? iso(i),
    ),
    suggestion: i.copy.neverAgain,
    contact: null,
  }),
  complained: (i) => ({
    action: 'stop',
    due: null,
    reason: i.copy.complainedReason(i.facts.suppression?.at ?? iso(i)),
    suggestion: i.copy.neverAgain,
    contact: null,
  }),
  bounced: (i) => {
    const soft = i.state.signals.softBounces.filter((b) => b.type === 'email.bounced');
    const hard = i.facts.suppression?.reason === 'hard-bounce' || i.state.signals.hardBounce;
    const at = i.state.evidence.at(-1)?.at ?? iso(i);
    const gatekeeper = i.partner.gatekeepers[0];
    const via = gatekeeper ?? i.partner.referrer;
    return {
      action: 'find-address',
      due: i.bd(at),
      reason: i.copy.bouncedReason(i.partner.email, at, hard ? 0 : soft.length),
      suggestion: i.copy.findAddress(i.v, via),
      contact: gatekeeper?.email ?? i.partner.referrer?.email ?? null,
    };
  },
  'delivery-delayed': (i) => {
    const soft = i.state.signals.softBounces;
    return {
      action: 'wait',
      due: null,
      reason: i.copy.delayedReason(soft.length, soft.at(-1)?.at ?? iso(i), SOFT_BOUNCE_LIMIT),
      suggestion: i.copy.delayed,
      contact: null,
    };
  },
  declined: (i) => {
    const r = i.state.signals.decline;
    const at = r?.occurredAt ?? iso(i);
    return r?.kind === 'not-interested'
      ? {
          action: 'stop',
          due: null,
          reason: i.copy.notInterestedReason(at, r.text),
          suggestion: i.copy.notInterested,
          contact: null,
        }
      : {
          action: 'thank-and-stop',
          due: i.bd(at),
          reason: i.copy.declinedReason(at, r?.text ?? null),
          suggestion: i.copy.declined(i.v),
          contact: i.partner.email,
        };
  },
  'not-now': (i) => {
    const until = i.state.until ?? iso(i);
    return {
      action: 'wait',
      due: i.state.until ? new Date(i.state.until) : null,
      reason: i.copy.notNowReason(until),
      suggestion: i.copy.notNow(until),
      contact: i.partner.email,
    };
  },
  replied: (i) => {
    const r = i.state.signals.inboxReply;
    const at = r?.occurredAt ?? iso(i);
    return {
      action: 'reply',
      due: i.bd(at),
      reason: i.copy.repliedReason(at, r?.text ?? null),
      suggestion: i.copy.reply(i.v),
      contact: i.partner.email,
    };
  },
  referred: (i) => {
    const r = i.state.signals.inboxReply;
    const at = r?.occurredAt ?? iso(i);
    const referral = i.state.signals.referral;
    const label = referral ? personLabel(referral) : 'someone else';
    return {
      action: 'contact-referral',
      due: i.bd(at),
      reason: i.copy.referredReason(at, label),
      suggestion: i.copy.referral(i.v, label, Boolean(referral?.email)),
      contact: referral?.email ?? null,
    };
  },
  'left-company': (i) => {
    const left = i.state.signals.leftCompany;
    const at = left?.at ?? iso(i);
    const replacement = left?.replacement ?? null;
    const via = i.partner.gatekeepers[0] ?? i.partner.referrer;
    return {
      action: 'new-contact',
      due: i.bd(at),
      reason: i.copy.leftReason(at, replacement ? personLabel(replacement) : null),
      suggestion: i.copy.left(i.v, replacement ? personLabel(replacement) : null, via),
      contact: replacement?.email ?? i.partner.gatekeepers[0]?.email ?? i.partner.referrer?.email ?? null,
    };
  },
  'in-conversation': (i) => {
    const r = i.state.signals.manual;
    return {
      action: 'continue-conversation',
      due: null,
      reason: i.copy.conversationReason(
        r ? `marked ${r.kind}` : 'replied by email',
        r?.occurredAt ?? i.facts.repliedAt ?? iso(i),
        r?.text ?? null,
      ),
      suggestion: i.copy.conversation(i.v),
      contact: i.partner.email,
    };
  },
  attended: (i) => ({
    action: 'thank-next-step',
    due: i.bd(i.campaign.webinar?.end ?? i.now),
    reason: i.copy.attendedReason(i.v),
    suggestion: i.copy.attended(i.v),
    contact: i.partner.email,
  }),
  'no-show': (i) => {
    const recording = i.campaign.touches.find((t) => t.kind === 'recording');
    const sentRecording = recording && i.facts.sent.some((s) => s.touch === recording.id);
    if (sentRecording) return i.silent('no-show, recording sent, silent since');
    return {
      action: 'send-recording',
      due: recording ? recording.at : i.bd(i.campaign.webinar?.end ?? i.now),
      reason: i.copy.noShowReason(i.v),
      suggestion: i.copy.noShow(i.v),
      contact: i.partner.email,
    };
  },
  'call-requested': (i) => {
    const r = i.state.signals.call;
    return {
      action: 'schedule-call',
      due: i.bd(r?.occurredAt ?? i.now),
      reason: i.copy.callReason(r?.occurredAt ?? iso(i)),
      suggestion: i.copy.call(i.v, r?.preferredTimes ?? []),
      contact: i.partner.email,
    };
  },
  'feedback-given': (i) => {
    const r = i.state.signals.feedback;
    const at = r?.occurredAt ?? iso(i);
    return {
      ...i.personal(i.copy.feedbackReason(at), at),
      suggestion: i.copy.feedback(i.v, r?.text ?? null, Boolean(r?.consentToQuote)),
    };
  },
  registered: (i) => {
    if (i.state.hot)
      return i.personal(i.copy.registeredHotReason(i.state.hotAt ?? iso(i)), i.state.hotAt ?? iso(i));
    const webinar = i.campaign.webinar;
    if (webinar?.status === 'cancelled') {
      return {
        action: 'wait',
        due: null,
        reason: i.copy.cancelledReason(i.v),
        suggestion: i.copy.cancelled(i.v),
        contact: null,
      };
    }
    if (webinar && webinar.end.getTime() <= i.now.getTime()) {
      return {
        action: 'wait',
        due: null,
        reason: i.copy.awaitingImportReason,
        suggestion: i.copy.awaitingImport,
        contact: null,
      };
    }
    const reminder = i.campaign.touches.find(
      (t) => t.kind === 'reminder' && !i.facts.sent.some((s) => s.touch === t.id),
    );
    return {
      action: 'remind',
      due: reminder ? reminder.at : webinar ? new Date(webinar.start.getTime() - 86_400_000) : null,
      reason: i.copy.registeredReason(i.v),
      suggestion: i.copy.remind(i.v, reminder),
      contact: i.partner.email,
    };
  },
  'engaged-hot': (i) =>
    i.personal(i.copy.hotReason(i.resurfaced, i.state.reading.summary), i.state.hotAt ?? iso(i)),
  'engaged-warm': (i) => i.silent(i.copy.warmReason(i.resurfaced, i.state.reading.summary)),
  visited: (i) => i.silent(i.copy.visitedReason(i.resurfaced, i.state.reading.summary)),
  'opened-only': (i) => {
    const last = i.facts.sent.at(-1);
    return i.silent(i.copy.silentReason(i.resurfaced, true, last?.touch ?? '?', last?.at ?? iso(i)));
  },
  'no-response': (i) => {
    const last = i.facts.sent.at(-1);
    return i.silent(i.copy.silentReason(i.resurfaced, false, last?.touch ?? '?', last?.at ?? iso(i)));
  },
  'not-sent': (i) => {
    const first = nextTouch(i.facts, i.campaign, i.partner, i.state.flags, i.now) ?? i.campaign.touches[0];
    return {
      action: 'send-first',
      due: first?.at ?? null,
      reason: i.copy.firstReason,
      suggestion: i.copy.first(first),
      contact: i.partner.email,
    };
  },
};

/** The plan for one partner: their status's entry in the table. */
export function planFor(
  partner: FollowupPartner,
  facts: PartnerFacts,
  campaign: FollowupCampaign,
  state: PartnerState,
  now: Date,
): Plan {
  // The owner after a dashboard hand-off (state.owner), not only the partners.csv one.
  const v = voiceOf({ ...partner, owner: state.owner ?? undefined }, campaign);
  const copy = copyFor(campaign);
  const bd = (from: string | Date, n = 1) => addBusinessDays(new Date(from), n, campaign.timeZone);
  const gatekeeper = partner.gatekeepers[0];
  const lastSent = facts.sent.at(-1);
  const silent = (prefix: string): Plan => {
    const next = nextTouch(facts, campaign, partner, state.flags, now);
    if (next && next.kind !== 'referrer-nudge') {
      const offer = touchOffer(next, campaign);
      return {
        action: 'next-touch',
        due: next.at,
        reason: copy.nextTouchReason(prefix, next.id, offer),
        suggestion: copy.nextTouch(v, next.id, next.at, offer),
        contact: partner.email,
      };
    }
    const referrerNudged = campaign.touches.some(
      (t) => t.kind === 'referrer-nudge' && facts.sent.some((s) => s.touch === t.id),
    );
    if (partner.referrer && !referrerNudged) {
      return {
        action: 'referrer-note',
        due: next ? next.at : bd(lastSent?.at ?? now, 2),
        reason: copy.referrerReason(prefix, partner.referrer.name),
        suggestion: copy.referrer(v, partner.referrer.name),
        contact: partner.referrer.email,
      };
    }
    if (gatekeeper) {
      return {
        action: 'ask-gatekeeper',
        due: bd(lastSent?.at ?? now, 2),
        reason: copy.gatekeeperReason(prefix),
        suggestion: copy.gatekeeper(v, gatekeeper),
        contact: gatekeeper.email ?? null,
      };
    }
    return {
      action: 'stop',
      due: null,
      reason: copy.stopReason(prefix),
      suggestion: copy.stop,
      contact: null,
    };
  };
  const personal = (reason: string, at: string): Plan => ({
    action: 'personal-follow-up',
    due: bd(at),
    reason,
    suggestion: copy.personal(v, state.reading.summary),
    contact: partner.email,
  });
  const resurfaced = state.resurfacedFrom ? copy.resurfaced(state.resurfacedFrom) : '';
  let plan = actionTable[state.status]({
    partner,
    facts,
    campaign,
    state,
    now,
    v,
    copy,
    bd,
    silent,
    personal,
    resurfaced,
  });
  // A hot partner surfaces at once, whatever else their status asks for (post-event thanks aside).
  if (state.hot && plan.action !== 'personal-follow-up' && state.status === 'engaged-warm') {
    plan = personal('engaged (hot)', state.hotAt ?? now.toISOString());
  }
  return plan;
}
