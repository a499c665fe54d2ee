/**
 * Shared pieces of the benchmarks: run a command and measure its wall time and peak memory,
 * and print results as JSON. Every bench compares with a baseline measured in the same run,
 * because absolute numbers on a shared two-core machine mean little.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const projectRoot = resolve(import.meta.dirname, '..');

/** The secret the benches sign partner tokens with (a fixed, public one: nothing real). */
export const benchSecret = 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz';

/** A bench's scratch folder, `.aircover/bench/<name>`. */
export function benchDir(name: string): string {
  return join(projectRoot, '.aircover', 'bench', name);
}

/** `--<name> <number>` from the command line, else `fallback`. */
export function numberArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

/** `--<name> 1,2,3` from the command line, else `fallback`. */
export function numberListArg(name: string, fallback: number[]): number[] {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? '').split(',').map(Number) : fallback;
}

export interface Measured {
  seconds: number;
  /** Peak resident memory of the command, in MB (from GNU time), when available. */
  peakMB?: number;
}

/** Runs `node <args>` in a child process; throws with its output when it fails. */
export async function timeNode(
  args: string[],
  env: Record<string, string> = {},
  cwd = projectRoot,
): Promise<Measured> {
  return (await timeNodeOutput(args, env, cwd)).measured;
}

/** timeNode, also returning what the command printed (stdout and stderr together). */
export async function timeNodeOutput(
  args: string[],
  env: Record<string, string> = {},
  cwd = projectRoot,
): Promise<{ measured: Measured; output: string }> {
  const rssFile = join(tmpdir(), `aircover-bench-${process.pid}-${Date.now()}.rss`);
  const useTime = existsSync('/usr/bin/time');
  const command = useTime ? '/usr/bin/time' : process.execPath;
  const commandArgs = useTime ? ['-f', '%M', '-o', rssFile, process.execPath, ...args] : args;
  const started = performance.now();
  let output = '';
  const code = await new Promise<number>((done, fail) => {
    const child = spawn(command, commandArgs, {
      cwd,
      env: { ...process.env, NO_COLOR: '1', ASTRO_TELEMETRY_DISABLED: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('error', fail);
    child.on('close', (status) => done(status ?? 1));
  });
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`node ${args.join(' ')} failed (${code}):\n${output}`);
  const result: Measured = { seconds: round(seconds, 2) };
  if (useTime && existsSync(rssFile)) {
    const kb = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
    if (Number.isFinite(kb)) result.peakMB = Math.round(kb / 1024);
    rmSync(rssFile, { force: true });
  }
  return { measured: result, output };
}

export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export const astroCli = join(projectRoot, 'node_modules', 'astro', 'bin', 'astro.mjs');
export const aircoverCli = join(projectRoot, 'scripts', 'aircover.mjs');

/** A minimal Astro project: one template, `getStaticPaths` returning n plain pages. */
function plainProject(work: string, n: number): string {
  const dir = join(work, `plain-${n}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'src', 'pages'), { recursive: true });
  writeFileSync(join(dir, 'astro.config.mjs'), 'export default { devToolbar: { enabled: false } };\n');
  writeFileSync(
    join(dir, 'src', 'pages', '[n].astro'),
    `---
export function getStaticPaths() {
  return Array.from({ length: ${n} }, (_, i) => ({ params: { n: String(i) } }));
}
const { n } = Astro.params;
---
<html lang="en"><head><title>Page {n}</title></head><body><h1>Page {n}</h1><p>Plain page number {n}.</p></body></html>
`,
  );
  return dir;
}

/**
 * One post's text changes (the first post by name; its front matter stays): a build runs Astro
 * again, with its caches and the page and card caches warm.
 */
export function editPost(content: string): void {
  const name = readdirSync(join(content, 'blog'))
    .filter((file) => /\.mdx?$/.test(file))
    .sort()[0] as string;
  const post = join(content, 'blog', name);
  writeFileSync(post, `${readFileSync(post, 'utf8')}\nOne more sentence, added by the benchmark.\n`);
}

/** The baseline: Astro building n plain pages from one template. */
export async function buildPlainPages(work: string, n: number): Promise<Measured> {
  const dir = plainProject(work, n);
  return timeNode([astroCli, 'build', '--root', dir, '--silent']);
}

/**
 * The sample build, reused while it is current (the benches that serve it measure serving, not
 * building): a stamp of every source file's size and time decides, so a change to src/, content/,
 * the campaigns or the packages rebuilds it.
 */
export async function ensureSampleBuild(outDir: string, bench: string): Promise<void> {
  const stampFile = join(outDir, 'bench-sources.stamp');
  const stamp = sourcesStamp();
  if (
    existsSync(join(outDir, 'server', 'entry.mjs')) &&
    existsSync(stampFile) &&
    readFileSync(stampFile, 'utf8') === stamp
  )
    return;
  process.stderr.write(`${bench} bench: building the sample (the build is missing or stale)…\n`);
  await timeNode([aircoverCli, 'build', '--outDir', outDir], {
    AIRCOVER_SECRET: benchSecret,
    ASTRO_TELEMETRY_DISABLED: '1',
  });
  writeFileSync(stampFile, stamp);
}

function sourcesStamp(): string {
  const hash = createHash('sha256');
  const walk = (path: string) => {
    if (!existsSync(path)) return;
    const info = statSync(path);
    if (info.isDirectory()) {
      for (const name of readdirSync(path).sort()) walk(join(path, name));
    } else hash.update(`${path}\0${info.size}\0${info.mtimeMs}\n`);
  };
  for (const part of [
    'src',
    'content',
    'campaigns',
    'astro.config.mjs',
    'astro.config.ts',
    'package-lock.json',
  ])
    walk(join(projectRoot, part));
  return hash.digest('hex');
}
