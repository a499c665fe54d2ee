/**
 * A dry run changes nothing, the store included: it does not create the SQLite file or the
 * Postgres schema, and it does not apply migrations to a store that has them pending (it says to
 * run `db migrate`). Nor does it write the derived caches under the state folder: it reads them.
 */

import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
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
  const dir = mkdtempSync(join(tmpdir(), 'aircover-dry-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const env = (dataDir: string) => ({
  AIRCOVER_SECRET: TEST_SECRET,
  AIRCOVER_DATA_DIR: dataDir,
  AIRCOVER_OUTBOX_DIR: join(dataDir, 'outbox'),
  DATABASE_URL: '',
  RESEND_API_KEY: '',
});

describe('dry runs and the store', () => {
  it('send --dry-run on a machine with no store yet plans against an empty store and creates no file', async () => {
    const dataDir = freshDir();
    const r = await runCli(
      ['send', 'sample', '--touch', 'advance-notice', '--dry-run', '--json'],
      env(dataDir),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).plan[0].partners.length).toBeGreaterThan(0);
    expect(existsSync(join(dataDir, 'aircover.sqlite'))).toBe(false);
    expect(existsSync(join(dataDir, 'outbox'))).toBe(false);
  });

  it('mark --dry-run on a store with pending migrations applies none and says to migrate', async () => {
    const dataDir = freshDir();
    // A store file from before any migration: it exists, and every migration is pending.
    new DatabaseSync(join(dataDir, 'aircover.sqlite')).close();
    const r = await runCli(
      ['mark', 'vistula-wms', 'called', '--campaign', 'sample', '--dry-run'],
      env(dataDir),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/run `aircover db migrate` first/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const store = await openStore({ dataDir, migrate: false });
    try {
      expect((await store.migrationStatus()).every((m) => m.appliedAt === null)).toBe(true);
    } finally {
      await store.close();
    }
  });
});

describe('webinar status only reads the store', () => {
  it('on a machine with no store yet it reports an empty one and creates no SQLite file', async () => {
    const dataDir = freshDir();
    const r = await runCli(['webinar', 'status', 'integrators-share-live', '--json'], env(dataDir));
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ webinar: 'integrators-share-live', registrations: 0 });
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it('on a store with pending migrations it applies none and says to migrate', async () => {
    const dataDir = freshDir();
    new DatabaseSync(join(dataDir, 'aircover.sqlite')).close();
    const r = await runCli(['webinar', 'status', 'integrators-share-live'], env(dataDir));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/run `aircover db migrate` first/);
    const store = await openStore({ dataDir, migrate: false });
    try {
      expect((await store.migrationStatus()).every((m) => m.appliedAt === null)).toBe(true);
    } finally {
      await store.close();
    }
  });
});

/** Every state-changing command's dry run, as a user would type it (webinar and CSV from the sample). */
const DRY_RUNS = [
  ['send', 'sample', '--touch', 'advance-notice', '--dry-run'],
  ['mark', 'vistula-wms', 'called', '--campaign', 'sample', '--dry-run'],
  [
    'import',
    'attendance',
    'integrators-share-live',
    'tests/webinar/fixtures/zoom-participants.csv',
    '--dry-run',
  ],
  ['webinar', 'cancel', 'integrators-share-live', '--dry-run'],
  ['webinar', 'reschedule', 'integrators-share-live', '--start', '2027-03-04T15:00:00+01:00', '--dry-run'],
  ['db', 'sync', '--dry-run'],
  ['db', 'migrate', '--dry-run'],
];

describe('every dry run on a machine with no store yet', () => {
  it.each(DRY_RUNS.map((args) => [args.slice(0, 2).join(' '), args]))(
    '%s --dry-run creates no SQLite file',
    async (_name, args) => {
      const dataDir = freshDir();
      const r = await runCli(args as string[], env(dataDir));
      expect(r.code, r.stderr).toBe(0);
      expect(readdirSync(dataDir)).toEqual([]);
    },
  );
});

/** The dry runs that read the derived caches (campaigns, preflight, layouts) besides the store. */
const CACHE_DRY_RUNS: [string, string[], number][] = [
  ...DRY_RUNS.map((args): [string, string[], number] => [args.slice(0, 2).join(' '), args, 0]),
  ['send --retry-failed', ['send', 'sample', '--touch', 'advance-notice', '--retry-failed', '--dry-run'], 0],
  ['digest', ['digest', '--to', 'team@example.com', '--dry-run'], 0],
  // No mailbox listens there: the sync fails once it has loaded the campaigns, and still writes nothing.
  ['inbox sync', ['inbox', 'sync', '--dry-run'], 1],
];

describe('every dry run leaves the state folder as it was', () => {
  const stateEnv = (dir: string) => ({
    ...env(join(dir, 'data')),
    AIRCOVER_STATE_DIR: join(dir, 'state'),
    AIRCOVER_IMAP_URL: 'imap://user:password@127.0.0.1:1/?folders=INBOX',
  });

  it.each(CACHE_DRY_RUNS)(
    '%s --dry-run writes no cache into a fresh state folder',
    async (_name, args, code) => {
      const dir = freshDir();
      const r = await runCli(args, stateEnv(dir));
      expect(r.code, r.stderr).toBe(code);
      expect(stateFiles(join(dir, 'state'))).toEqual({});
    },
  );

  it('send --dry-run reads the caches a check left and changes none of them', async () => {
    const dir = freshDir();
    const e = stateEnv(dir);
    expect((await runCli(['check', 'sample'], e)).code).toBe(0);
    const before = stateFiles(join(dir, 'state'));
    expect(Object.keys(before).some((f) => f.startsWith(join('cache', 'preflight')))).toBe(true);
    const r = await runCli(['send', 'sample', '--touch', 'advance-notice', '--dry-run'], e);
    expect(r.code, r.stderr).toBe(0);
    expect(stateFiles(join(dir, 'state'))).toEqual(before);
  });
});

describeWith('postgres')('every dry run on a Postgres schema not made yet', () => {
  const url = process.env.AIRCOVER_TEST_DATABASE_URL as string;
  const schemaExists = async (schema: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query(
        'SELECT count(*)::int AS n FROM information_schema.schemata WHERE schema_name = $1',
        [schema],
      );
      return rows[0].n as number;
    } finally {
      await client.end();
    }
  };
  it.each(DRY_RUNS.map((args) => [args.slice(0, 2).join(' '), args]))(
    '%s --dry-run creates no schema and applies no migration',
    async (_name, args) => {
      const schema = `aircover_dry_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
      expect(await schemaExists(schema)).toBe(0);
      const r = await runCli(args as string[], {
        ...env(freshDir()),
        DATABASE_URL: url,
        AIRCOVER_DB_SCHEMA: schema,
      });
      expect(r.code, r.stderr).toBe(0);
      expect(await schemaExists(schema)).toBe(0);
    },
  );

  it('a dry run on a schema with migrations pending applies none and says to migrate', async () => {
    const schema = `aircover_dry_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      // A store from an older aircover: its first migration applied, the rest pending.
      await client.query(`CREATE SCHEMA ${schema}`);
      await client.query(
        `CREATE TABLE ${schema}.schema_migrations (version integer PRIMARY KEY, name text, checksum text, applied_at timestamptz)`,
      );
      await client.query(`INSERT INTO ${schema}.schema_migrations VALUES (1, 'initial schema', 'x', now())`);
      const r = await runCli(['mark', 'vistula-wms', 'called', '--campaign', 'sample', '--dry-run'], {
        ...env(freshDir()),
        DATABASE_URL: url,
        AIRCOVER_DB_SCHEMA: schema,
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/run `aircover db migrate` first/);
      const { rows } = await client.query(
        'SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1',
        [schema],
      );
      expect(rows[0].n).toBe(1);
    } finally {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  });
});
