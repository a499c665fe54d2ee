/**
 * The fake's receiving side, as Resend documents inbound mail: a store of received emails,
 * `GET /emails/receiving` (cursor list: `limit`, `after`, `has_more`), `GET /emails/receiving/{id}`
 * (text, html, headers, message_id, and `raw.download_url`, a signed link to the original .eml
 * that needs no API key and expires), the raw download itself, and the `email.received` webhook:
 * metadata only, signed the svix way, to the endpoint a test registers.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type AddressObject, simpleParser } from 'mailparser';

export interface InboundEmail {
  id: string;
  created_at: string;
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  reply_to: string[];
  received_for: string[];
  subject: string;
  message_id: string;
  text: string | null;
  html: string | null;
  headers: Record<string, string>;
  attachments: {
    id: string;
    filename: string | null;
    size: number;
    content_type: string;
    content_id: string | null;
    content_disposition: string | null;
  }[];
  raw: Buffer;
}

export interface WebhookEndpoint {
  url: string;
  /** `whsec_` + base64 key, as Resend shows it. */
  secret: string;
}

export interface WebhookDelivery {
  svixId: string;
  emailId: string;
  /** HTTP status the app answered, or 0 when the request failed. */
  status: number;
  body: string;
}

export interface ReceiveOptions {
  /** Sign with another secret (a forged or misconfigured delivery). */
  secret?: string;
  /** Keep no raw .eml for this email (`raw: null`, as for some older messages). */
  noRaw?: boolean;
}

export interface Receiving {
  emails: InboundEmail[];
  deliveries: WebhookDelivery[];
  /** Where `email.received` goes; none until set. */
  setWebhook(endpoint: WebhookEndpoint | null): void;
  /**
   * A message arrives at the receiving domain: stored, then `email.received` POSTed to the
   * webhook (once; `redeliver` repeats it as Resend's retries do, with the same svix-id).
   */
  receive(
    raw: string | Buffer,
    options?: ReceiveOptions,
  ): Promise<{ email: InboundEmail; delivery: WebhookDelivery }>;
  /** Deliver the same webhook again (same svix-id, new timestamp and signature). */
  redeliver(delivery: WebhookDelivery, options?: ReceiveOptions): Promise<WebhookDelivery>;
  /** Answers the receiving routes; null when the path is not one of them. */
  route(
    req: IncomingMessage,
    path: string,
    query: URLSearchParams,
  ): { status: number; body: unknown; raw?: Buffer; auth: boolean } | null;
  reset(): void;
}

const RAW_TTL_MS = 60 * 60 * 1000;

export function svixSign(secret: string, id: string, timestamp: string, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

function addressList(field: AddressObject | AddressObject[] | undefined): string[] {
  const groups = Array.isArray(field) ? field : field ? [field] : [];
  return groups.flatMap((g) =>
    g.value.flatMap((a) => (a.address ? [a.name ? `${a.name} <${a.address}>` : a.address] : [])),
  );
}

export function createReceiving(baseUrl: () => string, now: () => number): Receiving {
  const emails: InboundEmail[] = [];
  const deliveries: WebhookDelivery[] = [];
  const signingKey = randomUUID();
  let webhook: WebhookEndpoint | null = null;

  const rawSignature = (id: string, expires: number) =>
    createHmac('sha256', signingKey).update(`${id}.${expires}`).digest('hex');

  const view = (e: InboundEmail, full: boolean) => {
    const { raw: _raw, text, html, headers, ...meta } = e;
    if (!full) return meta;
    const expires = now() + RAW_TTL_MS;
    const raw = e.raw.length
      ? {
          download_url: `${baseUrl()}/_raw/emails/receiving/${e.id}?expires=${expires}&signature=${rawSignature(e.id, expires)}`,
          expires_at: new Date(expires).toISOString(),
        }
      : null;
    return { object: 'email', ...meta, text, html, headers, raw };
  };

  async function post(
    email: InboundEmail,
    svixId: string,
    options: ReceiveOptions,
  ): Promise<WebhookDelivery> {
    const body = JSON.stringify({
      type: 'email.received',
      created_at: new Date(now()).toISOString(),
      data: {
        email_id: email.id,
        created_at: email.created_at,
        from: email.from,
        to: email.to,
        cc: email.cc,
        bcc: email.bcc,
        message_id: email.message_id,
        subject: email.subject,
        attachments: email.attachments.map(
          ({ id, filename, content_type, content_disposition, content_id }) => ({
            id,
            filename,
            content_type,
            content_disposition,
            content_id,
          }),
        ),
      },
    });
    const delivery: WebhookDelivery = { svixId, emailId: email.id, status: 0, body: '' };
    deliveries.push(delivery);
    if (!webhook) throw new Error('fake Resend: no webhook endpoint set (receiving.setWebhook)');
    const timestamp = String(Math.floor(now() / 1000));
    try {
      const response = await fetch(webhook.url, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Svix-Webhooks/1.0',
          'svix-id': svixId,
          'svix-timestamp': timestamp,
          'svix-signature': svixSign(options.secret ?? webhook.secret, svixId, timestamp, body),
        },
        signal: AbortSignal.timeout(15_000),
      });
      delivery.status = response.status;
      delivery.body = await response.text();
    } catch (error) {
      delivery.body = String(error);
    }
    return delivery;
  }

  return {
    emails,
    deliveries,
    setWebhook(endpoint) {
      webhook = endpoint;
    },
    async receive(input, options = {}) {
      const raw = typeof input === 'string' ? Buffer.from(input) : input;
      const mail = await simpleParser(raw, { skipTextToHtml: true });
      const headers: Record<string, string> = {};
      for (const line of mail.headerLines) {
        const value = line.line.slice(line.line.indexOf(':') + 1).trim();
        headers[line.key] = headers[line.key] ? `${headers[line.key]}, ${value}` : value;
      }
      const to = addressList(mail.to);
      const email: InboundEmail = {
        id: randomUUID(),
        created_at: new Date(now()).toISOString(),
        from: addressList(mail.from)[0] ?? '',
        to,
        cc: addressList(mail.cc),
        bcc: [],
        reply_to: addressList(mail.replyTo),
        received_for: to,
        subject: mail.subject ?? '',
        message_id: mail.messageId ?? `<${randomUUID()}@inbound.resend.fake>`,
        text: mail.text ?? null,
        html: typeof mail.html === 'string' ? mail.html : null,
        headers,
        attachments: mail.attachments.map((a) => ({
          id: randomUUID(),
          filename: a.filename ?? null,
          size: a.size,
          content_type: a.contentType,
          content_id: a.cid ?? null,
          content_disposition: a.contentDisposition ?? null,
        })),
        raw: options.noRaw ? Buffer.alloc(0) : raw,
      };
      emails.push(email);
      const delivery = await post(email, `msg_${randomUUID().replaceAll('-', '')}`, options);
      return { email, delivery };
    },
    async redeliver(delivery, options = {}) {
      const email = emails.find((e) => e.id === delivery.emailId);
      if (!email) throw new Error(`fake Resend: no received email ${delivery.emailId}`);
      return post(email, delivery.svixId, options);
    },
    route(req, path, query) {
      if (req.method !== 'GET') return null;
      const rawMatch = /^\/_raw\/emails\/receiving\/([^/]+)$/.exec(path);
      if (rawMatch) {
        const id = rawMatch[1] as string;
        const expires = Number(query.get('expires'));
        const given = Buffer.from(query.get('signature') ?? '');
        const want = Buffer.from(rawSignature(id, expires));
        const email = emails.find((e) => e.id === id);
        if (!email || given.length !== want.length || !timingSafeEqual(given, want) || expires < now())
          return {
            status: 403,
            body: { message: 'Request has expired or the signature is invalid' },
            auth: false,
          };
        return { status: 200, body: null, raw: email.raw, auth: false };
      }
      if (path === '/emails/receiving') {
        const limit = Math.min(100, Math.max(1, Number(query.get('limit') ?? 20) || 20));
        const newestFirst = [...emails].reverse();
        const after = query.get('after');
        const start = after ? newestFirst.findIndex((e) => e.id === after) + 1 : 0;
        const page = newestFirst.slice(start, start + limit);
        return {
          status: 200,
          body: {
            object: 'list',
            has_more: start + limit < newestFirst.length,
            data: page.map((e) => view(e, false)),
          },
          auth: true,
        };
      }
      const one = /^\/emails\/receiving\/([^/]+)$/.exec(path);
      if (one) {
        const email = emails.find((e) => e.id === one[1]);
        if (!email)
          return {
            status: 404,
            body: { statusCode: 404, name: 'not_found', message: 'Email not found' },
            auth: true,
          };
        return { status: 200, body: view(email, true), auth: true };
      }
      return null;
    },
    reset() {
      emails.length = 0;
      deliveries.length = 0;
    },
  };
}
