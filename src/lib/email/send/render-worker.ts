/**
 * A render thread of the send (render-pool.ts): receives the campaign (without its partner
 * list, so a thread's memory does not grow with the list), the touch and the render options once
 * (workerData: a structured clone of the sender's own, so both render from the same inputs),
 * then pieces of ledger rows with their partners, and answers each piece with the messages
 * built for it. Pure work: it never touches the ledger, the store or the network.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { basename } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { Campaign } from '../../campaign/load.ts';
import type { Partner } from '../../campaign/partners.ts';
import type { RenderOptions } from '../render/index.ts';
import { useLayouts } from '../render/layout.ts';
import { type BuildRow, type Built, buildMessage } from './build.ts';

export interface RenderWorkerData {
  campaign: Campaign;
  touch: string;
  render: RenderOptions;
  /** The compiled email layout by language, so this thread never loads MJML (see layout.ts). */
  layouts: Record<string, string>;
}

export interface RenderRequest {
  id: number;
  rows: BuildRow[];
  /** Each row's partners (one, or a referrer note's; null: none in partners.csv). The campaign comes without its list. */
  partners: (Partner[] | null)[];
}

export type RenderAnswer =
  | { id: number; built: [key: string, built: Built][] }
  | { id: number; error: string };

/**
 * Below the sending thread: the calls' pace is the floor of a send, and a call that leaves late
 * is time lost for good, while rendering has a call's worth of slack. Linux sets a nice value
 * per thread (this thread's id is the tail of /proc/thread-self); elsewhere threads stay as they are.
 */
try {
  const tid = Number(basename(readlinkSync('/proc/thread-self')));
  if (Number.isInteger(tid) && tid > 0) setPriority(tid, 10);
} catch {
  // Not Linux, or not allowed: render at the usual priority.
}

const { campaign, touch: touchId, render, layouts } = workerData as RenderWorkerData;
useLayouts(layouts);
const touch = campaign.touches.find((t) => t.id === touchId);
parentPort?.on('message', async ({ id, rows, partners }: RenderRequest) => {
  let answer: RenderAnswer;
  try {
    if (!touch) throw new Error(`no touch "${touchId}" in ${campaign.id}`);
    const built: [string, Built][] = [];
    for (const [i, row] of rows.entries()) {
      const partner = partners[i] ?? undefined;
      built.push([row.idempotencyKey, await buildMessage(campaign, touch, partner, row, render)]);
    }
    answer = { id, built };
  } catch (cause) {
    answer = { id, error: cause instanceof Error ? (cause.stack ?? cause.message) : String(cause) };
  }
  parentPort?.postMessage(answer);
});

parentPort?.postMessage('ready');
