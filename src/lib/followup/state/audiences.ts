/**
 * Audience membership: the one place that says which partners a touch's `audience:` means
 * (campaign.yaml). It reads the flags the state derivation sets (derive.ts) and nothing else, so
 * the sender's plan, the queue's "next touch" and every view agree on who is silent, engaged,
 * registered, attended or a no-show.
 */
import { type Audience, audiences } from '../../campaign/kinds.ts';

/** The compact per-partner facts an audience or a send decision needs (set by derive.ts only). */
export interface AudienceFlags {
  /** Registered for the campaign's webinar (a verified registration, or attendance). */
  registered?: boolean;
  /** Attended the webinar (from the attendance import). */
  attended?: boolean;
  /** Registered, the webinar is over, attendance was imported and they were not there. */
  noShow?: boolean;
  /** Human evidence of interest: reading the paper, a form, a reply (never opens, clicks or page skims). */
  engaged?: boolean;
  /** Answered in any way: reply, feedback, call request, meeting (recorded or marked). */
  responded?: boolean;
  /** Wrote back by email (the inbox read a person's reply): every pending touch stops. */
  replied?: boolean;
  /** Said "no thanks": never contacted again in this campaign. */
  declined?: boolean;
  /** Unsubscribed, hard-bounced (or soft-bounced past the limit) or complained. */
  suppressed?: boolean;
  /** No longer with the company (the inbox read a notice): nothing more goes to their address. */
  left?: boolean;
  /** Said "not now": nothing is sent before this instant. */
  pausedUntil?: Date | null;
}

/** Whether the flags put the partner in the audience. */
export function memberOf(audience: Audience, flags: AudienceFlags): boolean {
  switch (audience) {
    case 'all':
      return true;
    case 'not-registered':
      return !flags.registered;
    case 'registered':
      return Boolean(flags.registered);
    case 'attended':
      return Boolean(flags.attended);
    case 'no-show':
      return Boolean(flags.noShow);
    case 'engaged':
      return Boolean(flags.engaged || flags.responded);
    case 'silent':
      return !flags.engaged && !flags.responded && !flags.registered && !flags.attended;
  }
}

/** Membership of every audience campaign.yaml knows. */
export function audienceMembership(flags: AudienceFlags): Record<Audience, boolean> {
  return Object.fromEntries(audiences.map((a) => [a, memberOf(a, flags)])) as Record<Audience, boolean>;
}
