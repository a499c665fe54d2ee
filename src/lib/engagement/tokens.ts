/**
 * Tokens on the collector's posts: who a token belongs to (partner or referrer), cached, and the
 * log line for posts whose token nobody has.
 */
import { referrerToken, tokenPattern } from '../personalize/token.ts';
import type { Partner, Store } from '../store/types.ts';

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
