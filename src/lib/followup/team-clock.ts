/**
 * The zone and locale of the team's views (the CLI tables, the digest, hot notes): the
 * campaign's, and with several campaigns the first one's (campaigns load in folder order), so
 * one table or one digest reads in one zone and names it. The dashboard's campaign pages use
 * each campaign's own.
 */
import type { FollowupCampaign } from './model.ts';

export interface TeamClock {
  timeZone: string;
  locale: string;
}

export function teamClock(campaigns: readonly Pick<FollowupCampaign, 'timeZone' | 'locale'>[]): TeamClock {
  const first = campaigns[0];
  // No campaign at all: nothing is dated, UTC in the campaign schema's default locale.
  return first ? { timeZone: first.timeZone, locale: first.locale } : { timeZone: 'UTC', locale: 'en-GB' };
}
