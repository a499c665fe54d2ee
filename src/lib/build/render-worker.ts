/**
 * A partner-page rendering thread (src/lib/build/partner-render.ts): imports the built server,
 * loads the campaigns as the build did (the environment is the build's), and renders each
 * batch of pages it is sent into its files.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { partnerPages } from '../campaign/site.ts';
import { writeWhole } from '../fs/write-whole.ts';
import { siteUrl } from '../personalize/links.ts';
import { type RenderJob, serverRenderer } from './partner-render.ts';

const port = parentPort;
if (!port) throw new Error('render-worker.ts runs as a worker thread');
const { outDir } = workerData as { outDir: string };
const render = await serverRenderer(outDir);
const pages = new Map(partnerPages().map((page) => [page.token, page]));
const site = siteUrl();

port.on('message', async (jobs: RenderJob[]) => {
  for (const { token, file } of jobs) {
    const page = pages.get(token);
    // The campaigns changed on disk since the build read them: the build must start over.
    if (!page) throw new Error(`No partner page ${token} in the campaigns: they changed during the build`);
    writeWhole(file, await render(page, site));
    port.postMessage('rendered');
  }
  port.postMessage('ready');
});
port.postMessage('ready');
