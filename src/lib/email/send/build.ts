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

export type BuildRow = Pick<LedgerEntry, 'partnerId' | 'idempotencyKey'>;

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
  partner: Partner | undefined,
  row: BuildRow,
  render: RenderOptions,
  batchKey?: string,
): Promise<Built> {
  if (!partner) return { error: `partner ${row.partnerId} is no longer in ${campaign.partnersFile}` };
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
