/**
 * A card-drawing thread: receives batches of card contents, draws each into the cache.
 *
 * resvg keeps each rendered image in native memory that V8 does not see, so garbage
 * collection rarely runs and the thread's memory grew by about 6 MB per card (3 GB for a
 * thousand; thx/resvg-js#216, fixed upstream only in a 2.7 alpha). Collecting every few cards
 * and yielding to the event loop, where napi finalizers run, keeps it flat (measured:
 * ≈ 210 MB after 250 cards instead of 1.8 GB).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort } from 'node:worker_threads';
import { type CardContent, cachedCard } from './card.ts';

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;
const COLLECT_EVERY = 10;
let drawnSinceCollect = 0;

parentPort?.on('message', async (message: { cards: CardContent[]; dir: string }) => {
  for (const content of message.cards) {
    await cachedCard(content, message.dir);
    parentPort?.postMessage('drawn');
    if (++drawnSinceCollect >= COLLECT_EVERY) {
      drawnSinceCollect = 0;
      collect();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  parentPort?.postMessage('batch-done');
});
