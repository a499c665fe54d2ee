/**
 * Who a touch goes to, decided from a small partner state that the sender and the follow-up
 * engine fill from the store. Pure functions: no I/O, no clock unless passed.
 */
import type { Partner } from './partners.ts';
import type { Audience, TouchKind } from './schema.ts';

export interface PartnerState {
  /** Registered for the campaign's webinar. */
  registered?: boolean;
  /** Attended the webinar (from the attendance import). */
  attended?: boolean;
  /** Human evidence of interest: reading time, reading progress, a form (never opens alone). */
  engaged?: boolean;
  /** Answered in any way: reply, feedback, call request, meeting (recorded or marked). */
  responded?: boolean;
  /** Said "no thanks": never contacted again in this campaign. */
  declined?: boolean;
  /** Unsubscribed, hard-bounced or complained. */
  suppressed?: boolean;
  /** Said "not now": nothing is sent before this instant. */
  pausedUntil?: Date | null;
}

/** Whether the state matches the audience, and nothing else (see `touchDecision`). */
export function inAudience(audience: Audience, state: PartnerState): boolean {
  switch (audience) {
    case 'all':
      return true;
    case 'not-registered':
      return !state.registered;
    case 'registered':
      return Boolean(state.registered);
    case 'attended':
      return Boolean(state.attended);
    case 'no-show':
      return Boolean(state.registered) && !state.attended;
    case 'engaged':
      return Boolean(state.engaged || state.responded);
    case 'silent':
      return !state.engaged && !state.responded && !state.registered && !state.attended;
  }
}

export type SkipReason =
  | 'suppressed'
  | 'declined'
  | 'paused'
  | 'responded'
  | 'no-referrer'
  | 'outside-audience';

export type TouchDecision = { send: true } | { send: false; reason: SkipReason; until?: Date };

/**
 * The whole decision for one touch and one partner, in the order the plan reports it:
 * suppressed, declined, paused (with the date), already responded (follow-ups, reminders and
 * referrer nudges stop once the partner answered), no referrer (referrer nudges), audience.
 */
export function touchDecision(
  touch: { kind: TouchKind; audience: Audience },
  partner: Pick<Partner, 'referrer'>,
  state: PartnerState,
  now: Date = new Date(),
): TouchDecision {
  if (state.suppressed) return { send: false, reason: 'suppressed' };
  if (state.declined) return { send: false, reason: 'declined' };
  if (state.pausedUntil && state.pausedUntil.getTime() > now.getTime()) {
    return { send: false, reason: 'paused', until: state.pausedUntil };
  }
  if ((touch.kind === 'follow-up' || touch.kind === 'referrer-nudge') && state.responded) {
    return { send: false, reason: 'responded' };
  }
  if (touch.kind === 'referrer-nudge' && !partner.referrer) return { send: false, reason: 'no-referrer' };
  if (!inAudience(touch.audience, state)) return { send: false, reason: 'outside-audience' };
  return { send: true };
}
