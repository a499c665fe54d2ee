/**
 * Speed wins (DESIGN.md, rule 8): when a partner turns hot, their owner hears of it at once.
 *
 * The endpoints call `afterCommit` once the partner's events (and response) are durable; the
 * check and the note run afterwards, off the request: the request is never slowed, a failure is
 * logged and never touches the event, which is already stored. Triggers:
 *
 * - a form that makes a partner hot (a call request, feedback): a new response with a human
 *   verdict (a double submit is not new, so it notifies nothing);
 * - a beacon whose human reading of the PAPER (its visible time, its headings' progress; the
 *   personal page's sections and time are stored as `section_seen` / `page_time` and never
 *   trigger) takes the partner across the hot rule: hot with this beacon, not before it.
 *
 * Whether a partner is hot is the partner-state module's verdict (src/lib/followup/state/): a
 * partner who declined, paused, unsubscribed, complained or bounced is never hot, so their later
 * reading sends no note.
 *
 * The note itself is `notifyOwnerOfHotPartner` (src/lib/followup/notify.ts): the queue decides
 * hotness, the owner's address comes from partners.csv or AIRCOVER_OWNER_EMAILS, and it goes
 * through the campaign transports (outbox by default). At most one note per partner and day, the
 * day being the team's (the campaign's zone, as everywhere the team reads a day), from a process;
 * the note's idempotency key (per partner and that day) covers the others. A note lost
 * to a crash between the event and the note still shows in the queue and the daily digest.
 */
import type { Transport } from '../email/message.ts';
import type { FollowupCampaign } from '../followup/model.ts';
import { teamClock } from '../followup/team-clock.ts';
import type { Store } from '../store/types.ts';
import { dayKey } from '../time/format.ts';

export type HotTrigger = 'form' | 'reading';

export interface HotEvent {
  type: string;
  verdict: string;
}

const READING = new Set(['visible_time', 'read_progress']);
/** Checks waiting or running at once; past this, reading checks are dropped (the queue remains). */
const MAX_PENDING = 256;
const CAMPAIGNS_TTL_MS = 60_000;

export interface HotNotifierOptions {
  /** Campaigns to read owners and rules from; default: the campaigns folder, reloaded each minute. */
  campaigns?: () => Promise<FollowupCampaign[]>;
  transport?: Transport;
  env?: NodeJS.ProcessEnv;
  log?: (message: string, error?: unknown) => void;
}

export class HotNotifier {
  readonly #store: () => Promise<Store>;
  readonly #options: HotNotifierOptions;
  readonly #pending = new Set<Promise<void>>();
  /** `campaign/partner/day` already noted by this process. */
  readonly #noted = new Set<string>();
  /**
   * `campaign/partner/day` (the team's day) found hot by a reading check. Reading only adds up, so a
   * partner once hot stays hot that day: later beacons need no second look (without this, every
   * beacon of an already-hot partner aggregated their events again: the collector bench's
   * bottleneck).
   */
  #hotSeen = new Set<string>();
  /** The UTC day `#hotSeen` was started on: it is emptied once a day, to stay small. */
  #hotSeenDay = '';
  /** Each campaign's zone, once its campaigns are loaded: the team's day for a note. */
  readonly #zones = new Map<string, string>();
  /** Per partner: one check at a time; a trigger meanwhile runs it once more after. */
  readonly #running = new Map<string, { again: HotTrigger | null }>();
  #campaigns: { at: number; list: Promise<FollowupCampaign[]> } | null = null;
  #transport: Transport | undefined;
  /** Counters, for tests and the health line. */
  readonly stats = { checks: 0, notes: 0, failed: 0, dropped: 0 };

  constructor(store: () => Promise<Store>, options: HotNotifierOptions = {}) {
    this.#store = store;
    this.#options = options;
  }

  /**
   * After an endpoint committed a partner's events: schedules the check and returns at once.
   * `events` are the ones just stored (only human reading counts for a beacon).
   */
  afterCommit(
    partner: { campaign: string; partnerId: string },
    trigger: HotTrigger,
    events: readonly HotEvent[] = [],
    at: Date = new Date(),
  ): void {
    if (trigger === 'reading' && !events.some((e) => e.verdict === 'human' && READING.has(e.type))) return;
    const key = `${partner.campaign}/${partner.partnerId}`;
    if (this.#noted.has(`${key}/${this.#day(partner.campaign, at)}`)) return;
    const running = this.#running.get(key);
    if (running) {
      running.again = running.again === 'form' ? 'form' : trigger;
      return;
    }
    if (this.#pending.size >= MAX_PENDING) {
      this.stats.dropped++;
      return;
    }
    const state = { again: null as HotTrigger | null };
    this.#running.set(key, state);
    const job = new Promise<void>((resolve) => setImmediate(resolve))
      .then(async () => {
        let next: HotTrigger | null = trigger;
        let when = at;
        while (next) {
          state.again = null;
          await this.#check(partner, next, when);
          next = state.again;
          when = new Date();
        }
      })
      .catch((error: unknown) => {
        this.stats.failed++;
        this.#log(`hot note for ${key} failed`, error);
      })
      .finally(() => {
        this.#running.delete(key);
        this.#pending.delete(job);
      });
    this.#pending.add(job);
  }

  /** Resolves when every scheduled check has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  async #check(partner: { campaign: string; partnerId: string }, trigger: HotTrigger, at: Date) {
    this.stats.checks++;
    const store = await this.#store();
    const campaigns = await this.#loadCampaigns();
    // The zone the note's own day is read in (notify.ts), so the claim and its key agree.
    for (const campaign of campaigns) this.#zones.set(campaign.id, teamClock([campaign]).timeZone);
    const day = this.#day(partner.campaign, at);
    const noted = `${partner.campaign}/${partner.partnerId}/${day}`;
    if (this.#noted.has(noted)) return;
    if (trigger === 'reading' && !(await this.#crossed(store, partner, at, day))) return;
    const { notifyOwnerOfHotPartner } = await import('../followup/notify.ts');
    const env = this.#options.env ?? process.env;
    const transport = this.#options.transport ?? (await this.#defaultTransport(env));
    // The day's memory is in the store, so instances sharing a database send one note between
    // them: whoever claims the key sends; it is given back when no note went out.
    const claim = `hot:${partner.campaign}:${partner.partnerId}:${day}`;
    if (!(await store.putKeyOnce(claim, String(process.pid), 36 * 3_600_000))) {
      this.#noted.add(noted);
      return;
    }
    const sent = await notifyOwnerOfHotPartner(store, campaigns, partner, { now: at, transport, env }).catch(
      async (error: unknown) => {
        await store.deleteKey(claim);
        throw error;
      },
    );
    if (sent?.result?.status !== 'sent') await store.deleteKey(claim);
    if (!sent) return; // not hot by the queue's rules, or nobody to tell
    if (sent.result?.status !== 'sent') {
      this.stats.failed++;
      this.#log(`hot note for ${partner.campaign}/${partner.partnerId} not sent`, sent.result);
      return;
    }
    this.#noted.add(noted);
    this.stats.notes++;
  }

  /** The team's calendar day of `at` for a campaign (UTC until its campaigns are loaded). */
  #day(campaign: string, at: Date): string {
    return dayKey(at, this.#zones.get(campaign) ?? teamClock([]).timeZone);
  }

  /** Hot with the events up to now, and not with those before `at` (this beacon's time). */
  async #crossed(store: Store, partner: { campaign: string; partnerId: string }, at: Date, day: string) {
    const { emptySignals, engagement } = await import('../followup/signals.ts');
    const model = engagement;
    const hotBefore = async (until: Date) => {
      const groups = await store.summarizeEvents({
        campaign: partner.campaign,
        partnerId: partner.partnerId,
        types: [...READING],
        metrics: model.metrics,
        until,
      });
      const signals = emptySignals();
      for (const group of groups) model.add(signals, group);
      return model.isHot(signals);
    };
    // Hot now, from the store's engagement summary (one row, the same human reading totals as the
    // aggregate): most beacons come from partners who are not, and end here without aggregating.
    const utcDay = at.toISOString().slice(0, 10);
    if (utcDay !== this.#hotSeenDay) {
      this.#hotSeen = new Set();
      this.#hotSeenDay = utcDay;
    }
    const key = `${partner.campaign}/${partner.partnerId}/${day}`;
    if (this.#hotSeen.has(key)) return false;
    const [row] = await store.engagementSummary(partner.campaign, partner.partnerId);
    if (!row) return false;
    const now = emptySignals();
    model.addSummary(now, row);
    if (!model.isHot(now)) return false;
    this.#hotSeen.add(key);
    return !(await hotBefore(at));
  }

  async #loadCampaigns(): Promise<FollowupCampaign[]> {
    if (this.#options.campaigns) return this.#options.campaigns();
    const now = Date.now();
    if (!this.#campaigns || now - this.#campaigns.at > CAMPAIGNS_TTL_MS) {
      const list = import('../followup/campaign.ts').then(({ loadFollowupCampaigns }) =>
        loadFollowupCampaigns(),
      );
      list.catch(() => {
        this.#campaigns = null;
      });
      this.#campaigns = { at: now, list };
    }
    return this.#campaigns.list;
  }

  async #defaultTransport(env: NodeJS.ProcessEnv): Promise<Transport> {
    if (!this.#transport) {
      const { createTransport } = await import('../email/transport/index.ts');
      this.#transport = createTransport(env);
    }
    return this.#transport;
  }

  #log(message: string, error?: unknown): void {
    if (this.#options.log) this.#options.log(message, error);
    else console.error(`aircover collector: ${message}`, error ?? '');
  }
}
