/**
 * The one mapping from the store to `PartnerState` (src/lib/campaign/audience.ts): what the
 * sender (and anything else deciding who gets a touch) knows about each partner of a campaign.
 *
 * - registered / attended: a `registration` / `attendance` response for the partner, or for the
 *   partner's address and the campaign's webinar (people register on the public page too).
 * - engaged: human evidence only: events with verdict `human` (the store's default), other than
 *   the provider's own `email.*` reports (opens and clicks are noise, see DESIGN.md).
 * - responded: feedback, a call request, or a manual outcome (replied, met, called).
 * - declined: "no thanks" or a manual "not interested".
 * - pausedUntil: the latest "not now" answer's date.
 * - suppressed: the address the touch goes to is suppressed (see `recipientSuppressed`).
 */
import type { PartnerState } from '../../campaign/audience.ts';
import type { Campaign } from '../../campaign/load.ts';
import { normalizeEmail, type ResponseKind, type Store, type StoredResponse } from '../../store/index.ts';

const respondedKinds = new Set<ResponseKind>(['feedback', 'call-request', 'replied', 'met', 'called']);
const declinedKinds = new Set<ResponseKind>(['decline', 'not-interested']);

/** Partner id → what the store says about them (suppression is per recipient: see below). */
export type PartnerStates = Map<string, PartnerState>;

/** Whether a provider event type is a delivery report rather than evidence of a person. */
const isProviderEvent = (type: string) => type.startsWith('email.');

export async function loadPartnerStates(store: Store, campaign: Campaign): Promise<PartnerStates> {
  const states: PartnerStates = new Map(campaign.partners.map((p) => [p.id, {}]));
  const byEmail = new Map(campaign.partners.map((p) => [normalizeEmail(p.email), p.id]));
  const pauseAnsweredAt = new Map<string, string>();
  const apply = (partnerId: string | undefined, response: StoredResponse) => {
    const state = partnerId === undefined ? undefined : states.get(partnerId);
    if (!state) return;
    const kind = response.kind;
    if (kind === 'registration') state.registered = true;
    else if (kind === 'attendance') {
      state.attended = true;
      state.registered = true;
    } else if (respondedKinds.has(kind)) state.responded = true;
    else if (declinedKinds.has(kind)) state.declined = true;
    else if (kind === 'not-now' && response.until && partnerId !== undefined) {
      // The latest answer wins: a partner may shorten a pause as well as extend it.
      const previous = pauseAnsweredAt.get(partnerId);
      if (previous === undefined || response.occurredAt >= previous) {
        state.pausedUntil = new Date(response.until);
        pauseAnsweredAt.set(partnerId, response.occurredAt);
      }
    }
  };

  for (const response of await store.listResponses({ campaign: campaign.id })) {
    apply(response.partnerId ?? byEmail.get(normalizeEmail(response.email ?? '')), response);
  }
  const webinar = campaign.def.webinar;
  if (webinar) {
    for (const response of await store.listResponses({ webinar, kind: ['registration', 'attendance'] })) {
      if (response.campaign === campaign.id) continue; // counted above
      apply(byEmail.get(normalizeEmail(response.email ?? '')), response);
    }
  }

  const types = await store.countEventsBy('type', { campaign: campaign.id });
  const human = Object.keys(types).filter((t) => !isProviderEvent(t));
  if (human.length > 0) {
    const perPartner = await store.countEventsBy('partner', { campaign: campaign.id, types: human });
    for (const [partnerId, count] of Object.entries(perPartner)) {
      const state = states.get(partnerId);
      if (state && count > 0) state.engaged = true;
    }
  }
  return states;
}

/** Who a touch goes to: the referrer for a referrer nudge, else the partner. */
export function recipientOf(
  touch: { kind: string },
  partner: { email: string; referrer?: { email: string } | undefined },
): string | undefined {
  if (touch.kind === 'referrer-nudge') return partner.referrer?.email;
  return partner.email;
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
