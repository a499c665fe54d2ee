/**
 * Rate limits for the collector's endpoints: token buckets in memory, and the shared limit that
 * adds up every instance's counts through the store (keyed rows), so several servers on one
 * Postgres limit a client together.
 */
import type { Store } from '../store/types.ts';

/** Token buckets per key, bounded in memory. */
export class RateLimiter {
  readonly #capacity: number;
  readonly #perSecond: number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(capacity: number, perSecond: number) {
    this.#capacity = capacity;
    this.#perSecond = perSecond;
  }

  /** True when the key may go ahead (and takes one token). */
  take(key: string, now = Date.now()): boolean {
    if (this.#capacity <= 0) return true;
    const bucket = this.#buckets.get(key);
    if (!bucket) {
      if (this.#buckets.size > 100_000) this.#buckets.clear();
      this.#buckets.set(key, { tokens: this.#capacity - 1, at: now });
      return true;
    }
    bucket.tokens = Math.min(this.#capacity, bucket.tokens + ((now - bucket.at) / 1000) * this.#perSecond);
    bucket.at = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}

/**
 * The same limit shared by every instance on one Postgres: each process keeps its own token
 * bucket (cheap, per request) and adds what it let through to a per-key counter in the store
 * about once a second (one upsert per key, never per request); a key over `capacity` in the
 * current window (`capacity / perSecond` seconds) is refused on every instance until the window
 * ends. A key this instance let through is read again each second until its window ends, since
 * the instance that flushed first would otherwise learn of the others' share only on its next
 * flush (one read per active key per second). On SQLite one process owns the file, so the local
 * bucket is the whole truth.
 */
export class SharedRateLimiter {
  readonly #local: RateLimiter;
  readonly #store: () => Promise<Store>;
  readonly #name: string;
  readonly #capacity: number;
  readonly #windowMs: number;
  #pending = new Map<string, number>();
  readonly #blocked = new Map<string, number>();
  /** Keys this instance counted in a window still open (key → the window's end), read again. */
  readonly #watched = new Map<string, number>();
  #timer: ReturnType<typeof setTimeout> | null = null;
  #shared: boolean | null = null;

  constructor(store: () => Promise<Store>, name: string, capacity: number, perSecond: number) {
    this.#local = new RateLimiter(capacity, perSecond);
    this.#store = store;
    this.#name = name;
    this.#capacity = capacity;
    this.#windowMs = perSecond > 0 ? Math.max(1_000, (capacity / perSecond) * 1000) : 60_000;
  }

  take(key: string, now = Date.now()): boolean {
    if (this.#capacity <= 0) return true;
    const until = this.#blocked.get(key);
    if (until !== undefined) {
      if (until > now) return false;
      this.#blocked.delete(key);
    }
    if (!this.#local.take(key, now)) return false;
    if (this.#shared !== false) {
      this.#pending.set(key, (this.#pending.get(key) ?? 0) + 1);
      this.#timer ??= setTimeout(() => void this.#flush(), 1_000);
      this.#timer.unref?.();
    }
    return true;
  }

  /** Blocks a key over the shared capacity until its window ends, else keeps watching it. */
  #judge(key: string, count: number, until: number): void {
    if (count > this.#capacity) {
      if (this.#blocked.size > 100_000) this.#blocked.clear();
      this.#blocked.set(key, until);
      this.#watched.delete(key);
    } else {
      if (this.#watched.size > 100_000) this.#watched.clear();
      this.#watched.set(key, until);
    }
  }

  async #flush(): Promise<void> {
    this.#timer = null;
    const batch = this.#pending;
    this.#pending = new Map();
    try {
      const store = await this.#store();
      this.#shared = store.engine === 'postgres';
      if (!this.#shared) return;
      for (const [key, count] of batch) {
        const total = await store.bumpKey(`rate:${this.#name}:${key}`, this.#windowMs, count);
        this.#judge(key, total.count, total.expiresAt.getTime());
      }
      const now = Date.now();
      for (const [key, until] of this.#watched) {
        if (batch.has(key)) continue;
        if (until <= now) {
          this.#watched.delete(key);
          continue;
        }
        const row = await store.getKey(`rate:${this.#name}:${key}`);
        if (row) this.#judge(key, Number(row.value), row.expiresAt.getTime());
        else this.#watched.delete(key);
      }
      if (this.#watched.size > 0 && !this.#timer) {
        this.#timer = setTimeout(() => void this.#flush(), 1_000);
        this.#timer.unref?.();
      }
    } catch {
      // The store is down: the local buckets still hold, and the endpoints answer 503 anyway.
    }
  }
}

/**
 * Limits for `/api/events` and the forms: per client address and per token. A page sends a
 * beacon every 15 s and on hide, so the defaults leave plenty of room for offices behind one
 * address. `AIRCOVER_RATE_LIMIT=off` turns them off (the bench does, to measure the store path).
 */
export const RATE_LIMITS = {
  perClient: { capacity: 120, perSecond: 10 },
  perToken: { capacity: 60, perSecond: 2 },
} as const;
