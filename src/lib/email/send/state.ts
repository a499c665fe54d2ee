/**
 * What the sender knows about each partner of a campaign: the audience flags of the one
 * partner-state derivation (src/lib/followup/state/). No mapping from the store lives here; the
 * sender, the queue and every view read the same verdict.
 *
 * Suppression is per recipient (see `recipientSuppressed` in the plan): a referrer nudge is not
 * sent to a suppressed referrer, and a partner's own suppression stops everything to them.
 */
import type { PartnerState } from '../../campaign/audience.ts';
import type { Campaign } from '../../campaign/load.ts';
import { fromCampaign } from '../../followup/from-campaign.ts';
import { loadCampaignStates } from '../../followup/state/index.ts';
import { normalizeEmail, type Store } from '../../store/index.ts';

export { recipientOf } from '../../followup/state/derive.ts';

/** Partner id → the state module's audience flags. */
export type PartnerStates = Map<string, PartnerState>;

export async function loadPartnerStates(
  store: Store,
  campaign: Campaign,
  now: Date = new Date(),
): Promise<PartnerStates> {
  const { states } = await loadCampaignStates(store, fromCampaign(campaign), { now });
  return new Map([...states].map(([id, s]) => [id, s.flags]));
}

/** The suppressed addresses among every partner's and referrer's address, normalised. */
export async function loadSuppressed(store: Store, campaign: Campaign): Promise<Set<string>> {
  const emails = new Set<string>();
  for (const p of campaign.partners) {
    emails.add(normalizeEmail(p.email));
    if (p.referrer) emails.add(normalizeEmail(p.referrer.email));
  }
  return store.suppressedAmong([...emails]);
}
