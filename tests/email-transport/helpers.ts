import type { MessageAttachment, OutgoingMessage } from '../../src/lib/email/message.ts';
import { refTags, unsubscribeHeaders } from '../../src/lib/email/message.ts';

export function makeMessage(
  i: number,
  overrides: Partial<OutgoingMessage> & { attachments?: MessageAttachment[] } = {},
): OutgoingMessage {
  const ref = overrides.ref ?? {
    campaign: 'spring-paper',
    touch: 'invite',
    partner: `p${String(i).padStart(5, '0')}`,
  };
  return {
    ref,
    idempotencyKey: `${ref.campaign}:${ref.touch}:${ref.partner}:v1`,
    from: 'Dana from Acme <dana@acme.example>',
    to: `Partner ${i} <partner${i}@example.com>`,
    replyTo: 'dana@acme.example',
    subject: `Your advance copy, partner ${i}`,
    html: `<p>Hello partner ${i}</p>`,
    text: `Hello partner ${i}`,
    headers: unsubscribeHeaders(`https://acme.example/u/${ref.partner}`),
    tags: refTags(ref),
    ...overrides,
  };
}

export function makeMessages(n: number, from = 0): OutgoingMessage[] {
  return Array.from({ length: n }, (_, k) => makeMessage(from + k));
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
