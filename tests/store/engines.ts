/**
 * The engines the store suite runs against: SQLite always, Postgres when AIRCOVER_TEST_DATABASE_URL
 * is set. Every `fresh()` database is isolated: a new file in this test file's temp folder, or a new
 * Postgres schema with a random name (dropped in `cleanup`), so parallel test files never collide.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type OpenStoreOptions, openStore, type Store } from '../../src/lib/store/index.ts';
import { isCI, missing } from '../helpers/requires.ts';

export interface TestDatabase {
  /** Everything `openStore` needs to reach this database again (a second connection). */
  options: OpenStoreOptions;
  open(extra?: OpenStoreOptions): Promise<Store>;
}

export interface TestEngine {
  name: 'sqlite' | 'postgres';
  /** A new empty database (not migrated until opened). */
  fresh(): Promise<TestDatabase>;
  cleanup(): Promise<void>;
}

const pgUrl = process.env.AIRCOVER_TEST_DATABASE_URL;

function sqliteEngine(): TestEngine {
  let dir: string | undefined;
  let n = 0;
  return {
    name: 'sqlite',
    async fresh() {
      dir ??= mkdtempSync(join(tmpdir(), 'aircover-store-'));
      const options: OpenStoreOptions = { url: `sqlite:${join(dir, `db-${++n}.sqlite`)}` };
      return { options, open: (extra) => openStore({ ...options, ...extra }) };
    },
    async cleanup() {
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresEngine(url: string): TestEngine {
  const schemas: string[] = [];
  return {
    name: 'postgres',
    async fresh() {
      const schema = `aircover_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
      schemas.push(schema);
      const options: OpenStoreOptions = { url, schema };
      return { options, open: (extra) => openStore({ ...options, ...extra }) };
    },
    async cleanup() {
      if (schemas.length === 0) return;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Under CI=true a missing Postgres fails every Postgres test instead of leaving them out. */
function missingEngine(reason: string): TestEngine {
  return {
    name: 'postgres',
    fresh: () =>
      Promise.reject(new Error(`${reason}: under CI=true the Postgres tests fail instead of skipping`)),
    cleanup: async () => undefined,
  };
}

export const engines: TestEngine[] = [
  sqliteEngine(),
  ...(pgUrl ? [postgresEngine(pgUrl)] : isCI() ? [missingEngine(missing('postgres') ?? 'no Postgres')] : []),
];
