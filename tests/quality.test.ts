/**
 * The project's own quality gates, run with the tests so CI holds them: the linter and
 * formatter report nothing, and `astro check` (TypeScript strict over .ts and .astro)
 * finds no errors and no warnings.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from './helpers/site-build.ts';

const bin = (name: string) => join(projectRoot, 'node_modules', '.bin', name);
const run = (command: string, args: string[]) =>
  spawnSync(command, args, {
    cwd: projectRoot,
    encoding: 'utf8',
    env: {
      ...process.env,
      NO_COLOR: '1',
      PATH: `${join(projectRoot, 'node_modules', '.bin')}:${process.env.PATH}`,
    },
  });

describe('code quality', () => {
  it('passes biome (lint and format) with zero warnings', () => {
    const result = run(bin('biome'), ['check', '--error-on-warnings', '.']);
    expect(result.status, result.stdout + result.stderr).toBe(0);
  });

  it('passes astro check with no errors or warnings', () => {
    const result = run(bin('astro'), ['check']);
    const output = result.stdout + result.stderr;
    expect(result.status, output).toBe(0);
    expect(output).toMatch(/- 0 errors/);
    expect(output).toMatch(/- 0 warnings/);
    // A whole-project type check running beside the other suites: minutes on a loaded 2-core
    // machine, so it gets more than the default limit (a limit on the wait, not on the result).
  }, 400_000);
});
