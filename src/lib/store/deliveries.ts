/**
 * Outgoing webhook deliveries (src/lib/hooks/): one row per (message, endpoint) with where it
 * stands, and one attempt row per try (the delivery log). Claims are leases on `next_attempt_at`,
 * so several server instances never send the same delivery at once and a crash frees it.
 */
import type { Row } from './driver.ts';
import { iso, isoOrNull, placeholders, type SqlContext, str, strOrNull, time, Where } from './sql-shared.ts';
import type {
  AttemptOutcome,
  DeliveryAttempt,
  DeliveryInput,
  DeliveryState,
  WebhookDelivery,
} from './types.ts';

const columns =
  'id, message_id, endpoint, event_type, payload, state, attempts, next_attempt_at, last_status, last_error, created_at, updated_at, delivered_at';

function toDelivery(row: Row): WebhookDelivery {
  return {
    id: Number(row.id),
    messageId: str(row.message_id),
    endpoint: str(row.endpoint),
    eventType: str(row.event_type),
    payload: str(row.payload),
    state: str(row.state) as DeliveryState,
    attempts: Number(row.attempts),
    nextAttemptAt: isoOrNull(row.next_attempt_at),
    lastStatus: row.last_status === null || row.last_status === undefined ? null : Number(row.last_status),
    lastError: strOrNull(row.last_error),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    deliveredAt: isoOrNull(row.delivered_at),
  };
}

export async function queueDeliveries(ctx: SqlContext, deliveries: DeliveryInput[]): Promise<number> {
  if (deliveries.length === 0) return 0;
  const now = new Date().toISOString();
  return ctx.db.transaction(async (tx) => {
    let queued = 0;
    for (const d of deliveries) {
      queued += await tx.run(
        `INSERT INTO webhook_deliveries (message_id, endpoint, event_type, payload, state, attempts,
           next_attempt_at, created_at, updated_at)
         VALUES (${placeholders(9)}) ON CONFLICT (message_id, endpoint) DO NOTHING`,
        [d.messageId, d.endpoint, d.eventType, d.payload, 'pending', 0, now, now, now],
      );
    }
    return queued;
  });
}

export async function claimDeliveries(
  ctx: SqlContext,
  now: string | Date,
  leaseUntil: string | Date,
  limit: number,
): Promise<WebhookDelivery[]> {
  const due = await ctx.db.query(
    `SELECT ${columns} FROM webhook_deliveries
     WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`,
    [time(now), Math.max(1, Math.floor(limit))],
  );
  const lease = time(leaseUntil);
  const claimed: WebhookDelivery[] = [];
  for (const row of due) {
    // Only the caller whose update still sees the time it read takes the row.
    const changed = await ctx.db.run(
      `UPDATE webhook_deliveries SET next_attempt_at = ?, updated_at = ?
       WHERE id = ? AND state = 'pending' AND next_attempt_at = ?`,
      [lease, time(now), row.id, row.next_attempt_at],
    );
    if (changed === 1) claimed.push(toDelivery({ ...row, next_attempt_at: lease }));
  }
  return claimed;
}

export async function recordAttempt(
  ctx: SqlContext,
  deliveryId: number,
  outcome: AttemptOutcome,
): Promise<void> {
  const at = time(outcome.at);
  const error = outcome.error ? outcome.error.slice(0, 500) : null;
  await ctx.db.transaction(async (tx) => {
    const [row] = await tx.query('SELECT attempts FROM webhook_deliveries WHERE id = ?', [deliveryId]);
    if (!row) throw new TypeError(`no webhook delivery ${deliveryId}`);
    const attempt = Number(row.attempts) + 1;
    await tx.run(
      'INSERT INTO webhook_attempts (delivery_id, attempt, at, status, error, ms) VALUES (?, ?, ?, ?, ?, ?)',
      [deliveryId, attempt, at, outcome.status, error, Math.round(outcome.ms)],
    );
    const state = outcome.delivered ? 'delivered' : outcome.retryAt ? 'pending' : 'failed';
    await tx.run(
      `UPDATE webhook_deliveries SET state = ?, attempts = ?, next_attempt_at = ?, last_status = ?,
         last_error = ?, updated_at = ?, delivered_at = ? WHERE id = ?`,
      [
        state,
        attempt,
        state === 'pending' && outcome.retryAt ? time(outcome.retryAt) : null,
        outcome.status,
        error,
        at,
        outcome.delivered ? at : null,
        deliveryId,
      ],
    );
  });
}

export async function listDeliveries(
  ctx: SqlContext,
  filter: { messageId?: string; state?: DeliveryState; limit?: number } = {},
): Promise<WebhookDelivery[]> {
  const where = new Where().eq('message_id', filter.messageId).eq('state', filter.state);
  const rows = await ctx.db.query(
    `SELECT ${columns} FROM webhook_deliveries ${where.sql} ORDER BY id DESC LIMIT ?`,
    [...where.params, Math.max(1, Math.floor(filter.limit ?? 200))],
  );
  return rows.map(toDelivery);
}

export async function listAttempts(ctx: SqlContext, deliveryId: number): Promise<DeliveryAttempt[]> {
  const rows = await ctx.db.query(
    'SELECT delivery_id, attempt, at, status, error, ms FROM webhook_attempts WHERE delivery_id = ? ORDER BY attempt',
    [deliveryId],
  );
  return rows.map((r) => ({
    deliveryId: Number(r.delivery_id),
    attempt: Number(r.attempt),
    at: iso(r.at),
    status: r.status === null || r.status === undefined ? null : Number(r.status),
    error: strOrNull(r.error),
    ms: Number(r.ms),
  }));
}
