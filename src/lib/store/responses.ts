/** Responses: what people told us (forms, registrations, attendance, marks), each recorded once. */
import type { Row } from './driver.ts';
import {
  boolOrNull,
  iso,
  isoOrNull,
  json,
  jsonText,
  normalizeEmail,
  oneOf,
  placeholders,
  type SqlContext,
  str,
  strOrNull,
  time,
  Where,
} from './sql-shared.ts';
import {
  type ResponseFilter,
  type ResponseInput,
  type ResponseKind,
  type ResponseSource,
  responseKinds,
  type StoredResponse,
} from './types.ts';

function toResponse(row: Row): StoredResponse {
  const data = json<Record<string, unknown>>(row.data);
  return {
    id: Number(row.id),
    idempotencyKey: str(row.idempotency_key),
    kind: str(row.kind) as ResponseKind,
    campaign: strOrNull(row.campaign),
    partnerId: strOrNull(row.partner_id),
    touch: strOrNull(row.touch),
    email: strOrNull(row.email),
    name: strOrNull(row.name),
    webinar: strOrNull(row.webinar),
    text: strOrNull(row.body),
    rating: row.rating === null || row.rating === undefined ? null : Number(row.rating),
    consentToQuote: boolOrNull(row.consent_to_quote),
    until: isoOrNull(row.until_at),
    preferredTimes:
      row.preferred_times === null || row.preferred_times === undefined
        ? null
        : json<string[]>(row.preferred_times),
    source: str(row.source) as ResponseSource,
    occurredAt: iso(row.occurred_at),
    createdAt: iso(row.created_at),
    data,
    verified: typeof data.verified === 'boolean' ? data.verified : null,
  };
}

/**
 * Record what someone told us, once. The idempotency key (the form's hidden nonce, or for
 * registrations and attendance the default `${kind}:${webinar}:${email}`) makes a double submit
 * return the first row with `created: false`.
 *
 * Webinar registrations are responses of kind `registration` with `webinar` and `email` set; a
 * unique index on (kind, webinar, email) keeps one per person and webinar whatever key was sent.
 * Registrants need not be partners: `campaign` and `partnerId` may be null.
 */
export async function addResponse(
  ctx: SqlContext,
  response: ResponseInput,
): Promise<{ created: boolean; id: number }> {
  const kind = oneOf(responseKinds, response.kind, 'response kind');
  const email = response.email ? normalizeEmail(response.email) : null;
  const perWebinar = kind === 'registration' || kind === 'attendance';
  if (perWebinar && (!response.webinar || !email)) throw new TypeError(`${kind} needs webinar and email`);
  const key = response.idempotencyKey ?? (perWebinar ? `${kind}:${response.webinar}:${email}` : undefined);
  if (!key) throw new TypeError(`${kind} response without idempotency key`);
  const now = new Date().toISOString();
  const inserted = await ctx.db.query(
    `INSERT INTO responses (idempotency_key, kind, campaign, partner_id, touch, email, name, webinar, body,
       rating, consent_to_quote, until_at, preferred_times, source, occurred_at, created_at, data)
     VALUES (${placeholders(17)}) ON CONFLICT DO NOTHING RETURNING id`,
    [
      key,
      kind,
      response.campaign ?? null,
      response.partnerId ?? null,
      response.touch ?? null,
      email,
      response.name ?? null,
      response.webinar ?? null,
      response.text ?? null,
      response.rating ?? null,
      response.consentToQuote ?? null,
      response.until === undefined || response.until === null ? null : time(response.until),
      response.preferredTimes ? JSON.stringify(response.preferredTimes) : null,
      response.source,
      response.occurredAt === undefined ? now : time(response.occurredAt),
      now,
      jsonText(
        response.verified === undefined ? response.data : { ...response.data, verified: response.verified },
      ),
    ],
  );
  if (inserted[0]) return { created: true, id: Number(inserted[0].id) };
  const existing = perWebinar
    ? await ctx.db.query(
        'SELECT id FROM responses WHERE idempotency_key = ? OR (kind = ? AND webinar = ? AND email = ?)',
        [key, kind, response.webinar, email],
      )
    : await ctx.db.query('SELECT id FROM responses WHERE idempotency_key = ?', [key]);
  if (!existing[0]) throw new Error(`response ${key} conflicted but cannot be found`);
  return { created: false, id: Number(existing[0].id) };
}

export async function listResponses(ctx: SqlContext, filter: ResponseFilter = {}): Promise<StoredResponse[]> {
  const where = new Where().eq('campaign', filter.campaign).eq('partner_id', filter.partnerId);
  if (filter.kind !== undefined) {
    const kinds = Array.isArray(filter.kind) ? filter.kind : [filter.kind];
    if (kinds.length === 0) return [];
    where.in('kind', kinds);
  }
  where.eq('webinar', filter.webinar);
  if (filter.email !== undefined) where.eq('email', normalizeEmail(filter.email));
  const rows = await ctx.db.query(
    `SELECT * FROM responses ${where.sql} ORDER BY occurred_at, id`,
    where.params,
  );
  return rows.map(toResponse);
}

/**
 * Marks a person's registration for a webinar verified (they confirmed from the email sent to
 * their address, or registered from their own personal link), linking it to the partner. Returns
 * whether it changed: false when there is none or it was verified already.
 */
export async function verifyRegistration(
  ctx: SqlContext,
  webinar: string,
  email: string,
  how: { via: string; at: Date; campaign?: string | null; partnerId?: string | null },
): Promise<{ changed: boolean; id: number | null }> {
  const rows = await ctx.db.query(
    'SELECT id, data FROM responses WHERE kind = ? AND webinar = ? AND email = ?',
    ['registration', webinar, normalizeEmail(email)],
  );
  const row = rows[0];
  if (!row) return { changed: false, id: null };
  const id = Number(row.id);
  const data = json<Record<string, unknown>>(row.data);
  if (data.verified !== false) return { changed: false, id };
  const next = { ...data, verified: true, verifiedVia: how.via, verifiedAt: how.at.toISOString() };
  const changed = await ctx.db.run(
    `UPDATE responses SET data = ?, campaign = COALESCE(campaign, ?), partner_id = COALESCE(partner_id, ?)
     WHERE id = ?`,
    [jsonText(next), how.campaign ?? null, how.partnerId ?? null, id],
  );
  return { changed: changed > 0, id };
}

/** Remove responses by idempotency key: only for a writer undoing its own rows (inbox corrections). */
export async function removeResponses(ctx: SqlContext, idempotencyKeys: string[]): Promise<number> {
  if (idempotencyKeys.length === 0) return 0;
  const where = new Where().in('idempotency_key', idempotencyKeys);
  return ctx.db.run(`DELETE FROM responses ${where.sql}`, where.params);
}
