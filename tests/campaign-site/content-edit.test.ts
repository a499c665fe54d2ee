/**
 * A change to a post's or a paper's text runs Astro again but keeps the partner pages, which
 * show only the content's front matter: the build renders one cached page per campaign with
 * the new server, finds it the same, and places the cached ones. Had a cached page come out
 * different, every page renders again. Either way the output is what a fresh build makes.
 */
import { cpSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEnv, cliBuild, projectRoot } from '../helpers/site-build.ts';

const scratch = join(projectRoot, '.aircover', `content-edit-test-${process.pid}`);
const content = join(scratch, 'content');
const campaigns = join(scratch, 'campaigns');
const post = join(content, 'blog', 'what-integrators-ask-us-first.mdx');

function env(name: string): Record<string, string> {
  return {
    ...buildEnv(`content-edit-${name}`, { contentDir: content, campaignsDir: campaigns }),
    AIRCOVER_STATE_DIR: join(scratch, 'state'),
  };
}

const build = (name: string, args: string[] = []) => cliBuild(env(name), args);

const partnerPages = (client: string) =>
  new Map(
    readdirSync(join(client, 'p')).map((token) => [
      token,
      readFileSync(join(client, 'p', token, 'index.html')),
    ]),
  );

function expectSamePages(a: Map<string, Buffer>, b: Map<string, Buffer>): void {
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  for (const [token, html] of a) expect(b.get(token)?.equals(html), token).toBe(true);
}

function addSentence(text: string): void {
  writeFileSync(post, `${readFileSync(post, 'utf8')}\n${text}\n`);
}

beforeAll(() => {
  cpSync(join(projectRoot, 'content'), content, { recursive: true });
  cpSync(join(projectRoot, 'campaigns'), campaigns, { recursive: true });
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('a change to the text of the content', () => {
  beforeAll(async () => {
    expect((await build('live')).output).toMatch(/Partner pages: 12 to render, 0 unchanged/);
  });

  it('builds the site again and keeps every partner page, as a fresh build renders them', async () => {
    addSentence('A sentence the partner pages never show.');
    const edited = await build('live');
    expect(edited.output).not.toMatch(/Up to date/);
    expect(edited.output).toMatch(/Partner pages: 0 to render, 12 unchanged/);
    expect(edited.output).not.toMatch(/come out different/);
    const postPage = readFileSync(
      join(edited.client, 'blog', 'what-integrators-ask-us-first', 'index.html'),
      'utf8',
    );
    expect(postPage).toContain('A sentence the partner pages never show.');
    const fresh = await build('fresh', ['--fresh']);
    expectSamePages(partnerPages(edited.client), partnerPages(fresh.client));
  });

  it('renders every page again when a cached page no longer comes out the same', async () => {
    // As if the cached pages had been rendered from other inputs: each replaced by other bytes
    // (a new file renamed over it, so the output's link to the old one is left alone).
    const cache = join(scratch, 'state', 'cache', 'pages');
    for (const folder of readdirSync(cache))
      for (const file of readdirSync(join(cache, folder)).filter((name) => name.endsWith('.html'))) {
        const path = join(cache, folder, file);
        writeFileSync(`${path}.stale`, `${readFileSync(path, 'utf8')}<!-- stale -->`);
        renameSync(`${path}.stale`, path);
      }
    addSentence('Another sentence the partner pages never show.');
    const edited = await build('live');
    expect(edited.output).toMatch(/Partner pages: 0 to render, 12 unchanged/);
    expect(edited.output).toMatch(
      /come out different from the cached ones \(campaign sample\): rendering all 12/,
    );
    expect(edited.output).toMatch(/Rendered 12 partner pages/);
    const pages = partnerPages(edited.client);
    for (const [token, html] of pages) expect(html.toString(), token).not.toContain('<!-- stale -->');
    expectSamePages(pages, partnerPages((await build('fresh', ['--fresh'])).client));
  });
});
