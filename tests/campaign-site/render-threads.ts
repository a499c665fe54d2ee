/**
 * Run by page-cache.test.ts with the pinned Node (it imports a built server, which vitest's
 * module loader should not transform): renders every partner page of the campaigns in the
 * environment on one thread into argv[3], and on a worker thread into argv[4], with the server
 * built in argv[2]. Prints how many pages each thread rendered.
 */
import { join } from 'node:path';
import { renderPartnerPages } from '../../src/lib/build/partner-render.ts';
import { partnerPages } from '../../src/lib/campaign/site.ts';

const [outDir, one, two] = process.argv.slice(2) as [string, string, string];
const pages = partnerPages();
const jobs = (dir: string) => pages.map((page) => ({ page, file: join(dir, `${page.token}.html`) }));
const single = await renderPartnerPages(outDir, jobs(one), { threads: 1 });
const parallel = await renderPartnerPages(outDir, jobs(two), {
  threads: 2,
  parallelFrom: 1,
  workersOnly: true,
});
process.stdout.write(JSON.stringify({ single, parallel }));
