/**
 * Planning a send: for one touch, decide for every partner whether the message goes out and why
 * not, and write that decision into the ledger (one row per campaign, touch and partner).
 *
 * Categories, in the order the plan reports them:
 * - `send`: goes out now (new, or planned before and not attempted yet). Its idempotency key
 *   carries a content version derived from what the rendering reads (`contentVersionOf`), so
 *   planning renders nothing: each message is rendered once, by the sender.
 * - `retry`: an earlier attempt failed in a way that may succeed now (rate limit, quota).
 * - `in-flight`: a previous run died while the provider call carrying it was open; it is
 *   re-dispatched first, under the same key, so the provider replays instead of sending twice.
 * - `sent`: the ledger already says sent.
 * - `failed`: an attempt failed for good (the provider refused the message); a person decides.
 * - `suppressed`, `declined`, `paused`, `replied`, `responded`, `no-referrer`, `outside-audience`: not sent
 *   (see `touchDecision` in src/lib/campaign/audience.ts), recorded as `skipped` with the reason.
 * - `scheduled`: would go out, but the send window has not opened yet in the partner's zone
 *   (window.ts). No row is written until it is due, so nothing can claim it early; the row's
 *   due time is `dueAt`, derived again on every plan from campaign.yaml and partners.csv.
 * - `webinar-cancelled`: an invitation or reminder for a webinar that is cancelled
 *   (src/lib/webinar/lifecycle.ts); the plan's `blocked` says why, and nothing is planned.
 *
 * A referrer-nudge touch is planned per referrer (referrer-notes.ts): every partner is decided as
 * above, then those that would be sent to are grouped by their referrer's address into ONE row
 * per referrer (`note` set: the referrer's key and the partners it covers), and each covered
 * partner gets a `covered` row. A partner who joins a referrer's group after that referrer's note
 * of this touch was attempted is `after-note`: never a second note in the same touch.
 */
import {
  type PartnerState,
  type SkipReason,
  type TouchDecision,
  touchDecision,
} from '../../campaign/audience.ts';
import type { Campaign, Touch } from '../../campaign/load.ts';
import type { Partner } from '../../campaign/partners.ts';
import { normalizeEmail, type PlanEntry, type Store } from '../../store/index.ts';
import { type Lifecycle, webinarBlocksTouch, webinarLifecycle } from '../../webinar/lifecycle.ts';
import { contentVersionOf, type RenderOptions } from '../render/index.ts';
import { idempotencyKeyFor } from './idempotency.ts';
import { planNotes } from './plan-notes.ts';
import { type PlanCategory, type PlanRow, planCategories } from './plan-rows.ts';
import { loadPartnerStates, loadSuppressed, type PartnerStates, recipientOf } from './state.ts';
import { nextOpening } from './window.ts';

export interface TouchPlan {
  campaign: string;
  touch: Touch;
  rows: PlanRow[];
  counts: Record<PlanCategory, number>;
  /** Rows the sender will hand to the transport: send + retry + in-flight. */
  toSend: number;
  /** Why this touch plans nothing at all (the webinar is cancelled), if so. */
  blocked?: string;
}

export interface PlanContext {
  store: Store;
  campaign: Campaign;
  render?: RenderOptions;
  /** Decides pauses and which touches are due. Default: now. */
  now?: Date;
  /** Loaded once per run and shared by every touch (see `loadPlanState`). */
  state?: PlanState;
  /**
   * Where each partner's due time is counted from. `now` (default, `send --touch`): a touch named
   * on the command line goes now, or at the next opening of its window from now if its time has
   * not come. `touch`: from the touch's own time (`aircover schedule`, and `--due`, whose touches
   * are past anyway).
   */
  dueFrom?: 'now' | 'touch';
}

export interface PlanState {
  partners: PartnerStates;
  suppressed: Set<string>;
  /** The campaign's webinar's life (scheduled, rescheduled, cancelled), if it has one. */
  webinar?: Lifecycle | null;
}

export async function loadPlanState(store: Store, campaign: Campaign, now?: Date): Promise<PlanState> {
  const [partners, suppressed, webinar] = await Promise.all([
    loadPartnerStates(store, campaign, now),
    loadSuppressed(store, campaign),
    campaign.webinar ? webinarLifecycle(store, campaign.webinar.id, campaign.webinar.data, now) : null,
  ]);
  return { partners, suppressed, webinar };
}

/**
 * When `touch` is due for `partner`: its resolved time, moved to the next opening of its send
 * window on the partner's clock (their time_zone, the campaign's zone when they have none).
 */
export function dueAtFor(touch: Touch, partner: Partner, from: Date = touch.at): Date {
  return touch.window ? nextOpening(from, touch.window, partner.timeZone) : from;
}

/** Touches whose time has come (`--due`), in time order; partners whose window is still shut are `scheduled`. */
export function dueTouches(campaign: Campaign, now: Date = new Date()): Touch[] {
  return campaign.touches.filter((t) => t.at.getTime() <= now.getTime());
}

export function emptyCounts(): Record<PlanCategory, number> {
  return Object.fromEntries(planCategories.map((c) => [c, 0])) as Record<PlanCategory, number>;
}

function skipReasonText(reason: SkipReason | 'webinar-cancelled', until?: Date): string {
  return reason === 'paused' && until ? `paused until ${until.toISOString()}` : reason;
}

/**
 * Decides every partner's row for `touch`. With `write`, records the decisions in the ledger:
 * new rows, refreshed rows that were never attempted, and `skipped` for rows that were waiting
 * for a retry but must not go out any more (the partner declined or unsubscribed meanwhile).
 * Without it nothing is recorded; with `checked` too (the caller's preflight rendered every
 * message of the touch, as `send --dry-run` and `--to` do), a new `send` row carries no
 * idempotency key, since nothing would use it. Unchecked, each key is still derived, and a message
 * that does not render stops the plan (`aircover schedule`).
 */
export async function planTouch(
  context: PlanContext,
  touch: Touch,
  options: { write: boolean; checked?: boolean },
): Promise<TouchPlan> {
  const { store, campaign } = context;
  const now = context.now ?? new Date();
  const state = context.state ?? (await loadPlanState(store, campaign, now));
  const ledger = new Map(
    (await store.listLedger({ campaign: campaign.id, touch: touch.id })).map((e) => [e.partnerId, e]),
  );
  const rows: PlanRow[] = [];
  const entries: PlanEntry[] = [];
  const toSkip: { key: string; reason: string }[] = [];
  const counts = emptyCounts();
  const render = { ...context.render, now: context.render?.now ?? now };
  const blocked = webinarBlocksTouch(touch, state.webinar ?? null);
  const from = context.dueFrom === 'touch' ? touch.at : new Date(Math.min(touch.at.getTime(), now.getTime()));
  const perReferrer = touch.kind === 'referrer-nudge';
  /** Referrer nudges: the partners that would be sent to, grouped into notes after the loop. */
  const toNote: { partner: Partner; dueAt: Date }[] = [];

  for (const partner of campaign.partners) {
    const existing = ledger.get(partner.id);
    const recipient = recipientOf(touch, partner) ?? partner.email;
    const dueAt = dueAtFor(touch, partner, from);
    const base = { partner, recipient, dueAt, ...(existing ? { ledger: existing } : {}) };
    const add = (row: PlanRow) => {
      rows.push(row);
      counts[row.category]++;
    };
    if (existing?.state === 'sent') {
      add({ ...base, category: 'sent' });
      continue;
    }
    if (existing?.state === 'sending') {
      add({ ...base, category: 'in-flight' });
      continue;
    }
    if (existing?.state === 'failed' && !existing.retryable) {
      add({ ...base, category: 'failed', ...(existing.lastError ? { error: existing.lastError } : {}) });
      continue;
    }
    // The state module's flags (a bounced partner stays suppressed), and the recipient's own
    // suppression (a referrer nudge to a suppressed referrer).
    const flags = state.partners.get(partner.id);
    const partnerState: PartnerState = {
      ...flags,
      suppressed: Boolean(flags?.suppressed) || state.suppressed.has(normalizeEmail(recipient)),
    };
    const decision: TouchDecision | { send: false; reason: 'webinar-cancelled'; until?: undefined } = blocked
      ? { send: false, reason: 'webinar-cancelled' }
      : touchDecision(touch, partner, partnerState, now);
    const ledgerBase = {
      campaign: campaign.id,
      touch: touch.id,
      partnerId: partner.id,
      recipient,
    };
    if (!decision.send) {
      const reason = skipReasonText(decision.reason, decision.until);
      add({ ...base, category: decision.reason, ...(decision.until ? { until: decision.until } : {}) });
      if (existing && existing.attempts > 0) {
        if (existing.state !== 'skipped' || existing.skipReason !== reason) {
          toSkip.push({ key: existing.idempotencyKey, reason });
        }
      } else {
        entries.push({
          ...ledgerBase,
          idempotencyKey: idempotencyKeyFor(campaign.id, touch.id, partner.id, 'skipped'),
          state: 'skipped',
          skipReason: reason,
        });
      }
      continue;
    }
    if (existing?.state === 'failed') {
      add({ ...base, category: 'retry', idempotencyKey: existing.idempotencyKey });
      continue;
    }
    if (perReferrer && !(existing && existing.attempts > 0) && dueAt.getTime() <= now.getTime()) {
      toNote.push({ partner, dueAt });
      continue;
    }
    if (dueAt.getTime() > now.getTime() && !(existing && existing.attempts > 0)) {
      add({ ...base, category: 'scheduled' });
      // A row planned earlier (before the window was set) must not be claimed before its time.
      if (existing?.state === 'planned') {
        entries.push({
          ...ledgerBase,
          idempotencyKey: existing.idempotencyKey,
          state: 'skipped',
          skipReason: `scheduled for ${dueAt.toISOString()}`,
        });
      }
      continue;
    }
    if (existing && existing.attempts > 0) {
      // Planned again after an interrupted or refused attempt: it keeps its key.
      add({ ...base, category: 'retry', idempotencyKey: existing.idempotencyKey });
      continue;
    }
    // A plan that is not written, after a preflight of the touch (a dry run, a test send), only
    // shows decisions: its rows get no key, and no content version is derived.
    if (!options.write && options.checked) {
      add({ ...base, category: 'send' });
      continue;
    }
    // The content version comes from the rendering's inputs, not from rendering (see
    // contentVersionOf): the message is rendered once, when it is sent.
    const versioned = await contentVersionOf(campaign, touch, partner, render);
    if (!versioned.ok) {
      throw new Error(
        `${touch.id} for ${partner.id} does not render: ${versioned.problems.map((p) => p.message).join('; ')}`,
      );
    }
    const contentVersion = versioned.version;
    const idempotencyKey = idempotencyKeyFor(campaign.id, touch.id, partner.id, contentVersion);
    add({ ...base, category: 'send', idempotencyKey, contentVersion });
    entries.push({ ...ledgerBase, idempotencyKey, contentVersion, state: 'planned' });
  }

  if (perReferrer) {
    await planNotes({ campaign, touch, ledger, render, now }, toNote, { rows, entries, toSkip, counts });
  }

  if (options.write) {
    for (let i = 0; i < entries.length; i += 1000) await store.planSends(entries.slice(i, i + 1000));
    for (const { key, reason } of toSkip) await store.markSkipped(key, reason);
  }
  return {
    campaign: campaign.id,
    touch,
    rows,
    counts,
    toSend: counts.send + counts.retry + counts['in-flight'],
    ...(blocked ? { blocked } : {}),
  };
}
