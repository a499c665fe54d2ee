/**
 * Draws many cards ahead of the Astro build, on every core. Astro renders endpoints one at
 * a time; a campaign of 10,000 partners needs 10,000 cards, so `aircover build` fills the
 * card cache in parallel first and the build then reads every card from disk.
 */
import { copyFileSync, existsSync, linkSync, mkdirSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type CardContent, cacheDir, cachedCardFile, cardHash } from './card.ts';

export interface WarmOptions {
  dir?: string;
  threads?: number;
  /** Called after each card with the number drawn so far and the number to draw. */
  onProgress?: (drawn: number, total: number) => void;
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
  if (missing.length === 0) return 0;
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
      const send = () => {
        if (next >= missing.length) {
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
 * Copies cached cards to their places in the build output. Partner cards skip Astro
 * altogether: with 10,000 partners, routing each through an endpoint only to read a file back
 * cost more than the rest of the rebuild. Cards must be drawn (warmCards) first.
 */
export function placeCards(cards: { content: CardContent; to: string }[], dir = cacheDir()): void {
  const folders = new Set<string>();
  for (const { content, to } of cards) {
    const folder = dirname(to);
    if (!folders.has(folder)) {
      mkdirSync(folder, { recursive: true });
      folders.add(folder);
    }
    placeFile(cachedCardFile(content, dir), to);
  }
}

/**
 * A hard link where the file system allows it (a cached card is never changed in place: the
 * cache writes a new file and renames it), a copy where it does not (another device). Copying
 * 10,000 cards took about 10 s of a rebuild; linking them, well under one.
 */
function placeFile(from: string, to: string): void {
  rmSync(to, { force: true });
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}
