/**
 * Choosing the engine, and StoreUnavailableError when the database cannot be used: the error the
 * HTTP endpoints turn into 503 so nothing is silently dropped.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { migrations, openStore, StoreUnavailableError, sqlitePathFor } from '../../src/lib/store/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'aircover-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('openStore', () => {
  it('reads SQLite locations from urls and the data folder', () => {
    expect(sqlitePathFor(undefined, '/srv/data')).toBe('/srv/data/aircover.sqlite');
    expect(sqlitePathFor('sqlite:/var/db/a.sqlite')).toBe('/var/db/a.sqlite');
    expect(sqlitePathFor('sqlite:///var/db/a.sqlite')).toBe('/var/db/a.sqlite');
    expect(sqlitePathFor('file:///var/db/a.sqlite')).toBe('/var/db/a.sqlite');
    expect(sqlitePathFor('sqlite::memory:')).toBe(':memory:');
    expect(() => sqlitePathFor('mysql://db/x')).toThrow(/unsupported/);
  });

  it('defaults to SQLite in AIRCOVER_DATA_DIR, in WAL mode', async () => {
    const previous = { data: process.env.AIRCOVER_DATA_DIR, url: process.env.DATABASE_URL };
    process.env.AIRCOVER_DATA_DIR = join(dir, 'default');
    delete process.env.DATABASE_URL;
    try {
      const store = await openStore();
      expect(store.engine).toBe('sqlite');
      expect(store.location).toBe(join(dir, 'default', 'aircover.sqlite'));
      await store.close();
      const raw = new DatabaseSync(store.location);
      expect(raw.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
      raw.close();
    } finally {
      if (previous.data === undefined) delete process.env.AIRCOVER_DATA_DIR;
      else process.env.AIRCOVER_DATA_DIR = previous.data;
      if (previous.url !== undefined) process.env.DATABASE_URL = previous.url;
    }
  });
});

describe('StoreUnavailableError', () => {
  it('on an unreachable Postgres', async () => {
    const error = await openStore({
      url: 'postgres://nobody:secret@127.0.0.1:1/none',
      connectTimeoutMs: 2000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as StoreUnavailableError).engine).toBe('postgres');
    // The password never reaches a message or a log.
    expect((error as Error).message).not.toContain('secret');
  });

  it('on a SQLite file in a location that cannot be written', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a folder');
    const error = await openStore({ dataDir: join(file, 'data') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    const error2 = await openStore({ url: `sqlite:${join(file, 'x.sqlite')}` }).catch((e: unknown) => e);
    expect(error2).toBeInstanceOf(StoreUnavailableError);
  });

  it('on a SQLite file locked by another connection beyond the busy timeout', async () => {
    const url = `sqlite:${join(dir, 'locked.sqlite')}`;
    const store = await openStore({ url, busyTimeoutMs: 150 });
    const holder = new DatabaseSync(join(dir, 'locked.sqlite'));
    holder.exec('BEGIN IMMEDIATE');
    try {
      const started = performance.now();
      const error = await store
        .appendEvents([
          { campaign: 'c', type: 't', source: 'page', occurredAt: new Date(), verdict: 'human' },
        ])
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect(performance.now() - started).toBeGreaterThanOrEqual(100);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    // Once the lock is gone the same store works again.
    expect(
      await store.appendEvents([
        { campaign: 'c', type: 't', source: 'page', occurredAt: new Date(), verdict: 'human' },
      ]),
    ).toEqual({ inserted: 1, duplicates: 0 });
    await store.close();
  });
});

describe('aircover db', () => {
  const cli = new URL('../../scripts/aircover.mjs', import.meta.url).pathname;
  const run = promisify(execFile);

  it('migrate applies once, status shows it, an unreachable database is one clear error', async () => {
    const dataDir = join(dir, 'cli');
    const env = { ...process.env, NO_COLOR: '1', DATABASE_URL: '' };
    const cmd = (...args: string[]) =>
      run(process.execPath, [cli, 'db', ...args, '--dataDir', dataDir], { env });
    const before = JSON.parse((await cmd('status', '--json')).stdout);
    expect(before.migrations[0].appliedAt).toBeNull();
    expect(JSON.parse((await cmd('migrate', '--json')).stdout).applied).toEqual(
      migrations.map((m) => m.version),
    );
    expect(JSON.parse((await cmd('migrate', '--json')).stdout).applied).toEqual([]);
    const after = JSON.parse((await cmd('status', '--json')).stdout);
    expect(after).toMatchObject({ engine: 'sqlite', location: join(dataDir, 'aircover.sqlite') });
    expect(after.migrations[0].appliedAt).toMatch(/Z$/);
    const failure = await run(
      process.execPath,
      [cli, 'db', 'migrate', '--url', 'postgres://x@127.0.0.1:1/x'],
      {
        env,
      },
    ).catch((e: { code: number; stderr: string }) => e);
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toMatch(/^error Postgres .* unavailable: .*ECONNREFUSED/);
    expect((failure as { stderr: string }).stderr).not.toMatch(/\n\s+at /);
  });
});
