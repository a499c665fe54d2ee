/**
 * Every message aircover sends carries a Message-ID and is remembered in `sent_messages`, so a
 * reply's In-Reply-To or References finds what it answers (src/lib/inbox/match.ts): campaign
 * touches (send/run.ts), webinar confirmations and updates (webinar/confirm.ts), the owner's hot
 * and reply notes and the digest (followup/notify.ts, followup/reply-note.ts).
 *
 * The id is `messageIdFor` of the idempotency key and sender, the one the outbox would write, so
 * a resend after a crash carries the same id; Resend gets it as a header.
 */

import type { SentMessageKind, Store } from '../store/types.ts';
import { parseMailbox } from './address.ts';
import { messageIdFor, type OutgoingMessage, type SendResult } from './message.ts';

/** The message's Message-ID header, set from its idempotency key when it has none. */
export function stampMessageId(message: OutgoingMessage): string {
  const given = Object.entries(message.headers).find(([k]) => k.toLowerCase() === 'message-id')?.[1];
  if (given) return given;
  const id = messageIdFor(message.idempotencyKey, message.from);
  message.headers['Message-ID'] = id;
  return id;
}

export interface SentAbout {
  kind: SentMessageKind;
  /** The partner the message went to; null for mail to the team (notes, digest). */
  campaign?: string | null;
  partnerId?: string | null;
  touch?: string | null;
}

/** Records a sent message's id (nothing for a failed send: no reply can answer it). */
export async function rememberSent(
  store: Store,
  message: OutgoingMessage,
  result: SendResult | undefined,
  about: SentAbout,
): Promise<void> {
  if (result?.status !== 'sent') return;
  let recipient = message.to;
  try {
    recipient = parseMailbox(message.to).address;
  } catch {
    // A recipient the transport accepted is an address; keep it as given if it does not parse here.
  }
  await store.recordSentMessages([
    {
      messageId: stampMessageId(message),
      kind: about.kind,
      campaign: about.campaign ?? null,
      partnerId: about.partnerId ?? null,
      touch: about.touch ?? message.ref.touch,
      recipient,
    },
  ]);
}
