/**
 * Builds a site once per test run and shares it between test files (and workers).
 * The first caller builds under an exclusive lock; the others wait for its marker.
 * Builds live under a folder per test run (see `tests/global-setup.ts`).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, inject } from 'vitest';

export const projectRoot = resolve(import.meta.dirname, '../..');
export const buildsRoot = join(projectRoot, '.aircover', 'test-builds');

/** A fixed secret, so tokens in a test build are known to the test. */
export const TEST_SECRET = 'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz';

export interface BuildOptions {
  /** Folder of content (defaults to the sample `content/`). */
  contentDir?: string;
  /** Folder of campaigns (defaults to the sample `campaigns/`). */
  campaignsDir?: string;
  env?: Record<string, string>;
}

export interface SiteBuild {
  dir: string;
  client: string;
  env: Record<string, string>;
}

export const SAMPLE: BuildOptions = {};
export const NO_CAMPAIGNS = 'tests/fixtures/no-campaigns';
export const FIXTURE: BuildOptions = {
  contentDir: 'tests/fixtures/site-content',
  campaignsDir: NO_CAMPAIGNS,
};

export function buildEnv(name: string, options: BuildOptions): Record<string, string> {
  return {
    AIRCOVER_SECRET: TEST_SECRET,
    AIRCOVER_OUT_DIR: join(buildsRoot, inject('testRunId'), name),
    AIRCOVER_STATE_DIR: join(projectRoot, '.aircover'),
    ...(options.contentDir ? { AIRCOVER_CONTENT_DIR: options.contentDir } : {}),
    ...(options.campaignsDir ? { AIRCOVER_CAMPAIGNS_DIR: options.campaignsDir } : {}),
    ...options.env,
  };
}

/** `aircover build` in this environment, which must succeed: what it printed, and the client folder. */
export async function cliBuild(
  env: Record<string, string>,
  args: string[] = [],
): Promise<{ output: string; client: string }> {
  const result = await runCli(['build', ...args], env);
  expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
  return { output: result.stdout + result.stderr, client: join(env.AIRCOVER_OUT_DIR as string, 'client') };
}

/** Runs the aircover CLI in a child process, as a user would. */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
  cwd = projectRoot,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return runNode([join(projectRoot, 'scripts/aircover.mjs'), ...args], env, cwd);
}

/** Runs a script with the pinned Node in a child process. */
export function runNode(
  args: string[],
  env: Record<string, string> = {},
  cwd = projectRoot,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, {
      cwd,
      env: { ...process.env, NO_COLOR: '1', ASTRO_TELEMETRY_DISABLED: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? 1, stdout, stderr }));
  });
}

/** Returns the build named `name`, building it first if this run has not yet. */
export async function ensureBuild(name: string, options: BuildOptions = SAMPLE): Promise<SiteBuild> {
  const env = buildEnv(name, options);
  const dir = env.AIRCOVER_OUT_DIR as string;
  const done = `${dir}.done`;
  const failed = `${dir}.failed`;
  const lock = `${dir}.lock`;
  const result = { dir, client: join(dir, 'client'), env };
  mkdirSync(dirname(dir), { recursive: true });
  for (;;) {
    if (existsSync(done)) return result;
    if (existsSync(failed))
      throw new Error(`build ${name} failed earlier in this run:\n${readFileSync(failed, 'utf8')}`);
    try {
      mkdirSync(lock); // atomic: only one process gets it
      break;
    } catch {
      await sleep(250);
    }
  }
  try {
    rmSync(dir, { recursive: true, force: true });
    const { code, stdout, stderr } = await runCli(['build'], env);
    if (code !== 0) {
      writeFileSync(failed, `${stdout}\n${stderr}`);
      throw new Error(`build ${name} failed (exit ${code}):\n${stdout}\n${stderr}`);
    }
    writeFileSync(done, new Date().toISOString());
    return result;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
