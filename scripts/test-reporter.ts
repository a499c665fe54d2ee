/**
 * A Vitest reporter that counts what the closing summary line of scripts/test.ts must say.
 * Vitest's JSON report counts only tests: a failing `beforeAll` marks its tests "skipped", a file
 * that fails to load has no tests, and an unhandled error is no test at all, so a broken build
 * could read "N passed, 0 failed". Here each of those is a failure, and tests that did not run
 * because their hook failed are not called skipped.
 */
import { writeFileSync } from 'node:fs';
import type { Reporter, TestModule, TestSuite } from 'vitest/node';

export interface TestCounts {
  passed: number;
  failed: number;
  skipped: number;
  /** One line per failure that is not a failed test: a hook, a file, an unhandled error. */
  problems: string[];
}

const firstLine = (error: { message?: string } | undefined) =>
  (error?.message ?? 'unknown error').split('\n')[0];

export default class CountingReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    const counts: TestCounts = { passed: 0, failed: 0, skipped: 0, problems: [] };
    for (const module of modules) {
      const where = module.relativeModuleId;
      for (const error of module.errors()) {
        counts.failed += 1;
        counts.problems.push(`${where}: ${firstLine(error)}`);
      }
      const broken = new Set<TestSuite>();
      for (const suite of module.children.allSuites()) {
        const errors = suite.errors();
        if (errors.length === 0) continue;
        broken.add(suite);
        counts.failed += 1;
        counts.problems.push(`${where} > ${suite.fullName}: ${firstLine(errors[0])}`);
      }
      const moduleBroken = module.errors().length > 0;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') counts.passed += 1;
        else if (state === 'failed') counts.failed += 1;
        else if (state === 'skipped' && !moduleBroken && !underBroken(test.parent, broken))
          counts.skipped += 1;
      }
    }
    for (const error of unhandledErrors) {
      counts.failed += 1;
      counts.problems.push(`unhandled error: ${firstLine(error as { message?: string })}`);
    }
    const file = process.env.AIRCOVER_TEST_COUNTS;
    if (file) writeFileSync(file, JSON.stringify(counts));
  }
}

function underBroken(parent: TestSuite | TestModule, broken: Set<TestSuite>): boolean {
  let node: TestSuite | TestModule = parent;
  while (node.type === 'suite') {
    if (broken.has(node)) return true;
    node = node.parent;
  }
  return false;
}
