/**
 * The collector's process-wide state: one store, one event batcher, one token cache, the rate
 * limiters. Kept on `globalThis` under a registered symbol, because two copies of this module
 * live in one server process (the plain Node server in src/server/ and Astro's bundle of the
 * on-demand routes): both must write through the same store, or SQLite's per-process write
 * queue would be split in two.
 */
import { createHmac } from 'node:crypto';
import { referrerToken, tokenPattern } from '../personalize/token.ts';
import { getSecret } from '../secret.ts';
import { isStoreUnavailable } from '../store/errors.ts';
import { openStore } from '../store/index.ts';
import type { EventInput, Partner, Store } from '../store/types.ts';
import { HotNotifier } from './hot.ts';
import { BurstTracker } from './verdict.ts';

export class CollectorUnavailable extends Error {
  override name = 'StoreUnavailableError';
}

// ---------------------------------------------------------------------------------------------
// Group commit

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

// ---------------------------------------------------------------------------------------------
// Rate limits

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

// ---------------------------------------------------------------------------------------------
// Tokens

export type TokenOwner = { partner: Partner; role: 'partner' | 'referrer' };

/**
 * Token → partner, through the store (so it works on any host that shares the database), with a
 * bounded in-memory cache; unknown tokens are cached briefly too, so a flood of made-up tokens
 * costs one query each per minute at most.
 */
export class TokenResolver {
  readonly #store: () => Promise<Store>;
  readonly #cache = new Map<string, { owner: TokenOwner | null; at: number }>();
  #referrers: { map: Map<string, Partner>; at: number } | null = null;

  constructor(store: () => Promise<Store>) {
    this.#store = store;
  }

  async resolve(token: string, options: { referrer?: boolean } = {}): Promise<TokenOwner | null> {
    if (!tokenPattern.test(token)) return null;
    const now = Date.now();
    const hit = this.#cache.get(token);
    if (hit && (hit.owner || now - hit.at < 60_000)) {
      if (hit.owner?.role === 'referrer' && !options.referrer) return null;
      if (hit.owner || !options.referrer) return hit.owner;
    }
    const store = await this.#store();
    let owner: TokenOwner | null = null;
    const partner = await store.findPartnerByToken(token);
    if (partner) owner = { partner, role: 'partner' };
    else if (options.referrer) {
      const ref = (await this.#referrerIndex(store)).get(token);
      if (ref) owner = { partner: ref, role: 'referrer' };
    }
    if (this.#cache.size > 50_000) this.#cache.clear();
    this.#cache.set(token, { owner, at: now });
    if (owner?.role === 'referrer' && !options.referrer) return null;
    return owner;
  }

  /** Forget cached answers (after the partners were synced again). */
  clear(): void {
    this.#cache.clear();
    this.#referrers = null;
  }

  async #referrerIndex(store: Store): Promise<Map<string, Partner>> {
    if (this.#referrers && Date.now() - this.#referrers.at < 60_000) return this.#referrers.map;
    const map = new Map<string, Partner>();
    for (const partner of await store.listPartners()) {
      if (partner.referrerEmail) map.set(referrerToken(partner.campaign, partner.partnerId), partner);
    }
    this.#referrers = { map, at: Date.now() };
    return map;
  }
}

// ---------------------------------------------------------------------------------------------
// Delivery times (for the "within seconds of delivery" signal)

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

// ---------------------------------------------------------------------------------------------
// Unknown tokens

/**
 * Posts whose token no partner has are answered quietly (204, or back to the home page), so a
 * made-up token learns nothing; but the operator must hear of them, because a whole stream of
 * them means the pages were built under another secret. The first is logged at once, then at
 * most one line a minute with the count since the last line.
 */
export class UnknownTokens {
  readonly #log: (line: string) => void;
  readonly #intervalMs: number;
  #lastLine = Number.NEGATIVE_INFINITY;
  #pending = 0;
  #routes = new Set<string>();

  constructor(log = (line: string) => process.stderr.write(`${line}\n`), intervalMs = 60_000) {
    this.#log = log;
    this.#intervalMs = intervalMs;
  }

  note(route: string, now = Date.now()): void {
    this.#pending += 1;
    this.#routes.add(route);
    if (now - this.#lastLine < this.#intervalMs) return;
    this.#log(
      `warning ${this.#pending} post(s) with an unknown token (${[...this.#routes].join(', ')}) since the last note: made-up links, or pages built under another AIRCOVER_SECRET`,
    );
    this.#lastLine = now;
    this.#pending = 0;
    this.#routes.clear();
  }
}

// ---------------------------------------------------------------------------------------------
// The shared runtime

export interface Runtime {
  store(): Promise<Store>;
  batcher: EventBatcher;
  tokens: TokenResolver;
  delivery: DeliveryClock;
  bursts: BurstTracker;
  limits: { client: SharedRateLimiter; token: SharedRateLimiter };
  /** Notes to owners when a partner turns hot, sent after the request (see hot.ts). */
  hot: HotNotifier;
  /** Keyed hash of a client address (the raw address is never stored). */
  hashIp(ip: string | null | undefined): string | null;
  /** A post carried a token no partner has: logged, one line at most a minute (see UnknownTokens). */
  unknownTokens: UnknownTokens;
  close(): Promise<void>;
}

const KEY = Symbol.for('aircover.collector.runtime');
type Global = { [KEY]?: Runtime };

/**
 * The process's runtime, created on first use. The store opens lazily and, when the database
 * is down, is retried at most once a second; until then endpoints answer 503.
 */
export function runtime(): Runtime {
  const g = globalThis as Global;
  const existing = g[KEY];
  if (existing) return existing;
  let opened: Store | null = null;
  let opening: Promise<Store> | null = null;
  let lastFailure = 0;
  let lastError: unknown = null;
  const store = async (): Promise<Store> => {
    if (opened) return opened;
    if (opening) return opening;
    if (Date.now() - lastFailure < 1_000) throw lastError;
    opening = openStore()
      .then((s) => {
        opened = s;
        return s;
      })
      .catch((error: unknown) => {
        lastFailure = Date.now();
        lastError = isStoreUnavailable(error)
          ? error
          : new CollectorUnavailable(
              `store unavailable: ${error instanceof Error ? error.message : String(error)}`,
            );
        throw lastError;
      })
      .finally(() => {
        opening = null;
      });
    return opening;
  };
  const off = process.env.AIRCOVER_RATE_LIMIT === 'off';
  let ipKey: string | null = null;
  const created: Runtime = {
    store,
    batcher: new EventBatcher(store),
    tokens: new TokenResolver(store),
    delivery: new DeliveryClock(store),
    bursts: new BurstTracker(),
    hot: new HotNotifier(store),
    limits: {
      client: new SharedRateLimiter(
        store,
        'client',
        off ? 0 : RATE_LIMITS.perClient.capacity,
        RATE_LIMITS.perClient.perSecond,
      ),
      token: new SharedRateLimiter(
        store,
        'token',
        off ? 0 : RATE_LIMITS.perToken.capacity,
        RATE_LIMITS.perToken.perSecond,
      ),
    },
    unknownTokens: new UnknownTokens(),
    hashIp(ip) {
      if (!ip) return null;
      ipKey ??= createHmac('sha256', getSecret()).update('aircover ip hash').digest('hex');
      return createHmac('sha256', ipKey).update(ip).digest('base64url').slice(0, 16);
    },
    async close() {
      await created.hot.idle();
      const s = opened;
      opened = null;
      delete g[KEY];
      await s?.close();
    },
  };
  g[KEY] = created;
  return created;
}
