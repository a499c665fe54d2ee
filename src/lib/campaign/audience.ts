/**
 * Who a touch goes to. Membership of an audience and the flags behind it come from the one
 * partner-state derivation (src/lib/followup/state/); this file only orders the reasons a touch
 * is not sent. Pure functions: no I/O, no clock unless passed.
 */
import { type AudienceFlags, memberOf } from '../followup/state/audiences.ts';
import type { Audience, TouchKind } from './kinds.ts';
import type { Referrer } from './partners.ts';

/** The sender's view of a partner: the state module's audience flags. */
export type PartnerState = AudienceFlags;

/** Whether the state matches the audience, and nothing else (see `touchDecision`). */
export function inAudience(audience: Audience, state: PartnerState): boolean {
  return memberOf(audience, state);
}

export type SkipReason =
  | 'suppressed'
  | 'declined'
  | 'left-company'
  | 'paused'
  | 'replied'
  | 'responded'
  | 'no-referrer'
  | 'outside-audience';

export type TouchDecision = { send: true } | { send: false; reason: SkipReason; until?: Date };

/**
 * The whole decision for one touch and one partner, in the order the plan reports it:
 * suppressed, declined, left the company, paused (with the date), already responded (follow-ups, reminders and
 * referrer nudges stop once the partner answered), no referrer (referrer nudges), audience.
 */
export function touchDecision(
  touch: { kind: TouchKind; audience: Audience },
  partner: { referrer?: Pick<Referrer, 'email'> | undefined },
  state: PartnerState,
  now: Date = new Date(),
): TouchDecision {
  if (state.suppressed) return { send: false, reason: 'suppressed' };
  if (state.declined) return { send: false, reason: 'declined' };
  if (state.left) return { send: false, reason: 'left-company' };
  if (state.pausedUntil && state.pausedUntil.getTime() > now.getTime()) {
    return { send: false, reason: 'paused', until: state.pausedUntil };
  }
  // They wrote back: the conversation is the owner's now, so nothing automatic goes to them.
  if (state.replied) return { send: false, reason: 'replied' };
  if ((touch.kind === 'follow-up' || touch.kind === 'referrer-nudge') && state.responded) {
    return { send: false, reason: 'responded' };
  }
  if (touch.kind === 'referrer-nudge' && !partner.referrer) return { send: false, reason: 'no-referrer' };
  if (!inAudience(touch.audience, state)) return { send: false, reason: 'outside-audience' };
  return { send: true };
}
