/**
 * The store: `openStore()` and everything its callers need. See types.ts for the data shapes and
 * conventions (ISO timestamps out, emails normalised), sql-store.ts for each method's contract.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Driver } from './driver.ts';
import { StoreMigrationsPendingError } from './errors.ts';
import { openPostgres } from './postgres.ts';
import { SqlStore } from './sql-store.ts';
import { openSqlite } from './sqlite.ts';
import type { Store } from './types.ts';

export { isStoreUnavailable, StoreUnavailableError } from './errors.ts';
export { migrations } from './migrations.ts';
export { normalizeEmail } from './sql-shared.ts';
export * from './types.ts';

export interface OpenStoreOptions {
  /**
   * `postgres://` / `postgresql://` → Postgres; `sqlite:/path`, `sqlite:./rel`, `file:` URL or path
   * → SQLite. Default: `DATABASE_URL`, else the SQLite file in `dataDir`.
   */
  url?: string;
  /** SQLite folder when no URL says otherwise. Default `AIRCOVER_DATA_DIR` or `./data`. */
  dataDir?: string;
  /** Apply pending migrations on open (default true). `aircover db status` opens without. */
  migrate?: boolean;
  /** SQLite: how long a writer waits for another process's lock. Default 5000 ms. */
  busyTimeoutMs?: number;
  /** Postgres: how long to wait for a connection. Default 5000 ms. */
  connectTimeoutMs?: number;
  /** Postgres: schema to use and create (default `AIRCOVER_DB_SCHEMA`, else the URL's search_path). */
  schema?: string;
  /** Postgres: pool size (default `AIRCOVER_PG_POOL_MAX` or 10). */
  poolMax?: number;
  /**
   * For `--dry-run`, and for a command that only reads (`followups`, `report`, `sends`,
   * `feedback`, `schedule`, `webinar status`, `db status`, the inbox's `list` and `classify`):
   * change nothing. A store never set up (a SQLite file that does not exist yet; on Postgres, a
   * database or schema with no migration applied, where migrating would run CREATE SCHEMA and
   * every migration) is not touched: the run sees an empty store in memory.
   * Pending migrations are not applied: the open fails with a StoreUnavailableError that says to
   * run `aircover db migrate` first, unless `migrate: false` says the caller only inspects the
   * store as it is (`db migrate --dry-run`, `db sync --dry-run`).
   */
  dryRun?: boolean;
}

export const sqliteFileName = 'aircover.sqlite';

const isPostgresUrl = (url: string) => /^postgres(ql)?:\/\//i.test(url);

/** The SQLite file a URL or the data folder names. */
export function sqlitePathFor(url: string | undefined, dataDir?: string): string {
  if (!url) return resolve(join(dataDir ?? process.env.AIRCOVER_DATA_DIR ?? './data', sqliteFileName));
  if (/^file:\/\//i.test(url)) return fileURLToPath(url);
  const match = /^(?:sqlite|file):(.*)$/i.exec(url);
  if (match) {
    const rest = match[1] ?? '';
    if (rest === ':memory:') return rest;
    // sqlite:///abs/path → /abs/path; sqlite:/abs and sqlite:./rel as written.
    return resolve(rest.startsWith('//') ? rest.slice(2) : rest);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw new Error(
      `unsupported database URL scheme: ${url.split(':')[0]} (use postgres:// or sqlite:/path)`,
    );
  }
  return resolve(url);
}

/**
 * What a dry run (or a command that only reads) sees of a store never set up: an empty one in
 * memory (migrated unless the caller inspects migrations), labelled with the store it stands in
 * for. Nothing on disk or in the database is created.
 */
async function emptyStandIn(location: string, migrated: boolean): Promise<Store> {
  const store = new SqlStore({
    ...openSqlite({ path: ':memory:' }),
    // Not "dry run": a command that only reads (`db status`) prints it too.
    location: `${location}, empty in memory`,
  });
  if (migrated) await store.migrate();
  return store;
}

/**
 * Open the store, choosing the engine from the options or the environment, and apply pending
 * migrations. Throws StoreUnavailableError when the database cannot be reached or opened.
 */
export async function openStore(options: OpenStoreOptions = {}): Promise<Store> {
  const url = options.url ?? (process.env.DATABASE_URL || undefined);
  let driver: Driver;
  let schema: string | undefined;
  if (url && isPostgresUrl(url)) {
    schema = options.schema ?? (process.env.AIRCOVER_DB_SCHEMA || undefined);
    driver = await openPostgres({
      url,
      ...(schema === undefined ? {} : { schema }),
      ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
      ...(options.poolMax === undefined ? {} : { poolMax: options.poolMax }),
    });
  } else {
    const path = sqlitePathFor(url, options.dataDir);
    if (options.dryRun === true && path !== ':memory:' && !existsSync(path))
      return emptyStandIn(`${path} (not created)`, options.migrate !== false);
    driver = openSqlite({
      path,
      ...(options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs }),
    });
  }
  const store = new SqlStore(driver, schema === undefined ? {} : { schema });
  if (options.dryRun === true) {
    const status = await store.migrationStatus().catch(async (error: unknown) => {
      await store.close().catch(() => undefined);
      throw error;
    });
    const pending = status.filter((m) => m.appliedAt === null);
    // Reading the migration table created nothing; the caller looks at the store as it is.
    if (options.migrate === false) return store;
    if (store.engine === 'postgres' && pending.length > 0 && pending.length === status.length) {
      // Never set up: like a SQLite file not made yet, an empty store in memory.
      await store.close().catch(() => undefined);
      return emptyStandIn(`${store.location} (not set up)`, true);
    }
    if (pending.length > 0) {
      await store.close().catch(() => undefined);
      throw new StoreMigrationsPendingError(
        store.engine,
        `the store needs ${pending.length} migration(s) (${pending.map((m) => m.version).join(', ')}): run \`aircover db migrate\` first; this run changes nothing`,
      );
    }
    return store;
  }
  if (options.migrate !== false) {
    try {
      await store.migrate();
    } catch (error) {
      await store.close().catch(() => undefined);
      throw error;
    }
  }
  return store;
}
