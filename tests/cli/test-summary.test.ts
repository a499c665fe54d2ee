/**
 * scripts/test.ts's closing line counts what went wrong outside tests (a failed beforeAll, a file
 * that fails to load, an unhandled error) as failures, then the skipped; under CI=true a suite
 * whose tool is missing fails instead of skipping.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../helpers/site-build.ts';

const root = mkdtempSync(join(tmpdir(), 'aircover-summary-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function runSuite(files: Record<string, string>, env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(root, 'suite-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const r = spawnSync(process.execPath, [join(projectRoot, 'scripts/test.ts'), '--root', dir], {
    cwd: projectRoot,
    encoding: 'utf8',
    env: { ...process.env, CI: '', ...env },
  });
  const lines = r.stdout.trim().split('\n');
  return { code: r.status, last: lines.at(-1), stdout: r.stdout };
}

describe('the summary line of scripts/test.ts', () => {
  it('counts a failed beforeAll, a file that does not load and an unhandled error as failures', () => {
    const r = runSuite({
      'hooks.test.ts': `import { beforeAll, describe, expect, it } from 'vitest';
describe('hook fails', () => {
  beforeAll(() => { throw new Error('the build failed'); });
  it('a', () => expect(1).toBe(1));
  it('b', () => expect(1).toBe(1));
});
describe('fine', () => { it('c', () => {}); it.skip('d', () => {}); });
it('leaks', () => { setTimeout(() => { throw new Error('late'); }, 1); return new Promise((r) => setTimeout(r, 30)); });
`,
      'broken.test.ts': `import { nope } from './missing.ts';\nimport { it } from 'vitest';\nit('x', () => nope());\n`,
    });
    expect(r.last, r.stdout).toBe('2 passed, 3 failed, 1 skipped');
    expect(r.stdout).toContain('failed: hooks.test.ts > hook fails: the build failed');
    expect(r.code).toBe(1);
  }, 60_000);

  it('under CI=true a suite whose tool is missing fails; without CI it is skipped', () => {
    const requires = join(projectRoot, 'tests/helpers/requires.ts');
    const files = {
      'browser.test.ts': `import { it } from 'vitest';
import { describeWith } from '${requires}';
describeWith('chromium')('in Chromium', () => { it('opens', () => {}); });
`,
    };
    const env = { CHROMIUM_PATH: join(root, 'no-chromium') };
    const ci = runSuite(files, { ...env, CI: 'true' });
    expect(ci.last, ci.stdout).toBe('0 passed, 1 failed, 0 skipped');
    expect(ci.code).toBe(1);
    const dev = runSuite(files, env);
    expect(dev.last, dev.stdout).toBe('0 passed, 0 failed, 1 skipped');
    expect(dev.code).toBe(0);
  }, 60_000);
});
