/**
 * The collector's process-wide state: one store, one event batcher, one token cache, the rate
 * limiters. Kept on `globalThis` under a registered symbol, because two copies of this module
 * live in one server process (the plain Node server in src/server/ and Astro's bundle of the
 * on-demand routes): both must write through the same store, or SQLite's per-process write
 * queue would be split in two.
 */
import { createHmac } from 'node:crypto';
import { getSecret } from '../secret.ts';
import { isStoreUnavailable } from '../store/errors.ts';
import { openStore } from '../store/index.ts';
import type { Store } from '../store/types.ts';
import { EventBatcher } from './batcher.ts';
import { DeliveryClock } from './delivery-clock.ts';
import { HotNotifier } from './hot.ts';
import { RATE_LIMITS, SharedRateLimiter } from './rate-limit.ts';
import { TokenResolver, UnknownTokens } from './tokens.ts';
import { BurstTracker } from './verdict.ts';

export class CollectorUnavailable extends Error {
  override name = 'StoreUnavailableError';
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
  const ipHashes = new Map<string, string>();
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
      // A browser sends many beacons from one address: one HMAC per address, not per request
      // (it was the collector's largest cost after SQLite). Bounded: emptied when full.
      const known = ipHashes.get(ip);
      if (known !== undefined) return known;
      ipKey ??= createHmac('sha256', getSecret()).update('aircover ip hash').digest('hex');
      const hash = createHmac('sha256', ipKey).update(ip).digest('base64url').slice(0, 16);
      if (ipHashes.size >= 10_000) ipHashes.clear();
      ipHashes.set(ip, hash);
      return hash;
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
