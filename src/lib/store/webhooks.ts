/** Webhook receipts: each svix id once, committed together with the events and suppressions it causes. */
import { eventValues, insertEvents } from './events.ts';
import { insertMany, type SqlContext } from './sql-shared.ts';
import { suppressionColumns, suppressionValues } from './suppressions.ts';
import type { WebhookEffects } from './types.ts';

/**
 * True the first time a svix id is seen, false on a replay. The receipt and the webhook's effects
 * (its events, the suppressions a bounce or complaint causes) commit together, so a crash between
 * them cannot leave a receipt whose retry would be ignored while its event was lost.
 */
export async function recordWebhookOnce(
  ctx: SqlContext,
  svixId: string,
  effects: WebhookEffects = {},
): Promise<boolean> {
  if (!svixId) throw new TypeError('webhook without svix id');
  const now = new Date().toISOString();
  const events = (effects.events ?? []).map((e) => eventValues(e, now));
  const suppressions = (effects.suppressions ?? []).map((s) => suppressionValues(s, now));
  return ctx.db.transaction(async (tx) => {
    const first = await tx.run(
      'INSERT INTO webhook_receipts (svix_id, received_at) VALUES (?, ?) ON CONFLICT (svix_id) DO NOTHING',
      [svixId, now],
    );
    if (first === 0) return false;
    if (events.length) await insertEvents(ctx, tx, effects.events ?? [], events);
    if (suppressions.length) {
      await insertMany(
        tx,
        ctx.engine,
        'suppressions',
        suppressionColumns,
        suppressions,
        'ON CONFLICT (email) DO NOTHING',
      );
    }
    return true;
  });
}
