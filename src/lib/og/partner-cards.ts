/**
 * Partner cards on first request. Drawing 10,000 cards takes minutes of CPU, more than the
 * rest of a build, so `aircover build` draws them beside Astro while Astro works and leaves
 * the rest to the server: the build writes every partner's card content into its server
 * folder (never the public one: it holds every token), and the first request for a card not
 * yet drawn draws it into the card cache, where every later request finds it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CardContent } from './card.ts';

const MANIFEST = 'partner-cards.json';

/** Written by `aircover build` into `<outDir>/server/`. */
export function writePartnerCardManifest(outDir: string, cards: Record<string, CardContent>): void {
  writeFileSync(join(outDir, 'server', MANIFEST), JSON.stringify(cards));
}

/** The server folder of the build this module runs from: the one holding entry.mjs. */
function serverDir(from = fileURLToPath(import.meta.url)): string | undefined {
  for (let dir = dirname(from); dir !== dirname(dir); dir = dirname(dir))
    if (existsSync(join(dir, 'entry.mjs'))) return dir;
  return undefined;
}

let manifest: Map<string, CardContent> | undefined;

/** The card content of a partner token, or undefined for a token no build made a page for. */
export function partnerCardContent(token: string): CardContent | undefined {
  if (!manifest) {
    const dir = serverDir();
    const file = dir && join(dir, MANIFEST);
    manifest =
      file && existsSync(file)
        ? new Map(Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, CardContent>))
        : new Map();
  }
  return manifest.get(token);
}
