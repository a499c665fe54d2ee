/** Partners: a campaign's people, from partners.csv, found by token, id or address. */
import type { Row } from './driver.ts';
import {
  insertMany,
  iso,
  json,
  jsonText,
  normalizeEmail,
  type SqlContext,
  str,
  strOrNull,
} from './sql-shared.ts';
import type { Partner, PartnerInput } from './types.ts';

function toPartner(row: Row): Partner {
  return {
    campaign: str(row.campaign),
    partnerId: str(row.partner_id),
    token: str(row.token),
    email: str(row.email),
    company: strOrNull(row.company),
    firstName: strOrNull(row.first_name),
    lastName: strOrNull(row.last_name),
    owner: strOrNull(row.owner),
    referrerEmail: strOrNull(row.referrer_email),
    data: json<Record<string, unknown>>(row.data),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

/**
 * Insert or refresh a campaign's partners (from partners.csv). Rows absent from `rows` are kept:
 * links already sent must keep working. A token already used by another partner is an error.
 */
export async function upsertPartners(
  ctx: SqlContext,
  campaign: string,
  rows: PartnerInput[],
): Promise<{ inserted: number; updated: number }> {
  if (rows.length === 0) return { inserted: 0, updated: 0 };
  // The same partner twice in one batch: the last row wins on both engines (Postgres refuses to
  // update one row twice in a statement).
  const unique = [...new Map(rows.map((p) => [p.partnerId, p])).values()];
  const now = new Date().toISOString();
  return ctx.db.transaction(async (tx) => {
    const existing = new Set(
      (await tx.query('SELECT partner_id FROM partners WHERE campaign = ?', [campaign])).map((r) =>
        str(r.partner_id),
      ),
    );
    const values = unique.map((p) => [
      campaign,
      p.partnerId,
      p.token,
      normalizeEmail(p.email),
      p.company ?? null,
      p.firstName ?? null,
      p.lastName ?? null,
      p.owner ?? null,
      p.referrerEmail ? normalizeEmail(p.referrerEmail) : null,
      jsonText(p.data),
      now,
      now,
    ]);
    await insertMany(
      tx,
      ctx.engine,
      'partners',
      [
        'campaign',
        'partner_id',
        'token',
        'email',
        'company',
        'first_name',
        'last_name',
        'owner',
        'referrer_email',
        'data',
        'created_at',
        'updated_at',
      ],
      values,
      `ON CONFLICT (campaign, partner_id) DO UPDATE SET token = excluded.token, email = excluded.email,
        company = excluded.company, first_name = excluded.first_name, last_name = excluded.last_name,
        owner = excluded.owner, referrer_email = excluded.referrer_email, data = excluded.data,
        updated_at = excluded.updated_at`,
    );
    const inserted = unique.filter((p) => !existing.has(p.partnerId)).length;
    return { inserted, updated: unique.length - inserted };
  });
}

/** The personal page's lookup: one indexed read. */
export async function findPartnerByToken(ctx: SqlContext, token: string): Promise<Partner | null> {
  const rows = await ctx.db.query('SELECT * FROM partners WHERE token = ?', [token]);
  return rows[0] ? toPartner(rows[0]) : null;
}

export async function findPartner(
  ctx: SqlContext,
  campaign: string,
  partnerId: string,
): Promise<Partner | null> {
  const rows = await ctx.db.query('SELECT * FROM partners WHERE campaign = ? AND partner_id = ?', [
    campaign,
    partnerId,
  ]);
  return rows[0] ? toPartner(rows[0]) : null;
}

/** Every campaign's row for one address: a person's history is one timeline (rule 7). */
export async function findPartnersByEmail(ctx: SqlContext, email: string): Promise<Partner[]> {
  const rows = await ctx.db.query('SELECT * FROM partners WHERE email = ? ORDER BY campaign, partner_id', [
    normalizeEmail(email),
  ]);
  return rows.map(toPartner);
}

export async function listPartners(ctx: SqlContext, campaign?: string): Promise<Partner[]> {
  const rows =
    campaign === undefined
      ? await ctx.db.query('SELECT * FROM partners ORDER BY campaign, partner_id')
      : await ctx.db.query('SELECT * FROM partners WHERE campaign = ? ORDER BY partner_id', [campaign]);
  return rows.map(toPartner);
}
