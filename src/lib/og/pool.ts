/**
 * Draws many cards in worker threads into the card cache. Astro renders endpoints one at a
 * time; a campaign of 10,000 partners needs 10,000 cards, so `aircover build` draws them
 * beside Astro, stops when Astro is done (a signal), and places the drawn ones itself.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { placeFiles } from '../build/place.ts';
import { type CardContent, cacheDir, cachedCardFile, cardHash } from './card.ts';

export interface WarmOptions {
  dir?: string;
  threads?: number;
  /** Called after each card with the number drawn so far and the number to draw. */
  onProgress?: (drawn: number, total: number) => void;
  /** Stops drawing: the workers end at once, and the cards drawn so far stay in the cache. */
  signal?: AbortSignal;
}

/** Draws every card not yet cached; returns how many it drew. */
export async function warmCards(cards: CardContent[], options: WarmOptions = {}): Promise<number> {
  const dir = options.dir ?? cacheDir();
  const seen = new Set<string>();
  const missing = cards.filter((card) => {
    const hash = cardHash(card);
    if (seen.has(hash) || existsSync(join(dir, `${hash}.png`))) return false;
    seen.add(hash);
    return true;
  });
  if (missing.length === 0 || options.signal?.aborted) return 0;
  const threads = Math.max(
    1,
    Math.min(options.threads ?? availableParallelism(), Math.ceil(missing.length / 50)),
  );
  const batchSize = 50;
  let next = 0;
  let drawn = 0;
  const run = () =>
    new Promise<void>((resolve, reject) => {
      const worker = new Worker(new URL('./worker.ts', import.meta.url));
      const stop = () => void worker.terminate().then(() => resolve());
      options.signal?.addEventListener('abort', stop, { once: true });
      const send = () => {
        if (options.signal?.aborted) return stop();
        if (next >= missing.length) {
          options.signal?.removeEventListener('abort', stop);
          void worker.terminate().then(() => resolve());
          return;
        }
        worker.postMessage({ cards: missing.slice(next, next + batchSize), dir });
        next += batchSize;
      };
      worker.on('message', (message: string) => {
        if (message === 'drawn') {
          drawn += 1;
          options.onProgress?.(drawn, missing.length);
        } else send();
      });
      worker.once('error', reject);
      send();
    });
  await Promise.all(Array.from({ length: threads }, run));
  return drawn;
}

/**
 * Puts cached cards at their places in the build output. Partner cards skip Astro
 * altogether: with 10,000 partners, routing each through an endpoint only to read a file back
 * cost more than the rest of the rebuild. Cards must be drawn (warmCards) first.
 */
export function placeCards(cards: { content: CardContent; to: string }[], dir = cacheDir()): Promise<void> {
  return placeFiles(cards.map(({ content, to }) => ({ from: cachedCardFile(content, dir), to })));
}
