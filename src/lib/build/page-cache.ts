/**
 * The partner-page cache: a rebuild renders only the partner pages whose inputs changed
 * (src/lib/build/fingerprint.ts) and takes the others, byte for byte, from the pages an
 * earlier build rendered. Astro renders every page it is given, so `aircover build` gives it
 * only the changed ones (AIRCOVER_RENDER_PARTNERS, read by src/lib/campaign/site.ts) and
 * places the rest after it. The cached page is Astro's own output, so its CSP hashes are
 * Astro's too.
 */

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { PartnerPage } from '../campaign/site.ts';
import { pageKey } from './fingerprint.ts';
import { placeFiles } from './place.ts';

export interface PagePlan {
  /** Pages Astro renders in this build. */
  render: PartnerPage[];
  /** Pages taken from the cache. */
  cached: PartnerPage[];
  keys: Map<string, string>;
  dir: string;
}

/**
 * One cache per campaigns folder, so pruning what this build no longer needs never deletes the
 * pages of another folder's builds sharing the state folder.
 */
export function pageCacheDir(
  campaignsDir: string,
  stateDir = process.env.AIRCOVER_STATE_DIR ?? '.aircover',
): string {
  const full = resolve(campaignsDir);
  const key = createHash('sha256').update(full).digest('hex').slice(0, 16);
  return resolve(
    stateDir,
    'cache',
    'pages',
    `${basename(full)
      .replace(/[^A-Za-z0-9_-]/g, '_')
      .slice(0, 40)}-${key}`,
  );
}

const pageFile = (clientDir: string, token: string) => join(clientDir, 'p', token, 'index.html');

/** Splits the pages into those to render and those the cache holds. `fresh` renders all. */
export function planPages(
  pages: PartnerPage[],
  shared: string,
  options: { dir: string; fresh?: boolean },
): PagePlan {
  const dir = options.dir;
  const plan: PagePlan = { render: [], cached: [], keys: new Map(), dir };
  for (const page of pages) {
    const key = pageKey(shared, page.campaign.id, page.token, page.partner);
    plan.keys.set(page.token, key);
    if (!options.fresh && existsSync(join(dir, `${key}.html`))) plan.cached.push(page);
    else plan.render.push(page);
  }
  return plan;
}

/**
 * Writes the list of pages Astro should render, for the page route to read. Returns the
 * variables to set, none when every page renders (the route then renders all, as in `astro dev`).
 */
export function renderListEnv(plan: PagePlan): Record<string, string> {
  if (plan.cached.length === 0) return {};
  mkdirSync(plan.dir, { recursive: true });
  const file = join(plan.dir, `render-${process.pid}.json`);
  writeFileSync(file, JSON.stringify(plan.render.map((page) => page.token)));
  return { AIRCOVER_RENDER_PARTNERS: file };
}

/**
 * After Astro: keeps the pages it rendered for the next build and places the cached ones
 * (src/lib/build/place.ts).
 */
export async function settlePages(plan: PagePlan, clientDir: string): Promise<void> {
  mkdirSync(plan.dir, { recursive: true });
  const cacheFile = (page: PartnerPage) => join(plan.dir, `${plan.keys.get(page.token) as string}.html`);
  // A link appears whole, so a build killed midway never leaves a partial page in the cache
  // (placeFiles copies through a temporary name where it cannot link). 1,000 renames from
  // temporary names, one by one, took 0.8 s.
  await placeFiles(
    plan.render.map((page) => ({ from: pageFile(clientDir, page.token), to: cacheFile(page) })),
  );
  await placeFiles(
    plan.cached.map((page) => ({ from: cacheFile(page), to: pageFile(clientDir, page.token) })),
  );
  rmSync(join(plan.dir, `render-${process.pid}.json`), { force: true });
  // Pages of rows and inputs that are gone: a change to src/ would otherwise leave a full set
  // of pages behind each time (200 MB at 10,000 partners).
  const current = new Set([...plan.keys.values()].map((key) => `${key}.html`));
  const stale = readdirSync(plan.dir).filter((name) => name.endsWith('.html') && !current.has(name));
  await Promise.all(stale.map((name) => rm(join(plan.dir, name), { force: true })));
}

/**
 * Moves the last build's output aside, so Astro starts from an empty folder, and deletes it
 * off the main thread while Astro works. Astro empties its output folder one file at a time
 * on the thread that renders: with 1,000 partners that took 2.3 s of a 13 s rebuild (a page
 * and a card each). Returns the deletion, to await before the build ends.
 */
export async function clearOutputAside(
  outDir: string,
  trashRoot = resolve('.aircover', 'trash'),
): Promise<void> {
  mkdirSync(trashRoot, { recursive: true });
  // Leftovers of builds that were killed before their deletion finished go too.
  const leftovers = readdirSync(trashRoot).map((name) => join(trashRoot, name));
  const aside = join(trashRoot, `${Date.now().toString(36)}-${process.pid}`);
  try {
    renameSync(resolve(outDir), aside);
    leftovers.push(aside);
  } catch {
    // No output yet, or another file system: Astro empties it itself.
  }
  await Promise.all(leftovers.map((dir) => rm(dir, { recursive: true, force: true })));
}
