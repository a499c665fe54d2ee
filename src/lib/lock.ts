/**
 * A lock between processes on one machine: a directory created atomically, holding the
 * owner's pid. A lock whose owner has died is taken over, so a killed run never blocks the
 * next one. Used where two runs at once would corrupt shared state (builds share Astro's
 * caches; two sends of one campaign would race).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
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

/** True when a lease's holder was a process of this machine that no longer runs. */
function diedHere(holder: string): boolean {
  const match = /^(\S+) pid (\d+) /.exec(holder);
  if (!match || match[1] !== hostname()) return false;
  try {
    process.kill(Number(match[2]), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Another process holds a store lock; nothing was done. */
export class LockBusyError extends Error {
  override name = 'LockBusyError';
}

/** The part of the store a lease needs (keyed rows with expiry, src/lib/store/keyed.ts). */
interface LeaseStore {
  putKeyOnce(key: string, value: string, ttlMs: number): Promise<boolean>;
  getKey(key: string): Promise<{ value: string; expiresAt: Date } | null>;
  extendKey(key: string, value: string, ttlMs: number): Promise<boolean>;
  deleteKey(key: string, value?: string): Promise<boolean>;
}

/**
 * A lock in the store, for work that must run once across every machine sharing the database
 * (a send of one campaign). It is a lease: a keyed row renewed every third of `ttlMs` while the
 * work runs and deleted after it, so a holder that dies (even `kill -9`) frees it within
 * `ttlMs`. A second caller is refused at once with LockBusyError naming the holder, rather than
 * left waiting behind a run it may not know about.
 */
export async function withStoreLock<T>(
  store: LeaseStore,
  name: string,
  work: () => Promise<T>,
  options: { ttlMs?: number; describe?: (holder: string) => string } = {},
): Promise<T> {
  const ttlMs = options.ttlMs ?? 60_000;
  const key = `lock:${name}`;
  const holder = `${hostname()} pid ${process.pid} since ${new Date().toISOString()} (${randomBytes(4).toString('hex')})`;
  if (!(await store.putKeyOnce(key, holder, ttlMs))) {
    const current = (await store.getKey(key))?.value ?? 'another process';
    // A holder on this machine that has died (kill -9) is not waited for: its lease is taken over.
    if (
      !(
        diedHere(current) &&
        (await store.deleteKey(key, current)) &&
        (await store.putKeyOnce(key, holder, ttlMs))
      )
    )
      throw new LockBusyError(options.describe?.(current) ?? `${name} is locked by ${current}`);
  }
  const renew = setInterval(() => {
    store.extendKey(key, holder, ttlMs).catch(() => undefined);
  }, ttlMs / 3);
  renew.unref();
  try {
    return await work();
  } finally {
    clearInterval(renew);
    await store.deleteKey(key, holder).catch(() => undefined);
  }
}
