/**
 * A lock between processes on one machine: a directory created atomically, holding the
 * owner's pid. A lock whose owner has died is taken over, so a killed run never blocks the
 * next one. Used where two runs at once would corrupt shared state (builds share Astro's
 * caches; two sends of one campaign would race).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

function ownerAlive(lockDir: string): boolean {
  try {
    const pid = Number(readFileSync(join(lockDir, 'pid'), 'utf8'));
    if (!Number.isInteger(pid) || pid <= 0) return false;
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function withLock<T>(
  lockDir: string,
  work: () => Promise<T>,
  options: { onWait?: () => void; pollMs?: number } = {},
): Promise<T> {
  mkdirSync(dirname(lockDir), { recursive: true });
  let warned = false;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // Give a new owner a moment to write its pid before judging it dead.
      await sleep(options.pollMs ?? 200);
      if (!ownerAlive(lockDir)) {
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (!warned) options.onWait?.();
      warned = true;
    }
  }
  const release = () => rmSync(lockDir, { recursive: true, force: true });
  process.once('exit', release);
  try {
    return await work();
  } finally {
    process.removeListener('exit', release);
    release();
  }
}
