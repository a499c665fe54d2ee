/**
 * Rebuilds render only what changed: with nothing changed, no partner page is rendered and no
 * card drawn; after one partner row changes, that partner's page and card alone. The pages
 * taken from the cache are byte for byte what a fresh build renders (CSP hashes included).
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../helpers/server.ts';
import { buildEnv, cliBuild, projectRoot, runNode } from '../helpers/site-build.ts';
import { pngSize } from '../site/png.ts';

const scratch = join(projectRoot, '.aircover', `page-cache-test-${process.pid}`);
const campaigns = join(scratch, 'campaigns');
const partnersCsv = join(campaigns, 'sample', 'partners.csv');

function env(name: string): Record<string, string> {
  return {
    ...buildEnv(`page-cache-${name}`, { campaignsDir: campaigns }),
    AIRCOVER_STATE_DIR: join(scratch, 'state'),
  };
}

const build = (name: string, args: string[] = []) => cliBuild(env(name), args);

/** Every partner page and card of a build, by path. */
function partnerFiles(client: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const dir of ['p', 'og/p'])
    for (const file of readdirSync(join(client, dir), { recursive: true, encoding: 'utf8' }))
      if (/\.(html|png)$/.test(file)) files.set(`${dir}/${file}`, readFileSync(join(client, dir, file)));
  return files;
}

beforeAll(() => {
  cpSync(join(projectRoot, 'campaigns'), campaigns, { recursive: true });
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the partner-page cache', () => {
  let first: { output: string; client: string };
  beforeAll(async () => {
    first = await build('first');
  });

  it('renders every page the first time', () => {
    expect(first.output).toMatch(/Partner pages: 12 to render, 0 unchanged/);
  });

  it('renders no page and draws no card when nothing changed, and places the same files', async () => {
    const again = await build('again');
    expect(again.output).toMatch(/Partner pages: 0 to render, 12 unchanged/);
    expect(again.output).not.toMatch(/Drew \d+ cards/);
    const before = partnerFiles(first.client);
    const after = partnerFiles(again.client);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    expect(before.size).toBe(24);
    for (const [file, bytes] of before) expect(after.get(file)?.equals(bytes), file).toBe(true);
  });

  it('skips Astro when nothing changed in the inputs or the output, and builds again when the output changed', async () => {
    const again = await build('first');
    expect(again.output).toMatch(/Up to date: nothing changed/);
    rmSync(join(first.client, 'robots.txt'));
    const repaired = await build('first');
    expect(repaired.output).not.toMatch(/Up to date/);
    expect(repaired.output).toMatch(/Partner pages: 0 to render, 12 unchanged/);
    expect(existsSync(join(first.client, 'robots.txt'))).toBe(true);
  });

  it('renders only the changed partner page and card, identical to a fresh build', async () => {
    const csv = readFileSync(partnersCsv, 'utf8');
    const [header, firstRow, ...rest] = csv.split('\n');
    const company = firstRow?.split(',')[header?.split(',').indexOf('company') ?? -1] ?? '';
    expect(company.length).toBeGreaterThan(0);
    writeFileSync(
      partnersCsv,
      [header, firstRow?.replace(company, `${company} Renamed`), ...rest].join('\n'),
    );

    const changed = await build('changed');
    expect(changed.output).toMatch(/Partner pages: 1 to render, 11 unchanged/);
    expect(changed.output).toMatch(/Drew 1 cards/);
    const pages = [...partnerFiles(changed.client)].filter(([file]) => file.endsWith('.html'));
    expect(pages.filter(([, html]) => html.toString().includes(`${company} Renamed`))).toHaveLength(1);

    const fresh = await build('fresh', ['--fresh']);
    expect(fresh.output).toMatch(/Partner pages: 12 to render, 0 unchanged/);
    const rendered = partnerFiles(fresh.client);
    const placed = partnerFiles(changed.client);
    expect([...placed.keys()].sort()).toEqual([...rendered.keys()].sort());
    for (const [file, bytes] of rendered) expect(placed.get(file)?.equals(bytes), file).toBe(true);
  });

  it("after a change to the partner rows alone, renders the changed pages with the last build's server, no Astro, as a fresh build would", async () => {
    const live = await build('live');
    expect(live.output).not.toMatch(/Astro does not run/);
    // Parsed, not split by lines: the sample has quoted fields over several lines.
    const table = parse(readFileSync(partnersCsv, 'utf8'), { columns: true }) as Record<string, string>[];
    const changed = table[1] as Record<string, string>;
    const company = changed.company as string;
    const removedCompany = (table.pop() as Record<string, string>).company as string;
    changed.company = `${company} Again`;
    writeFileSync(partnersCsv, stringify(table, { header: true }));

    const rows = await build('live');
    expect(rows.output).toMatch(
      /Only partner rows changed: the last build's server renders their pages; Astro does not run/,
    );
    expect(rows.output).toMatch(/Partner pages: 1 to render, 10 unchanged/);
    const placed = partnerFiles(rows.client);
    expect(placed.size).toBe(22);
    const html = [...placed].filter(([file]) => file.endsWith('.html')).map(([, page]) => page.toString());
    expect(html.filter((page) => page.includes(`${company} Again`))).toHaveLength(1);
    expect(html.filter((page) => page.includes(removedCompany))).toHaveLength(0);

    const fresh = await build('live-fresh', ['--fresh']);
    const rendered = partnerFiles(fresh.client);
    expect([...placed.keys()].sort()).toEqual([...rendered.keys()].sort());
    for (const [file, bytes] of rendered) expect(placed.get(file)?.equals(bytes), file).toBe(true);
    const files = (client: string) => readdirSync(client, { recursive: true, encoding: 'utf8' }).sort();
    expect(files(rows.client)).toEqual(files(fresh.client));
    // And the output it left is a build like any other: nothing changed, nothing to do.
    expect((await build('live')).output).toMatch(/Up to date: nothing changed/);
  });

  it('renders on worker threads the same bytes as on one', async () => {
    const one = join(scratch, 'threads-one');
    const two = join(scratch, 'threads-two');
    for (const dir of [one, two]) mkdirSync(dir, { recursive: true });
    const outDir = env('first').AIRCOVER_OUT_DIR as string;
    const script = join(projectRoot, 'tests', 'campaign-site', 'render-threads.ts');
    const result = await runNode([script, outDir, one, two], env('first'));
    expect(result.code, result.stderr).toBe(0);
    const counts = JSON.parse(result.stdout) as Record<
      'single' | 'parallel',
      { here: number; workers: number }
    >;
    const files = readdirSync(one).sort();
    expect(files.length).toBeGreaterThan(10);
    expect(counts.single).toEqual({ here: files.length, workers: 0 });
    expect(counts.parallel).toEqual({ here: 0, workers: files.length });
    expect(readdirSync(two).sort()).toEqual(files);
    for (const file of files)
      expect(readFileSync(join(two, file)).equals(readFileSync(join(one, file))), file).toBe(true);
  });

  it('leaves a card it did not draw to the server, which draws it on first request', async () => {
    const { client } = await build('server');
    const token = readdirSync(join(client, 'p'))[0] as string;
    // As if the build had left this card for later: no static file, nothing in the cache.
    rmSync(join(client, 'og', 'p', `${token}.png`));
    const emptyCache = join(scratch, 'server-state');
    mkdirSync(emptyCache, { recursive: true });
    const dir = env('server').AIRCOVER_OUT_DIR as string;
    const server = await startServer({ dir, client, env: env('server') }, { AIRCOVER_STATE_DIR: emptyCache });
    try {
      const card = await fetch(`${server.url}/og/p/${token}.png`);
      expect(card.status).toBe(200);
      expect(card.headers.get('content-type')).toBe('image/png');
      expect(pngSize(Buffer.from(await card.arrayBuffer()))).toEqual({ width: 1200, height: 630 });
      expect(readdirSync(join(emptyCache, 'cache', 'og')).filter((f) => f.endsWith('.png'))).toHaveLength(1);
      const unknown = await fetch(`${server.url}/og/p/${'x'.repeat(32)}.png`);
      expect(unknown.status).toBe(404);
      // The page route renders on demand only what the build hands it: a token without a file
      // is not found, and a known one is the static file.
      const page = await fetch(`${server.url}/p/${'x'.repeat(32)}/`);
      expect(page.status).toBe(404);
      expect(await page.text()).not.toMatch(/Prepared for/);
      expect((await fetch(`${server.url}/p/${token}/`)).status).toBe(200);
      expect(existsSync(join(dir, 'server', 'partner-cards.json'))).toBe(true);
    } finally {
      await server.stop();
    }
  });

  it('a running server finds the cards of partners a rebuild of its output added', async () => {
    const { client } = await build('server');
    const dir = env('server').AIRCOVER_OUT_DIR as string;
    const server = await startServer({ dir, client, env: env('server') }, env('server'));
    try {
      const table = parse(readFileSync(partnersCsv, 'utf8'), { columns: true }) as Record<string, string>[];
      const before = new Set(readdirSync(join(client, 'p')));
      // The server reads the card manifest on the first request for a card it must draw.
      expect((await fetch(`${server.url}/og/p/${'y'.repeat(32)}.png`)).status).toBe(404);
      const added: Record<string, string> = {
        ...(table[0] as Record<string, string>),
        id: 'added-while-serving',
        email: 'added-while-serving@example.com',
        company: 'Added While Serving AS',
      };
      writeFileSync(partnersCsv, stringify([...table, added], { header: true }));
      const rebuilt = await build('server');
      expect(rebuilt.output).toMatch(/Astro does not run/);
      const token = readdirSync(join(client, 'p')).find((name) => !before.has(name)) as string;
      expect(token).toBeDefined();
      expect((await fetch(`${server.url}/p/${token}/`)).status).toBe(200);
      // As if the build had left the new card to the server.
      rmSync(join(client, 'og', 'p', `${token}.png`));
      const card = await fetch(`${server.url}/og/p/${token}.png`);
      expect(card.status).toBe(200);
      expect(pngSize(Buffer.from(await card.arrayBuffer()))).toEqual({ width: 1200, height: 630 });
    } finally {
      await server.stop();
    }
  });
});
