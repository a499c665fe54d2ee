/**
 * The default engine: one SQLite file through `node:sqlite`, in WAL mode.
 *
 * node:sqlite is synchronous, and an open transaction belongs to the connection, not to the async
 * call that opened it. So every use of a file within this process goes through one async lock per
 * file: two calls on one store, or two stores on one file, never interleave statements inside each
 * other's transaction, and a connection never blocks the event loop in busy_timeout waiting for a
 * lock that another connection of the same process holds across an `await` (a deadlock until the
 * timeout). Between processes SQLite's own locking applies: writers open with BEGIN IMMEDIATE and
 * wait up to `busyTimeoutMs`, then fail with StoreUnavailableError.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import type { Driver, Queryable, Row } from './driver.ts';
import { StoreUnavailableError } from './errors.ts';

export interface SqliteOptions {
  /** Path of the database file, or `:memory:`. */
  path: string;
  /** How long a writer waits for another process's lock before giving up. Default 5000 ms. */
  busyTimeoutMs?: number;
}

/** One queue per database file, shared by every connection of this process. */
const fileLocks = new Map<string, { tail: Promise<unknown>; users: number }>();

function lockFor(key: string) {
  let lock = fileLocks.get(key);
  if (!lock) {
    lock = { tail: Promise.resolve(), users: 0 };
    fileLocks.set(key, lock);
  }
  lock.users += 1;
  const entry = lock;
  return {
    run<T>(fn: () => Promise<T>): Promise<T> {
      const result = entry.tail.then(fn);
      entry.tail = result.then(
        () => undefined,
        () => undefined,
      );
      return result;
    },
    release() {
      entry.users -= 1;
      if (entry.users === 0) fileLocks.delete(key);
    },
  };
}

/** SQLite result codes (primary, low byte) that mean "cannot use the database now", not "bad SQL". */
const unavailableCodes = new Set([
  5, // SQLITE_BUSY
  6, // SQLITE_LOCKED
  8, // SQLITE_READONLY
  10, // SQLITE_IOERR
  13, // SQLITE_FULL
  14, // SQLITE_CANTOPEN
  15, // SQLITE_PROTOCOL
]);
const unavailableFsCodes = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'ENOSPC', 'ENOENT', 'EEXIST']);

function translate(error: unknown, path: string): unknown {
  if (error instanceof StoreUnavailableError) return error;
  const e = error as { code?: unknown; errcode?: unknown; message?: unknown };
  const sqliteCode = typeof e.errcode === 'number' ? e.errcode & 0xff : undefined;
  if (
    (sqliteCode !== undefined && unavailableCodes.has(sqliteCode)) ||
    (typeof e.code === 'string' && unavailableFsCodes.has(e.code))
  ) {
    return new StoreUnavailableError('sqlite', `SQLite database ${path} unavailable: ${String(e.message)}`, {
      cause: error,
    });
  }
  return error;
}

function bind(params: readonly unknown[]): SQLInputValue[] {
  return params.map((value) => {
    if (value === undefined) return null;
    if (typeof value === 'boolean') return value ? 1 : 0;
    if (value instanceof Date) return value.toISOString();
    return value as SQLInputValue;
  });
}

export function openSqlite(options: SqliteOptions): Driver {
  const memory = options.path === ':memory:';
  const path = memory ? ':memory:' : resolve(options.path);
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  let db: DatabaseSync;
  try {
    if (!memory) mkdirSync(dirname(path), { recursive: true });
    db = new DatabaseSync(path, { timeout: busyTimeoutMs });
    // busy_timeout first, so the WAL switch itself waits for a concurrent opener.
    db.exec(`PRAGMA busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    db.exec('PRAGMA journal_mode = WAL');
    // NORMAL in WAL mode: durable against process crashes, and ~12x the commit rate of FULL.
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec('PRAGMA foreign_keys = ON');
    // 32 MB page cache (default 2 MB): the events index takes inserts all over as partners
    // interleave, and with the default cache ingest slowed markedly as the table grew.
    db.exec('PRAGMA cache_size = -32000');
  } catch (error) {
    throw translate(error, path);
  }
  const lock = lockFor(memory ? `:memory:${Math.random()}` : path);

  const statements = new Map<string, StatementSync>();
  const prepare = (sql: string): StatementSync => {
    let statement = statements.get(sql);
    if (!statement) {
      if (statements.size >= 500) statements.clear();
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };

  // The same statements returning arrays (a statement's row mode is its own, so a second cache).
  const arrayStatements = new Map<string, StatementSync>();
  const prepareArrays = (sql: string): StatementSync => {
    let statement = arrayStatements.get(sql);
    if (!statement) {
      if (arrayStatements.size >= 100) arrayStatements.clear();
      statement = db.prepare(sql);
      statement.setReturnArrays(true);
      arrayStatements.set(sql, statement);
    }
    return statement;
  };

  // Unlocked operations: used inside a transaction (the lock is already held) and by the locked ones.
  const direct: Queryable = {
    async query(sql, params = []) {
      try {
        return prepare(sql).all(...bind(params)) as Row[];
      } catch (error) {
        throw translate(error, path);
      }
    },
    async values(sql, params = []) {
      try {
        return prepareArrays(sql).all(...bind(params)) as unknown as unknown[][];
      } catch (error) {
        throw translate(error, path);
      }
    },
    async run(sql, params = []) {
      try {
        return Number(prepare(sql).run(...bind(params)).changes);
      } catch (error) {
        throw translate(error, path);
      }
    },
    async exec(sql) {
      try {
        db.exec(sql);
      } catch (error) {
        throw translate(error, path);
      }
    },
  };

  let closed = false;
  const ensureOpen = () => {
    if (closed) throw new Error('store is closed');
  };

  return {
    engine: 'sqlite',
    location: path,
    query: (sql, params) =>
      lock.run(async () => {
        ensureOpen();
        return direct.query(sql, params);
      }),
    values: (sql, params) =>
      lock.run(async () => {
        ensureOpen();
        return direct.values(sql, params);
      }),
    run: (sql, params) =>
      lock.run(async () => {
        ensureOpen();
        return direct.run(sql, params);
      }),
    exec: (sql) =>
      lock.run(async () => {
        ensureOpen();
        return direct.exec(sql);
      }),
    transaction: (fn) =>
      lock.run(async () => {
        ensureOpen();
        await direct.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn(direct);
          await direct.exec('COMMIT');
          return result;
        } catch (error) {
          if (db.isTransaction) {
            try {
              db.exec('ROLLBACK');
            } catch {
              // The original error matters more than a failed rollback.
            }
          }
          throw error;
        }
      }),
    close: () =>
      lock.run(async () => {
        if (closed) return;
        closed = true;
        statements.clear();
        arrayStatements.clear();
        lock.release();
        db.close();
      }),
  };
}
