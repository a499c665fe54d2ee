/**
 * A rebuild with nothing changed at all skips Astro: when every input of the site (the shared
 * fingerprint, every partner page's key, what the build's date decides for each paper, post
 * and webinar) is what the last build of this output folder was made from, and the folder
 * still holds exactly the files that build left (same paths, sizes and times), the build is
 * up to date. Anything else, down to one file touched in the output, builds again.
 *
 * When only partner rows changed (the server's key, everything but the rows, is the last
 * build's, and the output is untouched since), the last build's server renders the changed
 * pages and Astro does not run (src/lib/build/partner-render.ts).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ContentIndex } from '../content/read.ts';
import { isAdvanceCopy, isPublicPaper, isPublicPost } from '../publishing.ts';
import { lifecycleOf } from '../webinar/lifecycle.ts';

/** What the moment of the build decides on the public pages. */
export function contentTimeState(content: ContentIndex, now = new Date()): string {
  return JSON.stringify({
    year: now.getFullYear(),
    papers: [...content.whitepapers.values()].map((p) => [
      p.id,
      isPublicPaper(p.data, now),
      isAdvanceCopy(p.data, now),
    ]),
    posts: [...content.blog.values()].map((p) => [p.id, isPublicPost(p.data, now)]),
    webinars: [...content.webinars.values()].map((w) => {
      const life = lifecycleOf(w.data, [], now);
      return [w.id, life.state, life.registrationOpen, life.over];
    }),
  });
}

export function siteKey(parts: { shared: string; timeState: string; pageKeys: Iterable<string> }): string {
  const hash = createHash('sha256').update(parts.shared).update(parts.timeState);
  for (const key of [...parts.pageKeys].sort()) hash.update(key);
  return hash.digest('hex');
}

function stampFile(outDir: string, stateDir: string): string {
  const id = createHash('sha256').update(resolve(outDir)).digest('hex').slice(0, 16);
  return join(resolve(stateDir), 'cache', 'builds', `${id}.json`);
}

/** Every file of the output with its size and modification time. */
function listing(outDir: string): string[] {
  const root = resolve(outDir);
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .sort()
    .flatMap((file) => {
      const stat = statSync(join(root, file));
      return stat.isFile() ? [`${file}\0${stat.size}\0${stat.mtimeMs}`] : [];
    });
}

/** What every page but the partner pages is built from: the shared part and the moment's state. */
export function serverKey(parts: { shared: string; timeState: string }): string {
  return createHash('sha256').update(parts.shared).update(parts.timeState).digest('hex');
}

interface Stamp {
  key: string;
  server?: string | undefined;
  files: string[];
  /** The hashes of the cards the output uses, drawn or left to the server (src/lib/og/prune.ts). */
  cards?: string[] | undefined;
}

/** A stamp, or undefined when it is missing or unreadable. */
function readStampFile(file: string): Stamp | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Stamp;
  } catch {
    return undefined;
  }
}

const readStamp = (outDir: string, stateDir: string) => readStampFile(stampFile(outDir, stateDir));

export function isUpToDate(outDir: string, stateDir: string, key: string): boolean {
  const stamp = readStamp(outDir, stateDir);
  return stamp !== undefined && stamp.key === key && untouched(outDir, stamp);
}

/** The last build's output can stay, its server rendering the partner pages that changed. */
export function serverIsCurrent(outDir: string, stateDir: string, server: string): boolean {
  const stamp = readStamp(outDir, stateDir);
  return stamp !== undefined && stamp.server === server && untouched(outDir, stamp);
}

function untouched(outDir: string, stamp: Stamp): boolean {
  try {
    const files = listing(outDir);
    return files.length === stamp.files.length && files.every((file, i) => file === stamp.files[i]);
  } catch {
    return false; // the output folder is gone
  }
}

/** After a complete build. `key` undefined forgets the stamp (the next build builds). */
export function stampBuild(
  outDir: string,
  stateDir: string,
  key: string | undefined,
  server?: string,
  cards?: string[],
): void {
  const file = stampFile(outDir, stateDir);
  if (key === undefined) {
    rmSync(file, { force: true });
    return;
  }
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, JSON.stringify({ key, server, files: listing(outDir), cards } satisfies Stamp));
}

/**
 * The cards every output folder built from this state folder uses, or undefined when a stamp
 * does not say (written by an older build): then nothing is known to be unused.
 */
export function cardsInUse(stateDir: string): Set<string> | undefined {
  const dir = join(resolve(stateDir), 'cache', 'builds');
  const used = new Set<string>();
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.json'));
  } catch {
    return used;
  }
  for (const name of names) {
    const cards = readStampFile(join(dir, name))?.cards;
    if (!cards) return undefined;
    for (const hash of cards) used.add(hash);
  }
  return used;
}

/** Before writing into the output: a build that fails midway leaves no stamp to trust. */
export function forgetStamp(outDir: string, stateDir: string): void {
  stampBuild(outDir, stateDir, undefined);
}
