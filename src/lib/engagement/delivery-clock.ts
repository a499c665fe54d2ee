/**
 * When a touch was sent and delivered to a partner, cached briefly: the verdict's "within
 * seconds of delivery" signal asks for it on every hit.
 */
import type { Store } from '../store/types.ts';

/** When the message of (campaign, touch, partner) was sent and delivered, cached briefly. */
export class DeliveryClock {
  readonly #store: () => Promise<Store>;
  readonly #cache = new Map<string, { sentAt: Date | null; deliveredAt: Date | null; at: number }>();

  constructor(store: () => Promise<Store>) {
    this.#store = store;
  }

  async times(
    campaign: string,
    touch: string,
    partnerId: string,
  ): Promise<{ sentAt: Date | null; deliveredAt: Date | null }> {
    const key = `${campaign}\u0000${touch}\u0000${partnerId}`;
    const now = Date.now();
    const hit = this.#cache.get(key);
    // Known delivery times do not change; unknown ones may appear any moment (re-ask after 1 s).
    if (hit && (hit.deliveredAt || now - hit.at < 1_000)) return hit;
    const store = await this.#store();
    const [send, delivered] = await Promise.all([
      store.getSend(campaign, touch, partnerId),
      store.listEvents({
        campaign,
        partnerId,
        touch,
        types: ['email.delivered'],
        includeNonHuman: true,
        limit: 1,
      }),
    ]);
    const value = {
      sentAt: send?.sentAt ? new Date(send.sentAt) : null,
      deliveredAt: delivered[0] ? new Date(delivered[0].occurredAt) : null,
      at: now,
    };
    if (this.#cache.size > 50_000) this.#cache.clear();
    this.#cache.set(key, value);
    return value;
  }

  /** The webhook tells us a delivery time directly. */
  noteDelivered(campaign: string, touch: string, partnerId: string, at: Date): void {
    const key = `${campaign}\u0000${touch}\u0000${partnerId}`;
    const hit = this.#cache.get(key);
    this.#cache.set(key, { sentAt: hit?.sentAt ?? null, deliveredAt: at, at: Date.now() });
  }
}
