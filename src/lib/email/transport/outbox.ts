/**
 * The default transport when no RESEND_API_KEY is set: each message becomes a standards-conformant
 * `.eml` file (built by nodemailer's MailComposer: multipart/alternative text + HTML, attachments
 * in multipart/mixed, RFC 2047 encoded headers) plus an `.html` copy, under
 * `<dir>/<campaign>/<touch>/<partner>.eml`. Files are written atomically (temp file + rename), so a
 * crash never leaves half a message, and writing the same message again replaces it in place.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer';
import {
  type MessageRef,
  messageIdFor,
  neutralizeHeaderValue,
  type OutgoingMessage,
  type SendOptions,
  type SendResult,
  type Transport,
} from '../message.ts';

export interface OutboxTransportOptions {
  /** Root folder; campaign and touch folders are created under it. */
  dir: string;
  /** Clock for the Date header (tests). */
  now?: () => Date;
}

/**
 * A safe file or folder name: ASCII letters, digits, `.`, `_` and `-`; no leading dot; at most 80
 * characters. When anything had to change, a short hash of the original is appended so two
 * different names can never collide.
 */
export function safeName(name: string): string {
  let cleaned = name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[.-]+/, '')
    .replace(/-+$/, '')
    .slice(0, 80);
  if (cleaned !== name || cleaned === '') {
    const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
    cleaned = cleaned === '' ? hash : `${cleaned}-${hash}`;
  }
  return cleaned;
}

/** Where a message lands, relative to the outbox root, without extension. */
export function outboxPath(ref: MessageRef): string {
  return join(safeName(ref.campaign), safeName(ref.touch), safeName(ref.partner));
}

/** Builds the RFC 5322 message (bytes) for one outgoing message. */
export async function buildEml(message: OutgoingMessage, date: Date = new Date()): Promise<Buffer> {
  const headers: Record<string, string> = {};
  let messageId = messageIdFor(message.idempotencyKey, message.from);
  for (const [name, value] of Object.entries(message.headers)) {
    const cleanName = name.replace(/[^!-9;-~]/g, '');
    // The builder's Message-ID (the one the store remembers) is the composer's, not a second header.
    if (cleanName.toLowerCase() === 'message-id') messageId = neutralizeHeaderValue(value);
    else if (cleanName) headers[cleanName] = neutralizeHeaderValue(value);
  }
  if (message.scheduledAt) headers['X-Aircover-Scheduled-At'] = neutralizeHeaderValue(message.scheduledAt);
  const composer = new MailComposer({
    from: neutralizeHeaderValue(message.from),
    to: neutralizeHeaderValue(message.to),
    ...(message.replyTo ? { replyTo: neutralizeHeaderValue(message.replyTo) } : {}),
    subject: neutralizeHeaderValue(message.subject),
    text: message.text,
    html: message.html,
    messageId,
    date,
    headers,
    attachments: (message.attachments ?? []).map((a) => ({
      filename: neutralizeHeaderValue(a.filename),
      content: typeof a.content === 'string' ? Buffer.from(a.content, 'utf8') : Buffer.from(a.content),
      ...(a.contentType ? { contentType: a.contentType } : {}),
    })),
    disableFileAccess: true,
    disableUrlAccess: true,
    xMailer: false,
    newline: '\r\n',
  });
  return composer.compile().build();
}

/** Writes `data` to `path` through a temp file in the same folder, fsynced, then renamed. */
export async function writeFileAtomic(path: string, data: Buffer | string): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (e) {
    await handle.close();
    await rm(temp, { force: true });
    throw e;
  }
  await handle.close();
  try {
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
}

export function createOutboxTransport(options: OutboxTransportOptions): Transport {
  const now = options.now ?? (() => new Date());
  return {
    kind: 'outbox',
    async *send(messages, sendOptions: SendOptions = {}) {
      const { signal, onDispatch, onProgress } = sendOptions;
      for await (const message of messages) {
        if (signal?.aborted) return;
        const relative = outboxPath(message.ref);
        const requestKey = message.idempotencyKey;
        await onDispatch?.({ requestKey, endpoint: 'outbox', messages: [message] });
        let result: SendResult;
        try {
          const file = join(options.dir, relative);
          await mkdir(join(file, '..'), { recursive: true });
          const eml = await buildEml(message, now());
          // The .html first: an .eml on disk means both files are complete.
          await writeFileAtomic(`${file}.html`, message.html);
          await writeFileAtomic(`${file}.eml`, eml);
          result = {
            status: 'sent',
            ref: message.ref,
            idempotencyKey: message.idempotencyKey,
            providerId: `outbox:${relative.split('\\').join('/')}.eml`,
            requestKey,
            attempts: 1,
          };
        } catch (e) {
          const error = e as NodeJS.ErrnoException;
          result = {
            status: 'failed',
            ref: message.ref,
            idempotencyKey: message.idempotencyKey,
            error: { name: error.code ?? 'outbox_error', message: error.message, statusCode: null },
            retryable: true,
            requestKey,
            attempts: 1,
          };
        }
        onProgress?.(result);
        yield result;
      }
    },
  };
}
