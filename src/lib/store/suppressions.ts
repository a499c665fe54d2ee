/** Suppressions: addresses never to send to again (unsubscribed, hard bounce, complaint, manual), one row each. */
import type { Row } from './driver.ts';
import { iso, normalizeEmail, oneOf, placeholders, type SqlContext, str, strOrNull } from './sql-shared.ts';
import {
  type Suppression,
  type SuppressionInput,
  type SuppressionReason,
  suppressionReasons,
} from './types.ts';

function toSuppression(row: Row): Suppression {
  return {
    email: str(row.email),
    reason: str(row.reason) as SuppressionReason,
    source: str(row.source),
    campaign: strOrNull(row.campaign),
    note: strOrNull(row.note),
    createdAt: iso(row.created_at),
  };
}

export const suppressionColumns = ['email', 'reason', 'source', 'campaign', 'note', 'created_at'];

export function suppressionValues(s: SuppressionInput, now: string): unknown[] {
  const email = normalizeEmail(s.email);
  if (!email) throw new TypeError('suppression without email');
  return [
    email,
    oneOf(suppressionReasons, s.reason, 'suppression reason'),
    s.source,
    s.campaign ?? null,
    s.note ?? null,
    now,
  ];
}

/** Suppress an address (normalised). One row per address: a second call keeps the first reason. */
export async function addSuppression(
  ctx: SqlContext,
  suppression: SuppressionInput,
): Promise<{ created: boolean }> {
  const values = suppressionValues(suppression, new Date().toISOString());
  const changed = await ctx.db.run(
    `INSERT INTO suppressions (${suppressionColumns.join(', ')}) VALUES (${placeholders(suppressionColumns.length)})
     ON CONFLICT (email) DO NOTHING`,
    values,
  );
  return { created: changed > 0 };
}

/** Lift a suppression (a manual mistake, a re-subscription). Not for bounces without cause. */
export async function removeSuppression(ctx: SqlContext, email: string): Promise<boolean> {
  return (await ctx.db.run('DELETE FROM suppressions WHERE email = ?', [normalizeEmail(email)])) > 0;
}

export async function isSuppressed(ctx: SqlContext, email: string): Promise<boolean> {
  const rows = await ctx.db.query('SELECT 1 AS hit FROM suppressions WHERE email = ?', [
    normalizeEmail(email),
  ]);
  return rows.length > 0;
}

/** The suppressed addresses among `emails` (normalised), in one query whatever the batch size. */
export async function suppressedAmong(ctx: SqlContext, emails: string[]): Promise<Set<string>> {
  if (emails.length === 0) return new Set();
  const list = [...new Set(emails.map(normalizeEmail))];
  const rows = ctx.pg
    ? await ctx.db.query('SELECT email FROM suppressions WHERE email = ANY(?::text[])', [list])
    : await ctx.db.query('SELECT email FROM suppressions WHERE email IN (SELECT value FROM json_each(?))', [
        JSON.stringify(list),
      ]);
  return new Set(rows.map((r) => str(r.email)));
}

export async function listSuppressions(ctx: SqlContext): Promise<Suppression[]> {
  return (await ctx.db.query('SELECT * FROM suppressions ORDER BY created_at, email')).map(toSuppression);
}
