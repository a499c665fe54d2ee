/**
 * From a rendered message to what a transport sends: addresses, one-click unsubscribe headers,
 * tags for the webhooks, and the idempotency key. Everything here is a pure function of the
 * rendering, so a rerun after a crash rebuilds byte-identical requests (no clocks, no randomness).
 */
import { formatAddress, reformatMailbox } from '../address.ts';
import {
  messageIdFor,
  neutralizeHeaderValue,
  type OutgoingMessage,
  refTags,
  unsubscribeHeaders,
} from '../message.ts';
import type { RenderedMessage } from '../render/index.ts';

export { idempotencyKeyFor } from './idempotency.ts';

export interface BuildOptions {
  /** The ledger row's key (not necessarily the one this rendering would make: see run.ts). */
  idempotencyKey: string;
  /** Re-dispatching a call that was in flight: its key (see OutgoingMessage.batchKey). */
  batchKey?: string;
  /** `--to`: deliver to this inbox instead, naming the partner in the subject. */
  testInbox?: string;
}

export function toOutgoing(rendered: RenderedMessage, options: BuildOptions): OutgoingMessage {
  const ref = {
    campaign: rendered.campaign,
    touch: options.testInbox ? `${rendered.touch}-test` : rendered.touch,
    partner: rendered.partner,
  };
  const who = formatAddress(rendered.toName, rendered.to);
  const message: OutgoingMessage = {
    ref,
    idempotencyKey: options.idempotencyKey,
    from: formatAddress(rendered.from.name, rendered.from.email),
    to: options.testInbox ? reformatMailbox(options.testInbox, '--to') : who,
    replyTo: rendered.replyTo,
    subject: options.testInbox
      ? `[test for ${neutralizeHeaderValue(who)}] ${rendered.subject}`
      : rendered.subject,
    html: rendered.html,
    text: rendered.text,
    // Our own Message-ID, so both transports send the id the inbox matches replies against.
    headers: {
      'Message-ID': messageIdFor(options.idempotencyKey, rendered.from.email),
      ...unsubscribeHeaders(rendered.unsubscribeOneClickUrl),
    },
    tags: refTags(ref),
  };
  if (options.batchKey !== undefined) message.batchKey = options.batchKey;
  return message;
}
