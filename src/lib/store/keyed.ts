/**
 * Keyed rows with an expiry: the small shared memory several server instances on one database
 * need to agree on (the admin login lockout, signed-out sessions, the once-a-day hot-note memory,
 * the send lock). A row whose `expires_at` has passed counts as absent and is taken over in place;
 * `sweepKeys` deletes old ones. Every operation is one statement, so it is atomic on both engines
 * (a unique key plus ON CONFLICT … DO UPDATE … WHERE decides races, not application checks).
 */
import type { SqlContext } from './sql-shared.ts';

const at = (ms: number) => new Date(ms).toISOString();

/**
 * Sets `key` to `value` for `ttlMs` unless a live row holds it. True when this call set it (the
 * first caller of the day for a hot note, the one sender that got the lock).
 */
export async function putKeyOnce(
  ctx: SqlContext,
  key: string,
  value: string,
  ttlMs: number,
): Promise<boolean> {
  const now = Date.now();
  const changed = await ctx.db.run(
    `INSERT INTO keyed_rows (key, value, expires_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at
     WHERE keyed_rows.expires_at <= ?`,
    [key, value, at(now + ttlMs), at(now)],
  );
  return changed > 0;
}

/** The live value of `key`, or null. */
export async function getKey(
  ctx: SqlContext,
  key: string,
): Promise<{ value: string; expiresAt: Date } | null> {
  const rows = await ctx.db.query(
    'SELECT value, expires_at FROM keyed_rows WHERE key = ? AND expires_at > ?',
    [key, at(Date.now())],
  );
  const row = rows[0];
  if (!row) return null;
  const expires = row.expires_at instanceof Date ? row.expires_at : new Date(String(row.expires_at));
  return { value: String(row.value), expiresAt: expires };
}

/**
 * Counts `by` more (default one) within a window of `ttlMs` that starts at the first count;
 * returns the count and when the window ends.
 */
export async function bumpKey(
  ctx: SqlContext,
  key: string,
  ttlMs: number,
  by = 1,
): Promise<{ count: number; expiresAt: Date }> {
  const now = Date.now();
  const n = Math.max(1, Math.floor(by));
  const rows = await ctx.db.query(
    `INSERT INTO keyed_rows (key, value, expires_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET
       value = CASE WHEN keyed_rows.expires_at <= ? THEN excluded.value
                    ELSE CAST(CAST(keyed_rows.value AS INTEGER) + ${n} AS TEXT) END,
       expires_at = CASE WHEN keyed_rows.expires_at <= ? THEN excluded.expires_at
                         ELSE keyed_rows.expires_at END
     RETURNING value, expires_at`,
    [key, String(n), at(now + ttlMs), at(now), at(now)],
  );
  const row = rows[0];
  const expires = row?.expires_at instanceof Date ? row.expires_at : new Date(String(row?.expires_at));
  return { count: Number(row?.value ?? n), expiresAt: expires };
}

/** Moves a live row's expiry (a lock's holder renewing it); false when `value` no longer holds it. */
export async function extendKey(
  ctx: SqlContext,
  key: string,
  value: string,
  ttlMs: number,
): Promise<boolean> {
  const now = Date.now();
  return (
    (await ctx.db.run('UPDATE keyed_rows SET expires_at = ? WHERE key = ? AND value = ? AND expires_at > ?', [
      at(now + ttlMs),
      key,
      value,
      at(now),
    ])) > 0
  );
}

/** Deletes `key` (only while it holds `value`, when given: a lock is released by its holder). */
export async function deleteKey(ctx: SqlContext, key: string, value?: string): Promise<boolean> {
  const changed =
    value === undefined
      ? await ctx.db.run('DELETE FROM keyed_rows WHERE key = ?', [key])
      : await ctx.db.run('DELETE FROM keyed_rows WHERE key = ? AND value = ?', [key, value]);
  return changed > 0;
}

/** Deletes rows that expired before now. */
export async function sweepKeys(ctx: SqlContext): Promise<number> {
  return ctx.db.run('DELETE FROM keyed_rows WHERE expires_at <= ?', [at(Date.now())]);
}
