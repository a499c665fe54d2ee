/**
 * The shared engine for more than one machine: Postgres through a `pg` Pool. `pg` is imported
 * lazily so a SQLite-only deployment never loads it.
 */
import type { Pool, PoolClient, QueryResult } from 'pg';
import type { Driver, Queryable, Row } from './driver.ts';
import { StoreUnavailableError } from './errors.ts';

export interface PostgresOptions {
  url: string;
  /** Use this schema (created by migrate if missing) instead of the URL's default search_path. */
  schema?: string;
  /** How long to wait for a connection before StoreUnavailableError. Default 5000 ms. */
  connectTimeoutMs?: number;
  /** Pool size. Default `AIRCOVER_PG_POOL_MAX` or 10. */
  poolMax?: number;
}

const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);
/** SQLSTATEs that mean the server cannot serve us now (not that the statement is wrong). */
const unavailableStates = new Set(['57P01', '57P02', '57P03', '53300', '55P03', '57014', '3D000', '28P01']);

function isUnavailable(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown; errors?: unknown };
  const code = typeof e?.code === 'string' ? e.code : '';
  if (
    networkCodes.has(code) ||
    unavailableStates.has(code) ||
    code.startsWith('08') ||
    code.startsWith('53')
  ) {
    return true;
  }
  if (Array.isArray(e?.errors) && e.errors.some(isUnavailable)) return true;
  const message = typeof e?.message === 'string' ? e.message : '';
  return /timeout exceeded when trying to connect|Connection terminated|not queryable|connect E/i.test(
    message,
  );
}

/** The URL without its password, for messages and `store.location`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparseable url)';
  }
}

function translate(error: unknown, location: string): unknown {
  if (error instanceof StoreUnavailableError || !isUnavailable(error)) return error;
  const message = error instanceof Error ? error.message || error.name : String(error);
  return new StoreUnavailableError('postgres', `Postgres ${location} unavailable: ${message}`, {
    cause: error,
  });
}

/** `?` placeholders to `$1, $2, ...` (the SQL in this store never has a literal `?`). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

function bind(params: readonly unknown[]): unknown[] {
  return params.map((value) => (value === undefined ? null : value));
}

export async function openPostgres(options: PostgresOptions): Promise<Driver> {
  const location = redactUrl(options.url);
  if (options.schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(options.schema)) {
    throw new Error(`invalid Postgres schema name: ${options.schema}`);
  }
  const { default: pg } = await import('pg');
  const pool: Pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax ?? (Number(process.env.AIRCOVER_PG_POOL_MAX) || 10),
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // An idle client losing its connection emits here; unhandled it would crash the process. The next
  // query gets a fresh connection or a StoreUnavailableError.
  pool.on('error', () => undefined);

  const on = (target: Pool | PoolClient): Queryable => ({
    async query(sql, params = []) {
      try {
        const result: QueryResult = await target.query(numbered(sql), bind(params));
        return result.rows as Row[];
      } catch (error) {
        throw translate(error, location);
      }
    },
    async values(sql, params = []) {
      try {
        const result = await target.query({ text: numbered(sql), values: bind(params), rowMode: 'array' });
        return result.rows as unknown[][];
      } catch (error) {
        throw translate(error, location);
      }
    },
    async run(sql, params = []) {
      try {
        const result: QueryResult = await target.query(numbered(sql), bind(params));
        return result.rowCount ?? 0;
      } catch (error) {
        throw translate(error, location);
      }
    },
    async exec(sql) {
      try {
        await target.query(sql);
      } catch (error) {
        throw translate(error, location);
      }
    },
  });

  const direct = on(pool);
  return {
    engine: 'postgres',
    location: options.schema ? `${location} (schema ${options.schema})` : location,
    ...direct,
    async transaction(fn) {
      let client: PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw translate(error, location);
      }
      const tx = on(client);
      try {
        await tx.exec('BEGIN');
        const result = await fn(tx);
        await tx.exec('COMMIT');
        client.release();
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
          client.release();
        } catch (rollbackError) {
          // A connection that cannot roll back is not returned to the pool.
          client.release(rollbackError instanceof Error ? rollbackError : true);
        }
        throw error;
      }
    },
    async close() {
      await pool.end();
    },
  };
}
