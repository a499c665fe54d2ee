/**
 * The seed rules as pure functions: a partner's facts become a status, and the status a next
 * action with a due date, a reason and a suggested message (see ../shared/DESIGN.md, "Rules that
 * come from the seeds").
 *
 * - Opens never count (signals are not all equal): "opened only" is still no response.
 * - Hot (real reading time, feedback, a call request) → a personal follow-up by the named owner
 *   within one business day, surfaced at once (speed wins).
 * - Call requested → schedule it (an easy yes: ten minutes). Registered → reminders.
 *   Attended → thanks and one next step. No-show → the recording.
 * - Silent after a touch → the next touch that adds something new, never the same message again;
 *   silent after the last planned touch → a note to the referrer if there is one (let the
 *   referral source know), else ask a known gatekeeper, else stop.
 * - Not now → resurfaces on its date. Declined → stop and thank. Bounced → find a new address.
 *   Manual outcomes (replied, met, called) stop the sequences: the owner carries on personally.
 */
import { type PartnerState, touchDecision } from '../campaign/audience.ts';
import type { StoredResponse } from '../store/types.ts';
import { addBusinessDays, endOfDay } from './dates.ts';
import {
  type Action,
  actionLabels,
  type FollowUp,
  type FollowupCampaign,
  type FollowupPartner,
  type FollowupTouch,
  type PartnerFacts,
  type Status,
  statusLabels,
} from './model.ts';
import { type ScoringConfig, scoreFacts } from './scoring.ts';
import { engagement, type HumanEngagementModel } from './signals.ts';

export interface RuleContext {
  now: Date;
  scoring: ScoringConfig;
  /** True when attendance was imported for the campaign's webinar (no-show is known). */
  attendanceImported: boolean;
  model?: HumanEngagementModel;
}

const manualOutcomes = new Set(['replied', 'met', 'called']);

function latest(responses: StoredResponse[], kinds: string[]): StoredResponse | undefined {
  let found: StoredResponse | undefined;
  for (const r of responses) {
    if (kinds.includes(r.kind) && (!found || r.occurredAt >= found.occurredAt)) found = r;
  }
  return found;
}

export interface Derived {
  status: Status;
  until: string | null;
  hot: boolean;
  hotAt: string | null;
  /** Registered for the webinar (whatever the status shows). */
  registered: boolean;
  /** The latest not-now that has ended, if the partner resurfaced. */
  resurfacedFrom: string | null;
  /** The state the sender's audience rules read (audience.ts). */
  state: PartnerState;
}

/** The status of one partner in one campaign, and the facts the rules need. */
export function derive(facts: PartnerFacts, campaign: FollowupCampaign, ctx: RuleContext): Derived {
  const model = ctx.model ?? engagement;
  const { now } = ctx;
  const rs = facts.responses;
  const decline = latest(rs, ['decline', 'not-interested']);
  const notNow = latest(rs, ['not-now']);
  const manual = latest(rs, [...manualOutcomes]);
  const attended = latest(rs, ['attendance']);
  const registration = latest(rs, ['registration']);
  const call = latest(rs, ['call-request']);
  const feedback = latest(rs, ['feedback']);

  const pausedUntil = notNow?.until && notNow.until > now.toISOString() ? notNow.until : null;
  const engagedHot = model.isHot(facts.human);
  const engagedWarm = model.isWarm(facts.human);
  const hotTimes = [model.hotAt(facts.human), call?.occurredAt, feedback?.occurredAt].filter(
    (t): t is string => Boolean(t),
  );
  const hot = hotTimes.length > 0;
  const hotAt = hot ? (hotTimes.sort()[0] ?? null) : null;
  const webinarOver = campaign.webinar ? campaign.webinar.end.getTime() <= now.getTime() : false;

  let status: Status;
  if (facts.suppression && facts.suppression.reason !== 'hard-bounce') status = 'unsubscribed';
  else if (facts.suppression?.reason === 'hard-bounce' || facts.bouncedAt) status = 'bounced';
  else if (decline) status = 'declined';
  else if (pausedUntil) status = 'not-now';
  else if (manual || facts.repliedAt) status = 'in-conversation';
  else if (attended) status = 'attended';
  else if (registration && webinarOver && ctx.attendanceImported) status = 'no-show';
  else if (call) status = 'call-requested';
  else if (feedback) status = 'feedback-given';
  else if (registration) status = 'registered';
  else if (engagedHot) status = 'engaged-hot';
  else if (engagedWarm) status = 'engaged-warm';
  else if (facts.sent.length === 0) status = 'not-sent';
  else if (facts.openedAt) status = 'opened-only';
  else status = 'no-response';

  const state: PartnerState = {
    registered: Boolean(registration),
    attended: Boolean(attended),
    engaged: engagedWarm || hot,
    responded: Boolean(manual || facts.repliedAt || feedback || call || registration || attended),
    declined: Boolean(decline),
    suppressed: status === 'unsubscribed' || status === 'bounced',
    pausedUntil: pausedUntil ? new Date(pausedUntil) : null,
  };
  return {
    status,
    until: status === 'not-now' ? pausedUntil : null,
    hot,
    hotAt,
    registered: Boolean(registration),
    resurfacedFrom: notNow?.until && !pausedUntil ? notNow.until : null,
    state,
  };
}

const fullName = (p: FollowupPartner) => [p.firstName, p.lastName].filter(Boolean).join(' ');
const day = (iso: string | Date) => (typeof iso === 'string' ? iso : iso.toISOString()).slice(0, 10);

/** What a touch kind brings that the partner has not had yet. */
function touchOffer(touch: FollowupTouch, campaign: FollowupCampaign): string {
  switch (touch.kind) {
    case 'advance-notice':
      return `the advance copy of ${campaign.paperTitle ?? 'the paper'}`;
    case 'announce':
      return `the published ${campaign.paperTitle ?? 'paper'}`;
    case 'webinar-invite':
      return `the invitation to ${campaign.webinar?.title ?? 'the webinar'}`;
    case 'reminder':
      return 'the webinar reminder';
    case 'recording':
      return 'the webinar recording';
    case 'referrer-nudge':
      return 'a note to their referrer';
    default:
      return campaign.posts?.length ? `a new post ("${campaign.posts[0]}")` : 'something new';
  }
}

/**
 * The next planned touch that adds something new for this partner: after the last one sent, not
 * a message they already had (same template), and one the sender would send them (audience,
 * pause, decline and "already responded" rules from audience.ts).
 */
export function nextTouch(
  facts: PartnerFacts,
  campaign: FollowupCampaign,
  partner: FollowupPartner,
  state: PartnerState,
  now: Date,
): FollowupTouch | undefined {
  const sentIds = new Set(facts.sent.map((s) => s.touch));
  const sentTemplates = new Set(campaign.touches.filter((t) => sentIds.has(t.id)).map((t) => t.template));
  // Touches are in schedule order; a touch sent late still marks where the partner is.
  let lastIndex = -1;
  campaign.touches.forEach((t, i) => {
    if (sentIds.has(t.id)) lastIndex = i;
  });
  const referrer = partner.referrer
    ? { name: partner.referrer.name, email: partner.referrer.email }
    : undefined;
  return campaign.touches.find((t, i) => {
    if (i <= lastIndex || sentIds.has(t.id) || sentTemplates.has(t.template)) return false;
    // Reminders and recordings have their own audiences (registered, no-show): the sender's rules decide.
    return touchDecision(t, referrer ? { referrer } : {}, state, now).send;
  });
}

interface Plan {
  action: Action;
  due: Date | null;
  reason: string;
  suggestion: string;
  contact: string | null;
}

const priorities: Record<Action, number> = {
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

/** One row of the queue for one partner of one campaign. */
export function evaluate(
  partner: FollowupPartner,
  facts: PartnerFacts,
  campaign: FollowupCampaign,
  ctx: RuleContext,
): FollowUp {
  const { now } = ctx;
  const d = derive(facts, campaign, ctx);
  const tz = campaign.timeZone;
  const owner = partner.owner ?? null;
  const ownerName = owner ?? 'the owner (none set in partners.csv: assign one)';
  const first = partner.firstName;
  const paper = campaign.paperTitle ? `"${campaign.paperTitle}"` : 'the paper';
  const bd = (from: string | Date, n = 1) => addBusinessDays(new Date(from), n, tz);
  const gatekeeper = partner.gatekeepers[0];
  const gatekeeperHint = gatekeeper
    ? ` Gatekeeper known: ${gatekeeper.name}${gatekeeper.role ? ` (${gatekeeper.role})` : ''} can help reach ${first}.`
    : '';
  const rs = facts.responses;
  const lastSent = facts.sent.at(-1);
  const h = facts.human;
  const what = [
    h.maxProgress > 0 ? `read ${Math.round(h.maxProgress * 100)}% of ${paper}` : '',
    h.visibleSeconds > 0 ? `${Math.round(h.visibleSeconds / 60)} min on their page` : '',
  ]
    .filter(Boolean)
    .join(', ');

  const silent = (prefix: string): Plan => {
    const next = nextTouch(facts, campaign, partner, d.state, now);
    if (next && next.kind !== 'referrer-nudge') {
      return {
        action: 'next-touch',
        due: next.at,
        reason: `${prefix}; next: "${next.id}" brings ${touchOffer(next, campaign)}`,
        suggestion: `Let "${next.id}" go out on ${day(next.at)}; it must carry ${touchOffer(next, campaign)}, never "did you get my last email?".${gatekeeperHint}`,
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
        reason: `${prefix} after the last planned touch; ${partner.referrer.name} referred them`,
        suggestion: `Tell ${partner.referrer.name} you have not heard from ${first} at ${partner.company}, and ask whether they would mention the paper or bring ${first} to the webinar.`,
        contact: partner.referrer.email,
      };
    }
    if (gatekeeper) {
      return {
        action: 'ask-gatekeeper',
        due: bd(lastSent?.at ?? now, 2),
        reason: `${prefix} after the last planned touch; a gatekeeper is known`,
        suggestion: `Ask ${gatekeeper.name}${gatekeeper.role ? ` (${gatekeeper.role})` : ''} whether ${first} would want ${paper}, or who at ${partner.company} should read it.`,
        contact: gatekeeper.email ?? null,
      };
    }
    return {
      action: 'stop',
      due: null,
      reason: `${prefix} after the last planned touch, no referrer: stop (more follow-ups hurt more than they help)`,
      suggestion: 'Nothing more. They know where to find you.',
      contact: null,
    };
  };

  const personal = (reason: string, at: string): Plan => ({
    action: 'personal-follow-up',
    due: bd(at),
    reason,
    suggestion: `${ownerName}: write to ${first} yourself, not a template. Thank them for their time with ${paper}${what ? ` (${what})` : ''}, and ask for ten minutes on the phone this week.${gatekeeperHint}`,
    contact: partner.email,
  });

  let plan: Plan;
  const resurfaced = d.resurfacedFrom ? `not-now ended ${day(d.resurfacedFrom)}; ` : '';
  switch (d.status) {
    case 'unsubscribed':
      plan = {
        action: 'stop',
        due: null,
        reason: `unsubscribed (${facts.suppression?.reason ?? 'suppressed'}) on ${day(facts.suppression?.at ?? now)}`,
        suggestion: 'Never write again from any campaign.',
        contact: null,
      };
      break;
    case 'bounced': {
      const at = facts.bouncedAt ?? facts.suppression?.at ?? now.toISOString();
      const via = gatekeeper ?? partner.referrer;
      plan = {
        action: 'find-address',
        due: bd(at),
        reason: `${partner.email} bounced on ${day(at)}`,
        suggestion: via
          ? `Ask ${via.name} for ${first}'s current address (they may have moved on), then update partners.csv.`
          : `Find ${first}'s current address (company site, LinkedIn) or who replaced them, then update partners.csv.`,
        contact: gatekeeper?.email ?? partner.referrer?.email ?? null,
      };
      break;
    }
    case 'declined': {
      const r = latest(rs, ['decline', 'not-interested']);
      const manual = r?.kind === 'not-interested';
      plan = manual
        ? {
            action: 'stop',
            due: null,
            reason: `marked not interested on ${day(r?.occurredAt ?? now)}${r?.text ? `: ${r.text}` : ''}`,
            suggestion: 'Stop. Every sequence of this campaign skips them.',
            contact: null,
          }
        : {
            action: 'thank-and-stop',
            due: bd(r?.occurredAt ?? now),
            reason: `said no thanks on ${day(r?.occurredAt ?? now)}${r?.text ? `: "${r.text}"` : ''}`,
            suggestion: `One line to ${first}: thank you for telling us, no more emails about this. Nothing else.`,
            contact: partner.email,
          };
      break;
    }
    case 'not-now':
      plan = {
        action: 'wait',
        due: d.until ? new Date(d.until) : null,
        reason: `asked "not now"; resurfaces on ${day(d.until ?? now)}`,
        suggestion: `On ${day(d.until ?? now)}, write with something new since they paused (the published paper, the recording, a peer's feedback), not a reminder.`,
        contact: partner.email,
      };
      break;
    case 'in-conversation': {
      const r = latest(rs, [...manualOutcomes]);
      const how = r ? `marked ${r.kind}` : 'replied by email';
      plan = {
        action: 'continue-conversation',
        due: null,
        reason: `${how} on ${day(r?.occurredAt ?? facts.repliedAt ?? now)}${r?.text ? `: ${r.text}` : ''}; sequences stopped`,
        suggestion: `${ownerName} carries on personally; agree one next step and note it.`,
        contact: partner.email,
      };
      break;
    }
    case 'attended':
      plan = {
        action: 'thank-next-step',
        due: bd(campaign.webinar?.end ?? now),
        reason: `attended ${campaign.webinar?.title ?? 'the webinar'}`,
        suggestion: `Thank ${first} for coming and offer one next step: ten minutes on what the findings mean for ${partner.company}.`,
        contact: partner.email,
      };
      break;
    case 'no-show': {
      const recording = campaign.touches.find((t) => t.kind === 'recording');
      const sentRecording = recording && facts.sent.some((s) => s.touch === recording.id);
      plan = sentRecording
        ? silent('no-show, recording sent, silent since')
        : {
            action: 'send-recording',
            due: recording ? recording.at : bd(campaign.webinar?.end ?? now),
            reason: `registered for ${campaign.webinar?.title ?? 'the webinar'} but did not attend`,
            suggestion: `Send ${first} the recording with the two minutes most relevant to ${partner.company}; no guilt about missing it.`,
            contact: partner.email,
          };
      break;
    }
    case 'call-requested': {
      const r = latest(rs, ['call-request']);
      const times = r?.preferredTimes?.length ? ` They offered: ${r.preferredTimes.join('; ')}.` : '';
      plan = {
        action: 'schedule-call',
        due: bd(r?.occurredAt ?? now),
        reason: `asked for a call on ${day(r?.occurredAt ?? now)}`,
        suggestion: `${ownerName}: confirm a 10-minute call with ${first} within a business day.${times}`,
        contact: partner.email,
      };
      break;
    }
    case 'feedback-given': {
      const r = latest(rs, ['feedback']);
      const p = personal(`gave feedback on ${day(r?.occurredAt ?? now)}`, r?.occurredAt ?? now.toISOString());
      const consent = r?.consentToQuote
        ? ' They agreed to be quoted: confirm the wording.'
        : ' Ask whether you may quote them.';
      plan = {
        ...p,
        suggestion: `${ownerName}: thank ${first} for the feedback${r?.text ? ` ("${r.text.slice(0, 80)}")` : ''}, say what you will change, and offer ten minutes on the phone.${consent}`,
      };
      break;
    }
    case 'registered': {
      if (d.hot) {
        plan = personal(
          `registered and engaged (hot) on ${day(d.hotAt ?? now)}`,
          d.hotAt ?? now.toISOString(),
        );
        break;
      }
      const reminder = campaign.touches.find(
        (t) => t.kind === 'reminder' && !facts.sent.some((s) => s.touch === t.id),
      );
      const webinar = campaign.webinar;
      if (webinar && webinar.end.getTime() <= now.getTime()) {
        plan = {
          action: 'wait',
          due: null,
          reason: 'registered; the webinar is over and attendance is not imported yet',
          suggestion: 'Import attendance (aircover import) to split attended and no-show.',
          contact: null,
        };
        break;
      }
      plan = {
        action: 'remind',
        due: reminder ? reminder.at : webinar ? new Date(webinar.start.getTime() - 86_400_000) : null,
        reason: `registered for ${webinar?.title ?? 'the webinar'}`,
        suggestion: reminder
          ? `"${reminder.id}" reminds them on ${day(reminder.at)}; add a personal line if ${ownerName} knows ${first}.`
          : `Send ${first} a reminder with the join link the day before.`,
        contact: partner.email,
      };
      break;
    }
    case 'engaged-hot':
      plan = personal(
        `${resurfaced}engaged (hot): ${what || 'real reading time'}`,
        d.hotAt ?? now.toISOString(),
      );
      break;
    case 'engaged-warm':
      plan = silent(`${resurfaced}engaged (warm): ${what || 'visited their page'}; no answer since`);
      break;
    case 'opened-only':
    case 'no-response':
      plan = silent(
        `${resurfaced}${d.status === 'opened-only' ? 'opened only (opens do not count)' : 'no response'} since "${lastSent?.touch ?? '?'}" on ${day(lastSent?.at ?? now)}`,
      );
      break;
    case 'not-sent': {
      const firstTouch = nextTouch(facts, campaign, partner, d.state, now) ?? campaign.touches[0];
      plan = {
        action: 'send-first',
        due: firstTouch?.at ?? null,
        reason: 'nothing sent yet',
        suggestion: firstTouch
          ? `"${firstTouch.id}" goes out on ${day(firstTouch.at)} (aircover send).`
          : 'No touch planned.',
        contact: partner.email,
      };
      break;
    }
  }
  // A hot partner surfaces at once, whatever else their status asks for (post-event thanks aside).
  if (d.hot && plan.action !== 'personal-follow-up' && ['engaged-warm'].includes(d.status)) {
    plan = personal('engaged (hot)', d.hotAt ?? now.toISOString());
  }

  return {
    campaign: campaign.id,
    campaignName: campaign.name,
    partnerId: partner.id,
    email: partner.email,
    company: partner.company,
    name: fullName(partner),
    owner,
    status: d.status,
    statusLabel: d.until ? `${statusLabels[d.status]} (until ${day(d.until)})` : statusLabels[d.status],
    until: d.until,
    hot: d.hot,
    hotAt: d.hotAt,
    score: scoreFacts(facts, ctx.scoring, now),
    lastHumanActivity: h.lastAt,
    action: plan.action,
    actionLabel: actionLabels[plan.action],
    due: plan.due ? plan.due.toISOString() : null,
    reason: plan.reason,
    suggestion: plan.suggestion,
    contact: plan.contact,
    priority: priorities[plan.action],
    otherCampaigns: [],
  };
}

const outreach = new Set<Action>([
  'personal-follow-up',
  'schedule-call',
  'next-touch',
  'referrer-note',
  'ask-gatekeeper',
  'send-first',
]);

/**
 * One person, one conversation (rule 7): the same address in several campaigns is one timeline.
 * When one campaign has a hot follow-up for them, the others' outreach is held.
 */
export function linkCampaigns(items: FollowUp[]): FollowUp[] {
  const byEmail = new Map<string, FollowUp[]>();
  for (const item of items) {
    const key = item.email.trim().toLowerCase();
    const list = byEmail.get(key);
    if (list) list.push(item);
    else byEmail.set(key, [item]);
  }
  for (const list of byEmail.values()) {
    if (list.length < 2) continue;
    const campaigns = list.map((i) => i.campaign);
    const lead = list.find((i) => i.priority === 0);
    for (const item of list) {
      item.otherCampaigns = campaigns.filter((c) => c !== item.campaign);
      if (lead && item !== lead && outreach.has(item.action)) {
        item.action = 'hold';
        item.actionLabel = actionLabels.hold;
        item.priority = priorities.hold;
        item.reason = `one conversation: ${lead.owner ?? 'the owner'} follows up in "${lead.campaign}" (${lead.actionLabel})`;
        item.suggestion = `Nothing from "${item.campaign}" until that conversation settles.`;
        item.due = null;
      }
    }
  }
  return items;
}

/**
 * The queue's order: what must happen today first (hot at once, then anything due by the end of
 * today), then by due date, then by score; stopped and held partners last.
 */
export function sortQueue(items: FollowUp[], now: Date, timeZone = 'UTC'): FollowUp[] {
  const today = endOfDay(now, timeZone).toISOString();
  const bucket = (i: FollowUp) =>
    i.priority === 0 ? 0 : i.due === null ? 2 : i.due <= today && i.action !== 'wait' ? 0 : 1;
  return items.sort(
    (a, b) =>
      bucket(a) - bucket(b) ||
      a.priority - b.priority ||
      (a.due ?? '9999').localeCompare(b.due ?? '9999') ||
      b.score - a.score ||
      a.company.localeCompare(b.company),
  );
}

/** Whether an item is due today or overdue (hot items always are). */
export function isDueToday(item: FollowUp, now: Date, timeZone = 'UTC'): boolean {
  if (item.priority === 0) return true;
  return item.due !== null && item.action !== 'wait' && item.due <= endOfDay(now, timeZone).toISOString();
}
