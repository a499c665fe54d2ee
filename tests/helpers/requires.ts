/**
 * Suites that need a tool the machine may lack (Chromium, Postgres, Dovecot). On a developer's
 * machine without it the suite is skipped, and the summary line counts it as skipped. Under
 * CI=true a missing tool is a failure, never a silent skip: CI (.ci/run) installs and starts
 * everything, so a missing one means CI is broken.
 *
 *   describeWith('chromium')('the dashboard in Chromium', () => { ... });
 *   describeWith('postgres')('the collector on Postgres', () => { ... });
 */
import { execFileSync } from 'node:child_process';
import { describe, it } from 'vitest';
import { chromiumPath, hasChromium } from '../../src/lib/browser.ts';

export type Tool = 'chromium' | 'postgres' | 'dovecot';

/** Why `tool` cannot be used here, or undefined when it can. */
export function missing(tool: Tool, env: NodeJS.ProcessEnv = process.env): string | undefined {
  switch (tool) {
    case 'chromium':
      return hasChromium(chromiumPath(env))
        ? undefined
        : `no Chromium at ${chromiumPath(env)} (CHROMIUM_PATH)`;
    case 'postgres':
      return env.AIRCOVER_TEST_DATABASE_URL ? undefined : 'AIRCOVER_TEST_DATABASE_URL is not set';
    case 'dovecot':
      try {
        execFileSync('dovecot', ['--version'], { stdio: 'ignore' });
        return undefined;
      } catch {
        return 'no dovecot on PATH (apt-get install dovecot-imapd)';
      }
  }
}

export const isCI = (env: NodeJS.ProcessEnv = process.env) => Boolean(env.CI) && env.CI !== 'false';

/** `it` when every tool is there; `it.skip` without one; under CI, a failing test. */
export function itWith(...tools: Tool[]): (name: string, fn: () => unknown, timeout?: number) => void {
  const reasons = tools.map((tool) => missing(tool)).filter((r): r is string => r !== undefined);
  if (reasons.length === 0) return (name, fn, timeout) => it(name, fn, timeout);
  if (!isCI()) return (name, fn) => it.skip(`${name} (skipped: ${reasons.join('; ')})`, fn);
  return (name) =>
    it(name, () => {
      throw new Error(
        `${reasons.join('; ')}: under CI=true a missing tool fails the test instead of skipping it`,
      );
    });
}

/** `describe` when every tool is there; `describe.skip` without one; under CI, a failing suite. */
export function describeWith(...tools: Tool[]): (name: string, fn: () => void) => void {
  const reasons = tools.map((tool) => missing(tool)).filter((r): r is string => r !== undefined);
  if (reasons.length === 0) return (name, fn) => describe(name, fn);
  if (!isCI()) return (name, fn) => describe.skip(`${name} (skipped: ${reasons.join('; ')})`, fn);
  return (name) =>
    describe(name, () => {
      it(`needs ${tools.join(' and ')}`, () => {
        throw new Error(
          `${reasons.join('; ')}: under CI=true a missing tool fails the suite instead of skipping it`,
        );
      });
    });
}
