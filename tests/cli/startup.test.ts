/**
 * Start-up: `--help`, a command's `--help` and a wrong command line load none of the heavy
 * modules (they load when a command runs), and the ./aircover launcher runs the CLI on the pinned
 * Node without a warning. Timings are the benchmark's job (bench/cli.ts), not this test's.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'aircover-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const heavy = [
  'astro',
  'mjml',
  'mjml-core',
  'satori',
  '@resvg/resvg-js',
  'playwright-core',
  'pg',
  'liquidjs',
  'marked',
  'resend',
  'nodemailer',
  'yaml',
  'zod',
];

let traces = 0;
/** The packages a CLI call loads, from node_modules. */
function packagesLoaded(args: string[]): { packages: Set<string>; status: number | null; stdout: string } {
  const file = join(dir, `loads-${traces++}.txt`);
  const result = spawnSync(
    process.execPath,
    ['--import', join(import.meta.dirname, 'trace-loads.mjs'), join(root, 'scripts/aircover.mjs'), ...args],
    {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        AIRCOVER_TRACE_LOADS: file,
        AIRCOVER_STATE_DIR: join(dir, 'state'),
        AIRCOVER_DATA_DIR: join(dir, 'data'),
        AIRCOVER_OUTBOX_DIR: join(dir, 'outbox'),
        AIRCOVER_SECRET: 'startup-test-secret-0123456789-abcdefghijklmn',
        NO_COLOR: '1',
      },
    },
  );
  const packages = new Set<string>();
  for (const url of readFileSync(file, 'utf8').split('\n')) {
    const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (match?.[1]) packages.add(match[1]);
  }
  return { packages, status: result.status, stdout: result.stdout };
}

describe('start-up', () => {
  it('--help lists every command and loads nothing heavy', () => {
    const { packages, status, stdout } = packagesLoaded(['--help']);
    expect(status).toBe(0);
    expect(stdout).toContain('followups');
    expect(stdout).toContain('webinar');
    expect([...packages].filter((p) => heavy.includes(p))).toEqual([]);
  });

  it.each([
    'build',
    'check',
    'send',
    'followups',
    'report',
    'preview',
    'pdf',
    'serve',
    'webinar',
    'db',
    'mark',
    'inbox',
  ])('%s --help loads nothing heavy', (command) => {
    const { packages, status } = packagesLoaded([command, '--help']);
    expect(status).toBe(0);
    expect([...packages].filter((p) => heavy.includes(p))).toEqual([]);
  });

  // The follow-up commands read the campaigns from the cache (src/lib/campaign/load-cache.ts)
  // once a run has loaded them: then no parser and no schema library loads.
  const parsers = [...heavy, 'gray-matter', 'csv-parse', 'csv-stringify'];
  it.each([['followups'], ['report'], ['followups', '--json']])(
    '%s with the campaigns cached loads no parser, no zod',
    (...args) => {
      packagesLoaded(args);
      const { packages, status } = packagesLoaded(args);
      expect(status).toBe(0);
      expect([...packages].filter((p) => parsers.includes(p))).toEqual([]);
    },
  );

  it('webinar status with the webinar cached loads no parser, no zod', () => {
    const args = ['webinar', 'status', 'integrators-share-live'];
    packagesLoaded(args);
    const { packages, status, stdout } = packagesLoaded(args);
    expect(status).toBe(0);
    expect(stdout).toContain('integrators-share-live');
    expect([...packages].filter((p) => parsers.includes(p))).toEqual([]);
  });

  it('send --touch --dry-run after a check loads no MJML, no parser, no zod, no transport', () => {
    // The check fills the caches (the compiled layout, the loaded campaign, the preflight's); a
    // dry run only reads them, so it cannot be its own warm-up.
    expect(packagesLoaded(['check', 'sample']).status).toBe(0);
    const args = ['send', 'sample', '--touch', 'advance-notice', '--dry-run'];
    const { packages, status } = packagesLoaded(args);
    expect(status).toBe(0);
    // Planning compiles the templates (liquidjs, marked) for the content versions and checks
    // addresses with nodemailer's one-file address parser; nothing else heavy: no MJML (the
    // layout is digested from its source), no loader, no Resend SDK.
    const needed = ['liquidjs', 'marked', 'nodemailer'];
    const unwanted = [...parsers, 'mjml-core', 'juice'].filter((p) => !needed.includes(p));
    expect([...packages].filter((p) => unwanted.includes(p))).toEqual([]);
  });

  it('feedback reads the store only: no campaign loader, no CSV writer without --csv', () => {
    const { packages, status } = packagesLoaded(['feedback', 'sample']);
    expect(status).toBe(0);
    expect([...packages].filter((p) => parsers.includes(p))).toEqual([]);
  });

  it('a wrong command line exits 2 before loading anything heavy', () => {
    const { packages, status } = packagesLoaded(['send', 'sample']);
    expect(status).toBe(2);
    expect([...packages].filter((p) => heavy.includes(p))).toEqual([]);
  });

  it('./aircover runs the CLI on the pinned Node, without warnings, and fills the compile cache', () => {
    const state = join(dir, 'launcher-state');
    const result = spawnSync(join(root, 'aircover'), ['--version'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, AIRCOVER_STATE_DIR: state, NODE_COMPILE_CACHE: '' },
    });
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(result.stderr).toBe('');
    // Node names its cache folder after its own version: the pinned one (24), not the system's 20.
    expect(readdirSync(join(state, 'cache', 'node'))).toEqual([expect.stringMatching(/^v24\./)]);
  });
});
