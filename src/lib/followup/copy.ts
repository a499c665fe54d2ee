/**
 * The words of the queue: every reason and suggestion the actions table (actions.ts) shows,
 * in one place so they read as one voice and change without touching a rule.
 */
import { formatDate } from '../time/format.ts';
import type { FollowupCampaign, FollowupPartner, FollowupTouch } from './model.ts';

/** What a touch kind brings that the partner has not had yet. */
export function touchOffer(touch: FollowupTouch, campaign: FollowupCampaign): string {
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

/** The names and phrases a partner's copy needs, computed once. */
export interface Voice {
  first: string;
  company: string;
  paper: string;
  ownerName: string;
  gatekeeperHint: string;
  webinarTitle: string;
}

export function voiceOf(partner: FollowupPartner, campaign: FollowupCampaign): Voice {
  const gatekeeper = partner.gatekeepers[0];
  return {
    first: partner.firstName,
    company: partner.company,
    paper: campaign.paperTitle ? `"${campaign.paperTitle}"` : 'the paper',
    ownerName: partner.owner ?? 'the owner (none set in partners.csv: assign one)',
    gatekeeperHint: gatekeeper
      ? ` Gatekeeper known: ${gatekeeper.name}${gatekeeper.role ? ` (${gatekeeper.role})` : ''} can help reach ${partner.firstName}.`
      : '',
    webinarTitle: campaign.webinar?.title ?? 'the webinar',
  };
}

/** The first line of a quoted text, shortened: the queue shows one line. */
const quoteLine = (text: string) => {
  const line =
    text
      .split('\n')
      .find((l) => l.trim())
      ?.trim() ?? '';
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
};

const who = (p: { name: string; role?: string | undefined }) => `${p.name}${p.role ? ` (${p.role})` : ''}`;

/**
 * The words, with days as the team reads them: in the campaign's zone and locale (the views that
 * show these name the zone).
 */
export function copyFor(campaign: Pick<FollowupCampaign, 'timeZone' | 'locale'>) {
  const day = (at: string | Date) => formatDate(at, campaign.timeZone, campaign.locale);
  return {
    nextTouch: (v: Voice, id: string, at: Date, offer: string) =>
      `Let "${id}" go out on ${day(at)}; it must carry ${offer}, never "did you get my last email?".${v.gatekeeperHint}`,
    nextTouchReason: (prefix: string, id: string, offer: string) =>
      `${prefix}; next: "${id}" brings ${offer}`,
    referrerReason: (prefix: string, referrer: string) =>
      `${prefix} after the last planned touch; ${referrer} referred them`,
    referrer: (v: Voice, referrer: string) =>
      `Tell ${referrer} you have not heard from ${v.first} at ${v.company}, and ask whether they would mention the paper or bring ${v.first} to the webinar.`,
    gatekeeperReason: (prefix: string) => `${prefix} after the last planned touch; a gatekeeper is known`,
    gatekeeper: (v: Voice, g: { name: string; role?: string | undefined }) =>
      `Ask ${who(g)} whether ${v.first} would want ${v.paper}, or who at ${v.company} should read it.`,
    stopReason: (prefix: string) =>
      `${prefix} after the last planned touch, no referrer: stop (more follow-ups hurt more than they help)`,
    stop: 'Nothing more. They know where to find you.',
    personal: (v: Voice, what: string) =>
      `${v.ownerName}: write to ${v.first} yourself, not a template. Thank them for their time with ${v.paper}${what ? ` (${what})` : ''}, and ask for ten minutes on the phone this week.${v.gatekeeperHint}`,
    unsubscribedReason: (reason: string, at: string) => `unsubscribed (${reason}) on ${day(at)}`,
    complainedReason: (at: string) => `marked our email as spam on ${day(at)}`,
    neverAgain: 'Never write again from any campaign.',
    bouncedReason: (email: string, at: string, soft: number) =>
      soft > 0
        ? `${email} bounced ${soft} times (transient or undetermined) by ${day(at)}: treated as bounced`
        : `${email} bounced on ${day(at)}`,
    findAddress: (v: Voice, via?: { name: string }) =>
      via
        ? `Ask ${via.name} for ${v.first}'s current address (they may have moved on), then update partners.csv.`
        : `Find ${v.first}'s current address (company site, LinkedIn) or who replaced them, then update partners.csv.`,
    delayedReason: (n: number, at: string, limit: number) =>
      `delivery delayed (${n} transient or undetermined bounce${n === 1 ? '' : 's'}, latest ${day(at)}); bounced only after ${limit}`,
    delayed: 'Nothing to do yet: the provider retries. Check the address if it keeps happening.',
    notInterestedReason: (at: string, text: string | null) =>
      `marked not interested on ${day(at)}${text ? `: ${text}` : ''}`,
    notInterested: 'Stop. Every sequence of this campaign skips them.',
    declinedReason: (at: string, text: string | null) =>
      `said no thanks on ${day(at)}${text ? `: "${text}"` : ''}`,
    declined: (v: Voice) =>
      `One line to ${v.first}: thank you for telling us, no more emails about this. Nothing else.`,
    notNowReason: (until: string) => `asked "not now"; resurfaces on ${day(until)}`,
    notNow: (until: string) =>
      `On ${day(until)}, write with something new since they paused (the published paper, the recording, a peer's feedback), not a reminder.`,
    conversationReason: (how: string, at: string, text: string | null) =>
      `${how} on ${day(at)}${text ? `: ${text}` : ''}; sequences stopped`,
    repliedReason: (at: string, text: string | null) =>
      `replied by email on ${day(at)}${text ? `: "${quoteLine(text)}"` : ''}; sequences stopped`,
    reply: (v: Voice) =>
      `${v.ownerName}: answer ${v.first} yourself today (speed wins); read the whole reply in your mailbox first.`,
    referredReason: (at: string, referral: string) =>
      `replied by email on ${day(at)}: talk to ${referral}; sequences stopped`,
    referral: (v: Voice, referral: string, hasAddress: boolean) =>
      `Write to ${referral}${hasAddress ? '' : ` (ask ${v.first} for the address)`}, say ${v.first} at ${v.company} suggested it, and offer ${v.paper} and ten minutes on the phone. Thank ${v.first} in one line.`,
    leftReason: (at: string, replacement: string | null) =>
      `no longer with the company (notice on ${day(at)})${replacement ? `; replacement: ${replacement}` : ''}; nothing more to their address`,
    left: (v: Voice, replacement: string | null, via?: { name: string }) =>
      replacement
        ? `Write to ${replacement} at ${v.company} as a first contact (not a follow-up): who you are, ${v.paper}, ten minutes on the phone. Then update partners.csv.`
        : via
          ? `Ask ${via.name} who took over from ${v.first} at ${v.company}, then update partners.csv.`
          : `Find who took over from ${v.first} at ${v.company} (company site, LinkedIn), then update partners.csv.`,
    conversation: (v: Voice) => `${v.ownerName} carries on personally; agree one next step and note it.`,
    attendedReason: (v: Voice) => `attended ${v.webinarTitle}`,
    attended: (v: Voice) =>
      `Thank ${v.first} for coming and offer one next step: ten minutes on what the findings mean for ${v.company}.`,
    noShowReason: (v: Voice) => `registered for ${v.webinarTitle} but did not attend`,
    noShow: (v: Voice) =>
      `Send ${v.first} the recording with the two minutes most relevant to ${v.company}; no guilt about missing it.`,
    callReason: (at: string) => `asked for a call on ${day(at)}`,
    call: (v: Voice, times: string[]) =>
      `${v.ownerName}: confirm a 10-minute call with ${v.first} within a business day.${times.length ? ` They offered: ${times.join('; ')}.` : ''}`,
    feedbackReason: (at: string) => `gave feedback on ${day(at)}`,
    feedback: (v: Voice, text: string | null, consent: boolean) =>
      `${v.ownerName}: thank ${v.first} for the feedback${text ? ` ("${text.slice(0, 80)}")` : ''}, say what you will change, and offer ten minutes on the phone.${consent ? ' They agreed to be quoted: confirm the wording.' : ' Ask whether you may quote them.'}`,
    registeredHotReason: (at: string) => `registered and engaged (hot) on ${day(at)}`,
    awaitingImportReason: 'registered; the webinar is over and attendance is not imported yet',
    awaitingImport: 'Import attendance (aircover import) to split attended and no-show.',
    cancelledReason: (v: Voice) => `registered for ${v.webinarTitle}, which was cancelled: no reminders`,
    cancelled: (v: Voice) =>
      `Nothing about the webinar. If ${v.first} wanted it, offer the paper's findings in ten minutes on the phone instead.`,
    registeredReason: (v: Voice) => `registered for ${v.webinarTitle}`,
    remind: (v: Voice, reminder?: { id: string; at: Date }) =>
      reminder
        ? `"${reminder.id}" reminds them on ${day(reminder.at)}; add a personal line if ${v.ownerName} knows ${v.first}.`
        : `Send ${v.first} a reminder with the join link the day before.`,
    hotReason: (prefix: string, what: string) => `${prefix}engaged (hot): ${what || 'real reading time'}`,
    warmReason: (prefix: string, what: string) =>
      `${prefix}engaged (warm): ${what || 'read some of the paper'}; no answer since`,
    visitedReason: (prefix: string, what: string) =>
      `${prefix}visited their page, not the paper${what ? ` (${what})` : ''}; no answer since`,
    silentReason: (prefix: string, opened: boolean, touch: string, at: string) =>
      `${prefix}${opened ? 'opened only (opens do not count)' : 'no response'} since "${touch}" on ${day(at)}`,
    resurfaced: (until: string) => `not-now ended ${day(until)}; `,
    firstReason: 'nothing sent yet',
    first: (t?: { id: string; at: Date }) =>
      t ? `"${t.id}" goes out on ${day(t.at)} (aircover send).` : 'No touch planned.',
  };
}

export type Copy = ReturnType<typeof copyFor>;
