/**
 * The dashboard's "Deliveries" panel: what did not get through, so a failure is never hidden
 * behind a count. Two sources, read as they are stored:
 * - outgoing webhooks (src/lib/hooks/, the delivery log): deliveries given up (`failed`) and
 *   those retrying (pending after a failed attempt), with the last error and when the next try is;
 * - campaign emails (the send ledger): rows in state `failed`, with the last error and whether
 *   the next `aircover send` claims them again (`retryable`) or a person has to look
 *   (`aircover send --retry-failed` after checking).
 */
import type { Store } from '../store/types.ts';

/** Rows read per list; the panel says "at least" when a list is full. */
export const PANEL_LIMIT = 50;

export interface HookTrouble {
  id: number;
  endpoint: string;
  event: string;
  state: 'failed' | 'retrying';
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  /** For `retrying`: when the next attempt is due. */
  nextAttemptAt: string | null;
  updatedAt: string;
}

export interface SendTrouble {
  campaign: string;
  touch: string;
  partnerId: string;
  attempts: number;
  lastError: string | null;
  /** True: the next send claims it again; false: it waits for a person. */
  retryable: boolean;
  updatedAt: string;
}

export interface DeliveryTrouble {
  hooks: HookTrouble[];
  /** True when the lists were cut at PANEL_LIMIT: there are more. */
  hooksTruncated: boolean;
  sends: SendTrouble[];
  sendsTruncated: boolean;
}

export async function deliveryTrouble(store: Store, campaigns: { id: string }[]): Promise<DeliveryTrouble> {
  const [failed, pending, ...ledgers] = await Promise.all([
    store.listDeliveries({ state: 'failed', limit: PANEL_LIMIT }),
    store.listDeliveries({ state: 'pending', limit: 1000 }),
    ...campaigns.map((c) => store.listLedger({ campaign: c.id, state: 'failed' })),
  ]);
  const retrying = pending.filter((d) => d.attempts > 0);
  const hooks: HookTrouble[] = [
    ...retrying.map((d) => ({ d, state: 'retrying' as const })),
    ...failed.map((d) => ({ d, state: 'failed' as const })),
  ]
    .map(({ d, state }) => ({
      id: d.id,
      endpoint: d.endpoint,
      event: d.eventType,
      state,
      attempts: d.attempts,
      lastStatus: d.lastStatus,
      lastError: d.lastError,
      nextAttemptAt: state === 'retrying' ? d.nextAttemptAt : null,
      updatedAt: d.updatedAt,
    }))
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  const sends = ledgers
    .flat()
    .map((r) => ({
      campaign: r.campaign,
      touch: r.touch,
      partnerId: r.partnerId,
      attempts: r.attempts,
      lastError: r.lastError,
      retryable: r.retryable,
      updatedAt: r.updatedAt,
    }))
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  return {
    hooks: hooks.slice(0, PANEL_LIMIT),
    hooksTruncated: failed.length >= PANEL_LIMIT || pending.length >= 1000 || hooks.length > PANEL_LIMIT,
    sends: sends.slice(0, PANEL_LIMIT),
    sendsTruncated: sends.length > PANEL_LIMIT,
  };
}
