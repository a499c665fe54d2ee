/**
 * Renders partner pages with the built server (dist/server/entry.mjs exports
 * `renderPartnerPage`, src/server/partner-render.ts) and keeps each in the page cache, under
 * its key (src/lib/build/page-cache.ts). The same renderer serves a full build, after Astro, and
 * a rebuild after a change to the partner lists alone, which runs no Astro: the last build's
 * server renders the changed pages, so both come out byte for byte alike.
 *
 * Many pages are rendered on every core: this thread and workers (render-worker.ts) take
 * batches from one queue. A worker costs about a second to start (it imports the server and
 * loads the campaigns), so a few pages stay on this thread.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PartnerPage } from '../campaign/site.ts';
import { writeWhole } from '../fs/write-whole.ts';
import { siteUrl } from '../personalize/links.ts';

export type RenderPage = (page: PartnerPage, site?: string) => Promise<string>;

/** What a render worker is sent: the page's token and its file in the page cache. */
export interface RenderJob {
  token: string;
  file: string;
}

/** A page to render into `file`, in the page cache. */
export interface PageJob {
  page: PartnerPage;
  file: string;
}

/** From this many pages on, workers help (each costs about a second to start). */
const PARALLEL_FROM = 500;
const BATCH = 50;

/** The built server's renderer; importing the entry must not start its server. */
export async function serverRenderer(outDir: string): Promise<RenderPage> {
  const was = process.env.ASTRO_NODE_AUTOSTART;
  process.env.ASTRO_NODE_AUTOSTART = 'disabled';
  try {
    // The build's time in the URL: a process that builds twice imports the new server, not the
    // module it loaded the first time.
    const file = resolve(outDir, 'server', 'entry.mjs');
    const url = `${pathToFileURL(file).href}?built=${statSync(file).mtimeMs}`;
    const entry = (await import(url)) as {
      renderPartnerPage?: RenderPage;
    };
    if (typeof entry.renderPartnerPage !== 'function')
      throw new Error(`${outDir}/server/entry.mjs has no renderPartnerPage: it was built by another version`);
    return entry.renderPartnerPage;
  } finally {
    if (was === undefined) delete process.env.ASTRO_NODE_AUTOSTART;
    else process.env.ASTRO_NODE_AUTOSTART = was;
  }
}

/** Renders each page into its cache file, on up to `threads` threads; says how many where. */
export async function renderPartnerPages(
  outDir: string,
  queue: PageJob[],
  options: {
    threads?: number;
    /** Fewer pages than this stay on this thread (default 500). */
    parallelFrom?: number;
    /** Leaves every page to the workers, so a test knows they rendered. */
    workersOnly?: boolean;
    onProgress?: (done: number, total: number) => void;
  } = {},
): Promise<{ here: number; workers: number }> {
  const count = { here: 0, workers: 0 };
  if (queue.length === 0) return count;
  const render = await serverRenderer(outDir);
  const site = siteUrl();
  mkdirSync(dirname((queue[0] as PageJob).file), { recursive: true });

  let next = 0;
  let done = 0;
  const rendered = () => options.onProgress?.(++done, queue.length);
  const helpers =
    queue.length >= (options.parallelFrom ?? PARALLEL_FROM) ? Math.max(0, (options.threads ?? 1) - 1) : 0;
  const workers: Worker[] = [];
  const helper = () =>
    new Promise<void>((resolve, reject) => {
      const worker = new Worker(new URL('./render-worker.ts', import.meta.url), { workerData: { outDir } });
      workers.push(worker);
      worker.on('message', (message: 'rendered' | 'ready') => {
        if (message === 'rendered') {
          count.workers += 1;
          return rendered();
        }
        const batch = queue.slice(next, next + BATCH);
        next += batch.length;
        if (batch.length === 0) return void worker.terminate().then(() => resolve());
        worker.postMessage(batch.map(({ page, file }): RenderJob => ({ token: page.token, file })));
      });
      worker.once('error', reject);
    });
  const here = async () => {
    while (next < queue.length && !(options.workersOnly && helpers > 0)) {
      const { page, file } = queue[next++] as PageJob;
      writeWhole(file, await render(page, site));
      count.here += 1;
      rendered();
      // A render resolves in microtasks and never yields: let the workers' messages in.
      if (helpers > 0) await new Promise((resolve) => setImmediate(resolve));
    }
  };
  try {
    await Promise.all([here(), ...Array.from({ length: helpers }, helper)]);
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  return count;
}
