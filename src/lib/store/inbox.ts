/**
 * The inbox's tables: inbound messages (one row per Message-ID, with class, evidence, partner and
 * a person's correction), the Message-IDs of what was sent, and where IMAP reading stopped.
 */
import type { Row } from './driver.ts';
import {
  insertMany,
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
  type InboundClass,
  type InboundFilter,
  type InboundInput,
  type InboxCursor,
  inboundClasses,
  type MatchKind,
  matchKinds,
  type SentMessage,
  type SentMessageInput,
  type SentMessageKind,
  type StoredInbound,
  sentMessageKinds,
} from './types.ts';

/** `<Abc@Host>` → `Abc@Host`: the form Message-IDs are stored and compared in. */
export function bareMessageId(id: string): string {
  return id.trim().replace(/^<+/, '').replace(/>+$/, '').trim();
}

function toInbound(row: Row): StoredInbound {
  const klass = str(row.class) as InboundClass;
  const correction = strOrNull(row.correction) as InboundClass | null;
  return {
    id: Number(row.id),
    messageId: str(row.message_id),
    source: str(row.source),
    fromEmail: strOrNull(row.from_email),
    fromName: strOrNull(row.from_name),
    subject: strOrNull(row.subject),
    class: klass,
    correction,
    correctedAt: isoOrNull(row.corrected_at),
    correctedBy: strOrNull(row.corrected_by),
    effectiveClass: correction ?? klass,
    evidence: json(row.evidence),
    detail: json(row.detail),
    headers: json(row.headers),
    campaign: strOrNull(row.campaign),
    partnerId: strOrNull(row.partner_id),
    matchKind: strOrNull(row.match_kind) as MatchKind | null,
    effects: json(row.effects),
    receivedAt: iso(row.received_at),
    createdAt: iso(row.created_at),
  };
}

export async function addInbound(
  ctx: SqlContext,
  m: InboundInput,
): Promise<{ created: boolean; id: number }> {
  const messageId = bareMessageId(m.messageId);
  if (!messageId) throw new TypeError('inbound message without message id');
  const now = new Date().toISOString();
  const inserted = await ctx.db.query(
    `INSERT INTO inbound_messages (message_id, source, from_email, from_name, subject, class, evidence,
       detail, headers, campaign, partner_id, match_kind, effects, received_at, created_at)
     VALUES (${placeholders(15)}) ON CONFLICT (message_id) DO NOTHING RETURNING id`,
    [
      messageId,
      m.source,
      m.fromEmail ? normalizeEmail(m.fromEmail) : null,
      m.fromName ?? null,
      m.subject ?? null,
      oneOf(inboundClasses, m.class, 'inbound class'),
      JSON.stringify(m.evidence),
      jsonText(m.detail),
      jsonText(m.headers),
      m.campaign ?? null,
      m.partnerId ?? null,
      m.matchKind ? oneOf(matchKinds, m.matchKind, 'match kind') : null,
      '{}',
      time(m.receivedAt),
      now,
    ],
  );
  if (inserted[0]) return { created: true, id: Number(inserted[0].id) };
  const existing = await ctx.db.query('SELECT id FROM inbound_messages WHERE message_id = ?', [messageId]);
  if (!existing[0]) throw new Error(`inbound ${messageId} conflicted but cannot be found`);
  return { created: false, id: Number(existing[0].id) };
}

export async function getInbound(ctx: SqlContext, id: number): Promise<StoredInbound | null> {
  const rows = await ctx.db.query('SELECT * FROM inbound_messages WHERE id = ?', [id]);
  return rows[0] ? toInbound(rows[0]) : null;
}

export async function listInbound(ctx: SqlContext, filter: InboundFilter = {}): Promise<StoredInbound[]> {
  const where = new Where().eq('campaign', filter.campaign).eq('partner_id', filter.partnerId);
  if (filter.class !== undefined)
    where.add('coalesce(correction, class) = ?', oneOf(inboundClasses, filter.class, 'inbound class'));
  if (filter.unmatched) where.add('partner_id IS NULL');
  const rows = await ctx.db.query(
    `SELECT * FROM inbound_messages ${where.sql} ORDER BY received_at, id`,
    where.params,
  );
  return rows.map(toInbound);
}

export async function correctInbound(
  ctx: SqlContext,
  id: number,
  correction: InboundClass,
  by?: string,
): Promise<boolean> {
  const changed = await ctx.db.run(
    'UPDATE inbound_messages SET correction = ?, corrected_at = ?, corrected_by = ? WHERE id = ?',
    [oneOf(inboundClasses, correction, 'inbound class'), new Date().toISOString(), by ?? null, id],
  );
  return changed > 0;
}

export async function setInboundEffects(
  ctx: SqlContext,
  id: number,
  effects: Record<string, unknown>,
): Promise<void> {
  await ctx.db.run('UPDATE inbound_messages SET effects = ? WHERE id = ?', [jsonText(effects), id]);
}

function toSent(row: Row): SentMessage {
  return {
    messageId: str(row.message_id),
    kind: str(row.kind) as SentMessageKind,
    campaign: strOrNull(row.campaign),
    partnerId: strOrNull(row.partner_id),
    touch: strOrNull(row.touch),
    recipient: str(row.recipient),
    sentAt: iso(row.sent_at),
  };
}

export async function recordSentMessages(ctx: SqlContext, messages: SentMessageInput[]): Promise<number> {
  if (messages.length === 0) return 0;
  const now = new Date().toISOString();
  const unique = [...new Map(messages.map((m) => [bareMessageId(m.messageId), m])).entries()];
  const rows = unique.map(([id, m]) => {
    if (!id) throw new TypeError('sent message without message id');
    return [
      id,
      oneOf(sentMessageKinds, m.kind, 'sent message kind'),
      m.campaign ?? null,
      m.partnerId ?? null,
      m.touch ?? null,
      normalizeEmail(m.recipient),
      m.sentAt === undefined ? now : time(m.sentAt),
    ];
  });
  return ctx.db.transaction((tx) =>
    insertMany(
      tx,
      ctx.engine,
      'sent_messages',
      ['message_id', 'kind', 'campaign', 'partner_id', 'touch', 'recipient', 'sent_at'],
      rows,
      'ON CONFLICT (message_id) DO NOTHING',
    ),
  );
}

export async function findSentMessages(ctx: SqlContext, messageIds: string[]): Promise<SentMessage[]> {
  const ids = [...new Set(messageIds.map(bareMessageId).filter(Boolean))];
  if (ids.length === 0) return [];
  const where = new Where().in('message_id', ids);
  const rows = await ctx.db.query(`SELECT * FROM sent_messages ${where.sql}`, where.params);
  return rows.map(toSent);
}

export async function getInboxCursor(ctx: SqlContext, mailbox: string): Promise<InboxCursor | null> {
  const rows = await ctx.db.query('SELECT * FROM inbox_cursors WHERE mailbox = ?', [mailbox]);
  const row = rows[0];
  return row ? { mailbox, uidValidity: str(row.uid_validity), lastUid: Number(row.last_uid) } : null;
}

export async function setInboxCursor(ctx: SqlContext, cursor: InboxCursor): Promise<void> {
  await ctx.db.run(
    `INSERT INTO inbox_cursors (mailbox, uid_validity, last_uid, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (mailbox) DO UPDATE SET uid_validity = excluded.uid_validity, last_uid = excluded.last_uid,
       updated_at = excluded.updated_at`,
    [cursor.mailbox, cursor.uidValidity, cursor.lastUid, new Date().toISOString()],
  );
}
