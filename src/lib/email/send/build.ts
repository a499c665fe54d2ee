/**
 * One ledger row to the message a transport sends: render the touch for the row's partner and
 * put the row's idempotency key on it. The main thread (recovery, fallback) and the render
 * threads (render-worker.ts) run this same function on the same inputs, so where a message was
 * rendered never changes its bytes.
 */
import type { Campaign, Touch } from '../../campaign/load.ts';
import type { Partner } from '../../campaign/partners.ts';
import type { LedgerEntry } from '../../store/index.ts';
import type { OutgoingMessage } from '../message.ts';
import { contentVersionOf, type RenderOptions, tryRenderMessage } from '../render/index.ts';
import { toOutgoing } from './message.ts';

export type BuildRow = Pick<LedgerEntry, 'partnerId' | 'idempotencyKey'> & {
  /** A referrer note's row: the partners it covers (the ledger's `covers`). */
  covers?: string[] | null;
};

/**
 * The partners a row renders for: the row's partner, or a referrer note's covered partners (the
 * first is the template's `partner`). Undefined when none is in partners.csv any more.
 */
export function partnersOfRow(row: BuildRow, byId: ReadonlyMap<string, Partner>): Partner[] | undefined {
  if (row.covers) {
    const found = row.covers.map((id) => byId.get(id)).filter((p): p is Partner => p !== undefined);
    return found.length > 0 ? found : undefined;
  }
  const partner = byId.get(row.partnerId);
  return partner ? [partner] : undefined;
}

export type Built =
  | { message: OutgoingMessage; contentVersion: string; contentHash: string }
  | { error: string };

/**
 * Renders `row`. With `batchKey` (a replay of a call that was in flight) the message carries that
 * key and the content version from the inputs is computed too, for the caller to compare with
 * the row's; a fresh claim needs the rendering alone (`contentVersion` is then '').
 */
export async function buildMessage(
  campaign: Campaign,
  touch: Touch,
  group: readonly Partner[] | undefined,
  row: BuildRow,
  given: RenderOptions,
  batchKey?: string,
): Promise<Built> {
  const partner = group?.[0];
  if (!partner) return { error: `partner ${row.partnerId} is no longer in ${campaign.partnersFile}` };
  const render = row.covers ? { ...given, referred: group } : given;
  const [rendered, versioned] = await Promise.all([
    tryRenderMessage(campaign, touch, partner, render),
    batchKey === undefined ? undefined : contentVersionOf(campaign, touch, partner, render),
  ]);
  if (!rendered.ok) return { error: rendered.problems.map((p) => p.message).join('; ') };
  const message = toOutgoing(rendered.message, {
    idempotencyKey: row.idempotencyKey,
    ...(batchKey === undefined ? {} : { batchKey }),
  });
  const contentVersion = versioned?.ok ? versioned.version : '';
  return { message, contentVersion, contentHash: rendered.message.contentHash };
}
