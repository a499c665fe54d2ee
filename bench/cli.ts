#!/usr/bin/env node
/**
 * Start-up of every command: time to the first byte of output, against `node -e 0` in the same run.
 * Each case runs in turn with the baseline (A B A B …), so drift on a shared machine hits both;
 * the ratio is the median of the pairwise ratios. Goal: the first output within 5× `node -e 0`.
 * Also the launcher the README tells people to use (`./aircover`) against calling the entry file
 * with the pinned Node: at most 0.3 s more, and no warnings. Runs against a scratch store and
 * state folder; the sample campaign is only read. JSON out.
 *
 *   npm run bench -- cli [--runs 7] [--only followups,check]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { benchDir, numberArg, printJson, projectRoot, round } from './lib.ts';

const RUNS = numberArg('runs', 7);
const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex > 0 ? (process.argv[onlyIndex + 1] ?? '').split(',') : [];
const GOAL_RATIO = 5;
const GOAL_LAUNCHER_SECONDS = 0.3;

const work = benchDir('cli');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const env: NodeJS.ProcessEnv = {
  ...process.env,
  NO_COLOR: '1',
  ASTRO_TELEMETRY_DISABLED: '1',
  AIRCOVER_STATE_DIR: join(work, 'state'),
  AIRCOVER_DATA_DIR: join(work, 'data'),
  AIRCOVER_OUTBOX_DIR: join(work, 'outbox'),
  AIRCOVER_SECRET: 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz',
  AIRCOVER_TEAM_EMAIL: 'team@example.com',
};
delete env.NODE_COMPILE_CACHE;
delete env.RESEND_API_KEY;
delete env.DATABASE_URL;

interface Run {
  /** Seconds from spawn to the first byte on stdout or stderr (the whole run when it prints nothing). */
  first: number;
  total: number;
  code: number;
  stderr: string;
}

function runOnce(command: string, args: string[]): Promise<Run> {
  return new Promise((done, fail) => {
    const started = performance.now();
    let first = 0;
    let stderr = '';
    const child = spawn(command, args, { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const mark = () => {
      if (!first) first = performance.now();
    };
    child.stdout.on('data', mark);
    child.stderr.on('data', (chunk: Buffer) => {
      mark();
      stderr += chunk;
    });
    child.on('error', fail);
    child.on('close', (code) => {
      const end = performance.now();
      done({
        first: ((first || end) - started) / 1000,
        total: (end - started) / 1000,
        code: code ?? 1,
        stderr,
      });
    });
  });
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/** Runs A and B in turn RUNS times after one warm-up each; medians and the median pairwise ratio. */
async function paired(a: [string, string[]], b: [string, string[]]) {
  await runOnce(...a);
  await runOnce(...b);
  const as: Run[] = [];
  const bs: Run[] = [];
  for (let i = 0; i < RUNS; i++) {
    as.push(await runOnce(...a));
    bs.push(await runOnce(...b));
  }
  return { as, bs };
}

const node = process.execPath;
const entry = join(projectRoot, 'scripts', 'aircover.mjs');
const baseline: [string, string[]] = [node, ['-e', '0']];

/**
 * What each command prints first, on the sample project (read only; the store is a scratch one).
 * `prepare` runs once first: a dry run fills no cache, so the check the user runs before a send does.
 */
const cases: { name: string; args: string[]; prepare?: string[] }[] = [
  { name: '--help', args: ['--help'] },
  { name: '--version', args: ['--version'] },
  ...['build', 'check', 'db', 'digest', 'feedback', 'followups', 'import', 'mark', 'pdf', 'preview']
    .concat(['report', 'send', 'serve', 'start', 'webinar'])
    .map((command) => ({ name: `${command} --help`, args: [command, '--help'] })),
  { name: 'followups', args: ['followups'] },
  { name: 'report', args: ['report'] },
  { name: 'feedback sample', args: ['feedback', 'sample'] },
  { name: 'db status', args: ['db', 'status'] },
  { name: 'check sample', args: ['check', 'sample'] },
  {
    name: 'send sample --touch advance-notice --dry-run',
    args: ['send', 'sample', '--touch', 'advance-notice', '--dry-run'],
    prepare: ['check', 'sample'],
  },
  { name: 'webinar status', args: ['webinar', 'status', 'integrators-share-live'] },
].filter((c) => only.length === 0 || only.some((o) => c.name.startsWith(o)));

const results = [];
for (const c of cases) {
  if (c.prepare) await runOnce(node, [entry, ...c.prepare]);
  const { as, bs } = await paired([node, [entry, ...c.args]], baseline);
  const ratios = as.map((a, i) => a.first / (bs[i] as Run).total);
  const ratio = round(median(ratios), 2);
  results.push({
    command: `aircover ${c.name}`,
    exitCode: (as[0] as Run).code,
    firstOutputSeconds: round(median(as.map((r) => r.first)), 3),
    totalSeconds: round(median(as.map((r) => r.total)), 3),
    baselineSeconds: round(median(bs.map((r) => r.total)), 3),
    ratio,
    goal: `first output ≤ ${GOAL_RATIO}× node -e 0`,
    met: ratio <= GOAL_RATIO,
  });
  process.stderr.write(`${c.name}: ${ratio}×\n`);
}

// The README's way against the entry file with the pinned Node (both with the compile cache).
const launcher = await paired([join(projectRoot, 'aircover'), ['--help']], [node, [entry, '--help']]);
const extra = median(launcher.as.map((a, i) => a.total - (launcher.bs[i] as Run).total));
const warnings = launcher.as.filter((r) => /warn/i.test(r.stderr)).length;

const loadavg = (await import('node:os')).loadavg().map((l) => round(l, 2));
const failing = results.filter((r) => !r.met).map((r) => r.command);
printJson({
  bench: 'cli',
  runs: RUNS,
  loadavg,
  baseline: 'node -e 0 (pinned Node)',
  commands: results,
  launcher: {
    command: './aircover --help',
    against: 'node scripts/aircover.mjs --help',
    launcherSeconds: round(median(launcher.as.map((r) => r.total)), 3),
    entrySeconds: round(median(launcher.bs.map((r) => r.total)), 3),
    extraSeconds: round(extra, 3),
    runsWithWarnings: warnings,
    goal: `≤ ${GOAL_LAUNCHER_SECONDS} s more, no warnings`,
    met: extra <= GOAL_LAUNCHER_SECONDS && warnings === 0,
  },
  goals: {
    startup: { met: failing.length === 0, failing },
    launcher: extra <= GOAL_LAUNCHER_SECONDS && warnings === 0,
  },
});
