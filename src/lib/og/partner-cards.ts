/**
 * Partner cards on first request. Drawing 10,000 cards takes minutes of CPU, more than the
 * rest of a build, so `aircover build` draws them beside Astro while Astro works and leaves
 * the rest to the server: the build writes every partner's card content into its server
 * folder (never the public one: it holds every token), and the first request for a card not
 * yet drawn draws it into the card cache, where every later request finds it.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeWhole } from '../fs/write-whole.ts';
import type { CardContent } from './card.ts';

const MANIFEST = 'partner-cards.json';

/**
 * Written by `aircover build` into `<outDir>/server/`, whole (a running server may read it: a
 * rebuild after a change to the partner lists writes into the live output).
 */
export function writePartnerCardManifest(outDir: string, cards: Record<string, CardContent>): void {
  writeWhole(join(outDir, 'server', MANIFEST), JSON.stringify(cards));
}

/** The server folder of the build this module runs from: the one holding entry.mjs. */
function serverDir(from = fileURLToPath(import.meta.url)): string | undefined {
  for (let dir = dirname(from); dir !== dirname(dir); dir = dirname(dir))
    if (existsSync(join(dir, 'entry.mjs'))) return dir;
  return undefined;
}

let manifest: { cards: Map<string, CardContent>; mtimeMs: number } | undefined;
/** The manifest's path, found once (null: not looked for yet; undefined: not in a build). */
let manifestFile: string | undefined | null = null;

/**
 * The card content of a partner token, or undefined for a token no build made a page for. Read
 * again when a rebuild replaced the manifest: only requests for cards not yet drawn get here.
 */
export function partnerCardContent(token: string): CardContent | undefined {
  if (manifestFile === null) {
    const dir = serverDir();
    manifestFile = dir && join(dir, MANIFEST);
  }
  const file = manifestFile;
  const mtimeMs = file && existsSync(file) ? statSync(file).mtimeMs : 0;
  if (!manifest || manifest.mtimeMs !== mtimeMs) {
    const cards =
      file && mtimeMs > 0
        ? new Map(Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, CardContent>))
        : new Map<string, CardContent>();
    manifest = { cards, mtimeMs };
  }
  return manifest.cards.get(token);
}
