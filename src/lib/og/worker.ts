/** A card-drawing thread: receives batches of card contents, draws each into the cache. */
import { parentPort } from 'node:worker_threads';
import { type CardContent, cachedCard } from './card.ts';

parentPort?.on('message', async (message: { cards: CardContent[]; dir: string }) => {
  for (const content of message.cards) {
    await cachedCard(content, message.dir);
    parentPort?.postMessage('drawn');
  }
  parentPort?.postMessage('batch-done');
});
