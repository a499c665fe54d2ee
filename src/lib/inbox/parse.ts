/**
 * A raw message (RFC 5322 bytes, from IMAP, Resend or a file) into the few things the inbox reads,
 * through mailparser. Everything here comes from a stranger's mail server: addresses are
 * normalised, header values cut to one line of bounded length, control characters removed.
 */
import { createHash } from 'node:crypto';
import { type AddressObject, type ParsedMail, simpleParser } from 'mailparser';
import { bareMessageId } from '../store/inbox.ts';
import { normalizeEmail } from '../store/sql-shared.ts';

/** The headers kept with each inbound message: what classification and matching read. */
export const keptHeaders = [
  'message-id',
  'in-reply-to',
  'references',
  'from',
  'to',
  'reply-to',
  'subject',
  'date',
  'auto-submitted',
  'x-autoreply',
  'x-autorespond',
  'x-auto-response-suppress',
  'precedence',
  'content-type',
  'return-path',
  'x-failed-recipients',
  'feedback-type',
] as const;

export interface ParsedMessage {
  /** Message-ID without brackets; a hash of the raw bytes when the message has none. */
  messageId: string;
  hasMessageId: boolean;
  from: { email: string; name: string | null } | null;
  subject: string;
  date: Date | null;
  inReplyTo: string[];
  references: string[];
  /** Lower-cased names, one cleaned line each (`keptHeaders` only). */
  headers: Record<string, string>;
  /** The plain text (mailparser folds delivery-status and feedback-report parts into it). */
  text: string;
  /** Text parts of attached messages and headers (a bounce's or complaint's copy of our message). */
  attached: { contentType: string; text: string }[];
  /**
   * Message-IDs written as header lines inside the body: the copy of our message a bounce or ARF
   * report carries. Read from the raw bytes, since mailparser renders an inline message/rfc822
   * part as text without its Message-ID.
   */
  bodyMessageIds: string[];
  contentType: string;
}

/** One header value as one line: no control characters, at most `max` characters. */
export function cleanLine(value: string, max = 500): string {
  return value
    .replace(/[\p{Cc}\u2028\u2029]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, max);
}

/** Text from mail: line breaks kept, other control characters (terminal escapes) removed. */
export function cleanText(value: string): string {
  return value.replace(/\r\n?/g, '\n').replace(/(?![\n\t])\p{Cc}/gu, '');
}

/** `<a@b> <c@d>` (or mailparser's string/array) → bare ids. */
export function messageIds(value: unknown): string[] {
  const list = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  return list
    .flatMap((v) => String(v).match(/<[^<>\s]+>|[^<>\s,]+@[^<>\s,]+/g) ?? [])
    .map(bareMessageId)
    .filter(Boolean);
}

function headerText(mail: ParsedMail, name: string): string | null {
  const value = mail.headers.get(name);
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && 'text' in value && typeof value.text === 'string') return value.text;
  if (typeof value === 'object' && 'value' in value) {
    const params = 'params' in value && value.params ? value.params : {};
    return [String(value.value), ...Object.entries(params).map(([k, v]) => `${k}=${String(v)}`)].join('; ');
  }
  return Array.isArray(value) ? value.join(' ') : String(value);
}

function firstAddress(field: AddressObject | AddressObject[] | undefined): ParsedMessage['from'] {
  const list = Array.isArray(field) ? field : field ? [field] : [];
  for (const group of list) {
    for (const a of group.value) {
      if (a.address)
        return { email: normalizeEmail(a.address), name: a.name ? cleanLine(a.name, 200) : null };
    }
  }
  return null;
}

export async function parseMessage(raw: Buffer | string): Promise<ParsedMessage> {
  const mail = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
  const headers: Record<string, string> = {};
  for (const name of keptHeaders) {
    const value = headerText(mail, name);
    if (value) headers[name] = cleanLine(value, 2000);
  }
  const id = mail.messageId ? bareMessageId(mail.messageId) : '';
  const bytes = typeof raw === 'string' ? Buffer.from(raw) : raw;
  const attached = mail.attachments
    .filter((a) => /^(message\/|text\/rfc822-headers)/i.test(a.contentType))
    .map((a) => ({ contentType: a.contentType.toLowerCase(), text: cleanText(a.content.toString('utf8')) }));
  // mailparser writes `text` from the HTML itself when a message has no plain part.
  const text = mail.text ?? '';
  return {
    messageId: cleanLine(id, 500) || `sha256-${createHash('sha256').update(bytes).digest('hex')}@inbox`,
    hasMessageId: Boolean(id),
    from: firstAddress(mail.from),
    subject: cleanLine(mail.subject ?? '', 500),
    date: mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date : null,
    inReplyTo: messageIds(mail.inReplyTo),
    references: messageIds(mail.references),
    headers,
    text: cleanText(text),
    attached,
    bodyMessageIds: bodyMessageIds(bytes),
    contentType: (headers['content-type'] ?? 'text/plain').toLowerCase(),
  };
}

function bodyMessageIds(raw: Buffer): string[] {
  const text = raw.toString('latin1');
  const start = text.search(/\r?\n\r?\n/);
  if (start < 0) return [];
  return messageIds(
    [...text.slice(start).matchAll(/^\s*Message-ID:\s*(<[^>\s]+>)/gim)].map((m) => m[1] ?? ''),
  );
}
