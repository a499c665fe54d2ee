/**
 * What the store's concern modules (partners, ledger, events, responses, suppressions, webhooks)
 * share: the context they run in, value conversions between rows and the types in types.ts, and
 * the small SQL builders. Nothing here knows a table.
 */
import type { Driver, Queryable } from './driver.ts';
import type { Engine, TimeInput } from './types.ts';

/** What a concern module's functions run against: the driver and which engine it is. */
export interface SqlContext {
  readonly db: Driver;
  readonly engine: Engine;
  /** Postgres: the few statements that differ branch on it. */
  readonly pg: boolean;
}

// ---------------------------------------------------------------------------------------------
// Value helpers

/** Trimmed and lower-cased: the one form of an address used as a key. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** A time input as the canonical ISO string; invalid dates are a caller bug, so they throw. */
export function time(input: TimeInput): string {
  const date = input instanceof Date ? input : new Date(input);
  if (Number.isNaN(date.getTime())) throw new RangeError(`invalid time: ${String(input)}`);
  return date.toISOString();
}

/** A stored time as the canonical ISO string (SQLite keeps the string we wrote, pg gives a Date). */
export function iso(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return String(value);
}
export function isoOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : iso(value);
}
export function str(value: unknown): string {
  return String(value);
}
export function strOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}
export function boolOrNull(value: unknown): boolean | null {
  return value === null || value === undefined ? null : Boolean(value);
}
export function json<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}
export function jsonText(value: unknown): string {
  return JSON.stringify(value ?? {});
}

export function oneOf<T extends string>(allowed: readonly T[], value: unknown, what: string): T {
  if (!allowed.includes(value as T)) throw new TypeError(`invalid ${what}: ${String(value)}`);
  return value as T;
}

export const placeholders = (count: number) => Array.from({ length: count }, () => '?').join(', ');

/** A WHERE clause built from optional conditions, each added together with its parameters. */
export class Where {
  readonly #conditions: string[] = [];
  readonly params: unknown[] = [];

  /** A condition with its parameters, in the order of its `?`s. */
  add(condition: string, ...params: unknown[]): this {
    this.#conditions.push(condition);
    this.params.push(...params);
    return this;
  }

  /** `column = ?`, when `value` is given (not undefined). */
  eq(column: string, value: unknown): this {
    return value === undefined ? this : this.add(`${column} = ?`, value);
  }

  /** `column IN (?, …)`; an empty list matches nothing. */
  in(column: string, values: readonly unknown[]): this {
    return values.length === 0
      ? this.add('1 = 0')
      : this.add(`${column} IN (${placeholders(values.length)})`, ...values);
  }

  /** `WHERE a AND b …`, or '' when there is no condition. */
  get sql(): string {
    return this.#conditions.length ? `WHERE ${this.#conditions.join(' AND ')}` : '';
  }
}

/**
 * Rows per INSERT statement. Postgres: as many as fit well under its parameter limit, since every
 * statement is a round trip. SQLite: one prepared single-row statement run per row inside the
 * transaction: no round trips to save, measured no slower than multi-row VALUES, and one cached
 * statement instead of one per batch size.
 */
export function chunks<T>(rows: T[], columns: number, engine: Engine): T[][] {
  const size = engine === 'sqlite' ? 1 : Math.max(1, Math.min(500, Math.floor(30000 / columns)));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

export async function insertMany(
  q: Queryable,
  engine: Engine,
  table: string,
  columns: string[],
  rows: unknown[][],
  suffix: string,
): Promise<number> {
  let changed = 0;
  const tuple = `(${placeholders(columns.length)})`;
  for (const chunk of chunks(rows, columns.length, engine)) {
    const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${chunk.map(() => tuple).join(', ')} ${suffix}`;
    changed += await q.run(sql, chunk.flat());
  }
  return changed;
}
