/**
 * The thin layer each engine implements; `SqlStore` (sql-store.ts) writes all the SQL once on top
 * of it. Statements use `?` placeholders; the Postgres driver numbers them (`$1`, `$2`, ...).
 */
import type { Engine } from './types.ts';

/** A result row. SQLite gives null-prototype objects; nothing here relies on a prototype. */
export type Row = Record<string, unknown>;

export interface Queryable {
  /** Rows of a statement (SELECT, or INSERT/UPDATE ... RETURNING). */
  query(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /**
   * Rows as arrays, in the order of the SELECT's columns: no object per row, for the reads that
   * return a row per partner (10,000 of them) on every call.
   */
  values(sql: string, params?: readonly unknown[]): Promise<unknown[][]>;
  /** Number of rows a statement changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Driver extends Queryable {
  readonly engine: Engine;
  readonly location: string;
  /**
   * Run `fn` in one transaction: committed when it resolves, rolled back when it throws. SQLite
   * opens it with BEGIN IMMEDIATE (it takes the write lock up front, so two writers queue on the
   * busy timeout instead of failing on lock upgrade); Postgres with BEGIN (read committed).
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
