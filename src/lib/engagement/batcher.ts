/**
 * Group commit for the collector's events: many requests, one transaction, each answered only
 * once its events are durable; a failed batch is retried request by request so one bad event
 * fails alone.
 */
import { isStoreUnavailable } from '../store/errors.ts';
import type { EventInput, Store } from '../store/types.ts';

export interface BatcherOptions {
  /** Flush at most this many events per transaction. */
  maxBatch?: number;
  /** Wait at most this long for more events before flushing (ms). 0 = next tick. */
  maxDelayMs?: number;
}

interface Pending {
  events: EventInput[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: requests hand their events in and wait; one transaction stores everything that
 * arrived meanwhile; each request is answered only once its events are durable (or refused with
 * the error, so the endpoint can answer 503 and the client retry). Under load the batches grow
 * by themselves: while one transaction runs, the next one fills.
 */
export class EventBatcher {
  readonly #store: () => Promise<Store>;
  readonly #maxBatch: number;
  readonly #maxDelayMs: number;
  #queue: Pending[] = [];
  #queued = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #flushing = false;
  /** Counters, for the bench and the health line. */
  readonly stats = { accepted: 0, stored: 0, duplicates: 0, failed: 0, batches: 0 };

  constructor(store: () => Promise<Store>, options: BatcherOptions = {}) {
    this.#store = store;
    this.#maxBatch = options.maxBatch ?? 500;
    this.#maxDelayMs = options.maxDelayMs ?? 2;
  }

  /** Resolves when the events are committed; rejects when they could not be. */
  add(events: EventInput[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ events, resolve, reject });
      this.#queued += events.length;
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#flushing) return; // the running flush picks the queue up when it ends
    if (this.#queued >= this.#maxBatch) {
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = null;
      void this.#flush();
    } else if (!this.#timer) {
      this.#timer = setTimeout(() => {
        this.#timer = null;
        void this.#flush();
      }, this.#maxDelayMs);
    }
  }

  async #flush(): Promise<void> {
    if (this.#flushing || this.#queue.length === 0) return;
    this.#flushing = true;
    const batch: Pending[] = [];
    let size = 0;
    while (this.#queue.length && size < this.#maxBatch) {
      const next = this.#queue.shift() as Pending;
      batch.push(next);
      size += next.events.length;
    }
    this.#queued -= size;
    try {
      const store = await this.#store();
      const result = await store.appendEvents(batch.flatMap((p) => p.events));
      this.stats.batches += 1;
      this.stats.accepted += size;
      this.stats.stored += result.inserted;
      this.stats.duplicates += result.duplicates;
      for (const p of batch) p.resolve();
    } catch (error) {
      // One bad request must not fail its neighbours: when the group fails for anything but the
      // store being down, each request's events are committed on their own, so only the
      // request that caused it gets the error.
      if (batch.length > 1 && !isStoreUnavailable(error)) await this.#oneByOne(batch);
      else {
        this.stats.failed += size;
        for (const p of batch) p.reject(error);
      }
    } finally {
      this.#flushing = false;
      if (this.#queue.length) {
        if (this.#queued >= this.#maxBatch) void this.#flush();
        else this.#schedule();
      }
    }
  }
  async #oneByOne(batch: Pending[]): Promise<void> {
    for (const p of batch) {
      try {
        const result = await (await this.#store()).appendEvents(p.events);
        this.stats.batches += 1;
        this.stats.accepted += p.events.length;
        this.stats.stored += result.inserted;
        this.stats.duplicates += result.duplicates;
        p.resolve();
      } catch (error) {
        this.stats.failed += p.events.length;
        p.reject(error);
      }
    }
  }
}
