#!/usr/bin/env node
// Runs the test suite and ends with the plain line `N passed, N failed, N skipped` that CI reads.
// Vitest's own summary stays on screen; the counts come from scripts/test-reporter.ts, which
// counts failed hooks, files that fail to load and unhandled errors as failures.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestCounts } from './test-reporter.ts';

const dir = mkdtempSync(join(tmpdir(), 'aircover-test-'));
const countsFile = join(dir, 'counts.json');
const vitest = join(import.meta.dirname, '../node_modules/vitest/vitest.mjs');
const result = spawnSync(
  process.execPath,
  [
    vitest,
    'run',
    '--reporter=default',
    `--reporter=${join(import.meta.dirname, 'test-reporter.ts')}`,
    ...process.argv.slice(2),
  ],
  {
    stdio: 'inherit',
    env: { ...process.env, NO_COLOR: '1', ASTRO_TELEMETRY_DISABLED: '1', AIRCOVER_TEST_COUNTS: countsFile },
  },
);

let counts: TestCounts = { passed: 0, failed: 0, skipped: 0, problems: [] };
if (existsSync(countsFile)) counts = JSON.parse(readFileSync(countsFile, 'utf8')) as TestCounts;
else counts.problems.push('vitest ended without a report');
// Vitest failed for a reason nothing above counted (a config error, a crash): still a failure.
if (result.status !== 0 && counts.failed === 0) {
  counts.failed = 1;
  counts.problems.push(`vitest exited with ${result.status ?? result.signal}`);
}
rmSync(dir, { recursive: true, force: true });
for (const problem of counts.problems) process.stdout.write(`failed: ${problem}\n`);
const code = result.status === 0 && counts.failed === 0 ? 0 : 1;
process.stdout.write(`${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
process.exit(code);
