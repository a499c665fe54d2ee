/**
 * Starts the real server on a build, exactly as `aircover serve` does (src/server/: the beacon
 * fast path in front of the Node adapter's handler), on 127.0.0.1 with a free port, and stops
 * it after. Its store is a fresh SQLite folder unless the env names one (AIRCOVER_DATA_DIR or
 * DATABASE_URL).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { projectRoot, type SiteBuild } from './site-build.ts';

export interface RunningServer {
  url: string;
  /** The SQLite folder the server writes to (unless the env chose another store). */
  dataDir: string;
  /** Everything the server printed so far. */
  log(): string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
// A test run that dies must not leave servers behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A port the OS says is free now; the adapter's server does not report the port it took. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export async function startServer(
  build: SiteBuild,
  env: Record<string, string> = {},
): Promise<RunningServer> {
  const port = await freePort();
  const args = ['serve', '--host', '127.0.0.1', '--port', String(port), '--outDir', build.dir];
  return spawnServer(port, [join(projectRoot, 'scripts/aircover.mjs'), ...args], build, env);
}

/**
 * Starts the build's bare adapter entry, `node dist/server/entry.mjs`, as a deployment without
 * `aircover serve` would (HOST and PORT from the environment, no beacon fast path, no partner sync).
 */
export async function startBareEntry(
  build: SiteBuild,
  env: Record<string, string> = {},
): Promise<RunningServer> {
  const port = await freePort();
  return spawnServer(port, [join(build.dir, 'server', 'entry.mjs')], build, {
    HOST: '127.0.0.1',
    PORT: String(port),
    ...env,
  });
}

async function spawnServer(
  port: number,
  argv: string[],
  build: SiteBuild,
  env: Record<string, string>,
): Promise<RunningServer> {
  const url = `http://127.0.0.1:${port}`;
  const dataDir = env.AIRCOVER_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'aircover-server-'));
  const child = spawn(process.execPath, argv, {
    cwd: projectRoot,
    env: { ...process.env, NO_COLOR: '1', ...build.env, AIRCOVER_DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let log = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`server exited with ${child.exitCode} before listening:\n${log}`);
    try {
      await fetch(`${url}/robots.txt`);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`server did not answer within 30 s:\n${log}`);
      await sleep(100);
    }
  }
  return {
    url,
    dataDir,
    log: () => log,
    stop: () =>
      new Promise<void>((resolve) => {
        running.delete(child);
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
