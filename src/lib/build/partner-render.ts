/**
 * Renders partner pages with the built server (dist/server/entry.mjs exports
 * `renderPartnerPage`, src/server/partner-render.ts) and keeps each in the page cache, under
 * its key (src/lib/build/page-cache.ts). The same renderer serves a full build, after Astro, and
 * a rebuild after a change to the partner lists alone, which runs no Astro: the last build's
 * server renders the changed pages, so both come out byte for byte alike.
 */
import { mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PartnerPage } from '../campaign/site.ts';
import { siteUrl } from '../personalize/links.ts';

type RenderPage = (page: PartnerPage, site?: string) => Promise<string>;

/** The built server's renderer; importing the entry must not start its server. */
async function serverRenderer(outDir: string): Promise<RenderPage> {
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

/**
 * Writes a file whole: under a temporary name, then renamed, so no reader sees half of it.
 * Synchronously: for pages of about 20 KB, the promise API's open, write and close cost more
 * on this thread than the write itself (0.6 s for 1,000 pages, in a profile).
 */
function writeWhole(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

/** Renders each page into `cacheFile(page)`, one at a time: rendering is CPU work. */
export async function renderPartnerPages(
  outDir: string,
  pages: PartnerPage[],
  cacheFile: (page: PartnerPage) => string,
  onProgress?: (done: number, total: number) => void,
): Promise<void> {
  if (pages.length === 0) return;
  const render = await serverRenderer(outDir);
  const site = siteUrl();
  mkdirSync(join(cacheFile(pages[0] as PartnerPage), '..'), { recursive: true });
  for (const [i, page] of pages.entries()) {
    writeWhole(cacheFile(page), await render(page, site));
    onProgress?.(i + 1, pages.length);
  }
}
