/**
 * The card cache keeps a card per content hash, so every renamed partner or retitled paper
 * leaves one behind. After a build, cards no output folder of this state folder uses (their
 * stamps list them, src/lib/build/up-to-date.ts) are deleted, once older than an hour: a
 * build of another folder that has not stamped yet, or a server drawing on request, may be
 * writing them now.
 */
import { readdirSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { cacheDir } from './card.ts';

const GRACE_MS = 60 * 60 * 1000;

/** Deletes the unused cards; returns how many. `inUse` undefined keeps them all. */
export async function pruneCards(
  inUse: Set<string> | undefined,
  dir = cacheDir(),
  now = Date.now(),
): Promise<number> {
  if (!inUse) return 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0; // no cache yet
  }
  const unused = names.filter((name) => {
    if (!name.endsWith('.png') || inUse.has(name.slice(0, -'.png'.length))) return false;
    try {
      return now - statSync(join(dir, name)).mtimeMs > GRACE_MS;
    } catch {
      return false; // gone meanwhile
    }
  });
  await Promise.all(unused.map((name) => rm(join(dir, name), { force: true })));
  return unused.length;
}
