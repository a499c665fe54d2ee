/**
 * A command that only reads (a report, a list, a plan) changes nothing, as a dry run does
 * (dry-run-store.test.ts): it opens the store the dry-run way, so it creates neither the SQLite
 * file nor the Postgres schema and applies no migration a store has pending (it says to run
 * `db migrate`). Unlike a dry run it may keep the campaigns' load cache (cache/campaigns) for the
 * next command, as the start-up tests expect (tests/cli/startup.test.ts).
 */

import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/lib/store/index.ts';
import { describeWith } from '../helpers/requires.ts';
import { runCli, TEST_SECRET } from '../helpers/site-build.ts';
import { stateFiles } from '../helpers/state-files.ts';

const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'aircover-read-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
/** A data folder and a state folder side by side, both empty (the state folder not made yet). */
const env = (dir: string) => ({
  AIRCOVER_SECRET: TEST_SECRET,
  AIRCOVER_DATA_DIR: join(dir, 'data'),
  AIRCOVER_STATE_DIR: join(dir, 'state'),
  AIRCOVER_OUTBOX_DIR: join(dir, 'outbox'),
  DATABASE_URL: '',
  RESEND_API_KEY: '',
});

/** Every command that only reads the store, as a user would type it (on the sample project). */
const READ_ONLY: [string, string[]][] = [
  ['followups', ['followups']],
  ['report', ['report']],
  ['inbox', ['inbox']],
  ['inbox list', ['inbox', 'list']],
  ['inbox classify', ['inbox', 'classify', 'tests/inbox/fixtures/auto-reply/sv-dated.eml']],
  ['sends', ['sends', 'sample']],
  ['feedback', ['feedback', 'sample']],
  ['schedule', ['schedule', 'sample']],
  ['db status', ['db', 'status']],
  ['webinar status', ['webinar', 'status', 'integrators-share-live']],
];

/** `db status` shows the migrations as they are; the others refuse a store with some pending. */
const showsPending = (name: string) => name === 'db status';

describe('a read-only command on a machine with no store yet', () => {
  it.each(READ_ONLY)('%s answers from an empty store and leaves the folders empty', async (_name, args) => {
    const dir = freshDir();
    const r = await runCli(args, env(dir));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    // No SQLite file (nor its folder), no outbox.
    expect(readdirSync(dir).filter((f) => f !== 'state')).toEqual([]);
    // In the state folder nothing but the campaigns' load cache, which the commands reading
    // campaigns keep for the next one (README, "Two more caches"), and Node's compile cache.
    expect(
      Object.keys(stateFiles(join(dir, 'state'))).filter((f) => !f.startsWith(join('cache', 'campaigns'))),
    ).toEqual([]);
  });
});

describe('a read-only command on a store with migrations pending', () => {
  it.each(READ_ONLY)('%s applies none', async (name, args) => {
    const dir = freshDir();
    // A store file from before any migration: it exists, and every migration is pending.
    mkdirSync(join(dir, 'data'));
    new DatabaseSync(join(dir, 'data', 'aircover.sqlite')).close();
    const r = await runCli(args, env(dir));
    if (showsPending(name)) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/\d+ pending: run `aircover db migrate`/);
    } else {
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/run `aircover db migrate` first/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      // The hint says what to run, not to check a connection that works.
      expect(r.stderr).not.toMatch(/Check DATABASE_URL/);
      const j = await runCli([...args, '--json'], env(dir));
      expect(JSON.parse(j.stdout).error).toMatchObject({ code: 'store-migrations-pending' });
    }
    const store = await openStore({ dataDir: join(dir, 'data'), migrate: false });
    try {
      expect((await store.migrationStatus()).every((m) => m.appliedAt === null)).toBe(true);
    } finally {
      await store.close();
    }
  });
});

describeWith('postgres')('a read-only command on Postgres', () => {
  const url = process.env.AIRCOVER_TEST_DATABASE_URL as string;
  const newSchema = () => `aircover_read_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const query = async (sql: string, params: unknown[] = []) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows;
    } finally {
      await client.end();
    }
  };
  const tablesIn = async (schema: string) =>
    (
      await query('SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1', [
        schema,
      ])
    )[0].n as number;
  const schemaExists = async (schema: string) =>
    (
      await query('SELECT count(*)::int AS n FROM information_schema.schemata WHERE schema_name = $1', [
        schema,
      ])
    )[0].n as number;

  it.each(READ_ONLY)('%s on a schema not made yet creates no schema', async (_name, args) => {
    const schema = newSchema();
    const r = await runCli(args, { ...env(freshDir()), DATABASE_URL: url, AIRCOVER_DB_SCHEMA: schema });
    expect(r.code, r.stderr).toBe(0);
    expect(await schemaExists(schema)).toBe(0);
  });

  it.each(READ_ONLY)('%s on a schema with migrations pending applies none', async (name, args) => {
    const schema = newSchema();
    // A store from an older aircover: its first migration applied, the rest pending.
    await query(`CREATE SCHEMA ${schema}`);
    try {
      await query(
        `CREATE TABLE ${schema}.schema_migrations (version integer PRIMARY KEY, name text, checksum text, applied_at timestamptz)`,
      );
      await query(`INSERT INTO ${schema}.schema_migrations VALUES (1, 'initial schema', 'x', now())`);
      const r = await runCli(args, { ...env(freshDir()), DATABASE_URL: url, AIRCOVER_DB_SCHEMA: schema });
      if (showsPending(name)) expect(r.code, r.stderr).toBe(0);
      else {
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/run `aircover db migrate` first/);
      }
      expect(await tablesIn(schema)).toBe(1);
    } finally {
      await query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    }
  });
});
