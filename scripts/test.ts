#!/usr/bin/env node
// Runs the whole test suite and ends with the plain line `N passed, N failed` that CI reads.
// Vitest's own summary stays on screen; the counts come from its JSON report.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'aircover-test-'));
const report = join(dir, 'report.json');
const vitest = join(import.meta.dirname, '../node_modules/vitest/vitest.mjs');
const result = spawnSync(
  process.execPath,
  [
    vitest,
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit', env: { ...process.env, NO_COLOR: '1', ASTRO_TELEMETRY_DISABLED: '1' } },
);

let passed = 0;
let failed = 0;
try {
  const json = JSON.parse(readFileSync(report, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    testResults: { status: string; assertionResults: unknown[] }[];
  };
  passed = json.numPassedTests;
  // A file that fails to load has no test results of its own: count it as a failure.
  failed =
    json.numFailedTests +
    json.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
} catch {
  failed = Math.max(failed, 1);
}
rmSync(dir, { recursive: true, force: true });
const code = result.status === 0 && failed === 0 ? 0 : 1;
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(code);
