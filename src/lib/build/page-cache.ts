/**
 * The partner-page cache: a rebuild renders only the partner pages whose inputs changed
 * (src/lib/build/fingerprint.ts) and takes the others, byte for byte, from the pages an
 * earlier build rendered. The built server renders the changed ones straight into this cache
 * (src/lib/build/partner-render.ts), and every page is placed from here into the output.
 */

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { PartnerPage } from '../campaign/site.ts';
import { pageKey } from './fingerprint.ts';
import { placeFiles } from './place.ts';

export interface PagePlan {
  /** Pages this build renders. */
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

/** Where a partner's page goes in the output. */
function partnerPageFile(clientDir: string, page: PartnerPage): string {
  return join(clientDir, 'p', page.token, 'index.html');
}

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

/** Where a page of the plan is kept between builds. */
export function cachedPageFile(plan: PagePlan, page: PartnerPage): string {
  return join(plan.dir, `${plan.keys.get(page.token) as string}.html`);
}

/**
 * After the changed pages are rendered into the cache: places every page in the output (one
 * already there, linked to its cached file, stays), removes the pages and cards of partners
 * that are gone, and prunes the cache of pages no build will ask for.
 */
export async function settlePages(plan: PagePlan, clientDir: string): Promise<void> {
  mkdirSync(plan.dir, { recursive: true });
  // A link appears whole, so a build killed midway never leaves a partial page in the output.
  await placeFiles(
    [...plan.render, ...plan.cached].map((page) => ({
      from: cachedPageFile(plan, page),
      to: partnerPageFile(clientDir, page),
    })),
  );
  const tokens = new Set(plan.keys.keys());
  const gone = (dir: string, tokenOf: (name: string) => string) => {
    try {
      return readdirSync(dir)
        .filter((name) => !tokens.has(tokenOf(name)))
        .map((name) => join(dir, name));
    } catch {
      return []; // no such folder: nothing of a partner there
    }
  };
  await Promise.all(
    [
      ...gone(join(clientDir, 'p'), (name) => name),
      ...gone(join(clientDir, 'og', 'p'), (name) => name.replace(/\.png$/, '')),
    ].map((path) => rm(path, { recursive: true, force: true })),
  );
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
