/**
 * A local stand-in for Resend's sending API, for tests and benches. It answers the way Resend
 * documents (https://resend.com/docs/api-reference): `POST /emails`, `POST /emails/batch`, bearer
 * auth, validation with `{ statusCode, name, message }` bodies, idempotency keys (24 h), per-second
 * rate limits with `ratelimit-*` and `retry-after` headers, and switches to inject failures; and
 * inbound mail (receiving.ts): `GET /emails/receiving[/{id}]`, the raw .eml, `email.received`.
 *
 * The real SDK is pointed at it: `new Resend(fake.apiKey, { baseUrl: fake.url })`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createReceiving, type Receiving } from './receiving.ts';

export interface ReceivedEmail {
  id: string;
  endpoint: 'emails' | 'batch';
  /** The Idempotency-Key header of the call that carried it, if any. */
  requestKey: string | null;
  from: string;
  to: string[];
  replyTo: string[];
  subject: string;
  html: string | undefined;
  text: string | undefined;
  headers: Record<string, string>;
  tags: { name: string; value: string }[];
  attachments: { filename: string; contentType: string | undefined; size: number }[];
  scheduledAt: string | undefined;
  at: number;
}

export interface RequestRecord {
  path: string;
  status: number;
  /** Resend error name, or null for a 2xx. `dropped` when the socket was destroyed. */
  error: string | null;
  requestKey: string | null;
  emails: number;
  replayed: boolean;
  at: number;
}

export type Fault =
  /** The next `count` requests get a 5xx (after auth and rate limiting, before anything is accepted). */
  | { type: 'server_error'; count: number; status?: 500 | 502 | 503 }
  /**
   * The next `count` requests get 429 rate_limit_exceeded, whatever the bucket says, with
   * `retry-after` in seconds, or as an HTTP date when `retryAfterAsDate` (as RFC 9110 allows).
   */
  | { type: 'rate_limit_storm'; count: number; retryAfterSeconds?: number; retryAfterAsDate?: boolean }
  /** From now on (until `clearFaults`), every send gets 429 daily/monthly_quota_exceeded. */
  | { type: 'quota'; which: 'daily' | 'monthly' }
  /**
   * The next `count` requests are answered `delayMs` late. The emails are accepted first, and the
   * idempotency key stays "in progress" during the delay, as a slow Resend would behave.
   */
  | { type: 'slow'; count: number; delayMs: number }
  /**
   * The next `count` requests have their socket destroyed: `before` anything is accepted, or
   * `after` the emails were accepted and the answer stored (the client never sees it).
   */
  | { type: 'drop'; count: number; when?: 'before' | 'after' };

export interface FakeResendOptions {
  /** Bearer key the server accepts. Default: a random `re_test_...`. */
  apiKey?: string;
  /** Requests per second (token bucket, burst = the limit). Default 10; 0 disables limiting. */
  rateLimit?: number;
  /** Emails accepted per day / month before a quota error (counted over this server's life). */
  dailyQuota?: number;
  monthlyQuota?: number;
  /** How long idempotency keys are kept. Default 24 h. */
  idempotencyTtlMs?: number;
  /** Added to every answer. Default 0. */
  latencyMs?: number;
  /** Clock, for TTL tests. Default Date.now. */
  now?: () => number;
  /** Keep full html/text bodies in `received` (default true; benches turn it off to stay flat). */
  keepBodies?: boolean;
}

export interface FakeResend {
  url: string;
  apiKey: string;
  /** Every accepted email, in acceptance order. Replays add nothing. */
  received: ReceivedEmail[];
  /** Every request answered (or dropped), in order. */
  requests: RequestRecord[];
  /** Inbound mail: the receiving store, its routes, and the `email.received` webhook (receiving.ts). */
  receiving: Receiving;
  inject(fault: Fault): void;
  clearFaults(): void;
  /** Change the rate limit on the fly (0 disables). */
  setRateLimit(perSecond: number): void;
  /** Values of `key(email)` seen more than once among received emails, with their counts. */
  duplicates(key?: (email: ReceivedEmail) => string): Map<string, number>;
  /** Forget received emails, requests and idempotency keys (faults and limits stay). */
  reset(): void;
  close(): Promise<void>;
}

interface ErrorBody {
  statusCode: number;
  name: string;
  message: string;
}

interface StoredAnswer {
  fingerprint: string;
  state: 'in_progress' | 'done';
  status: number;
  body: unknown;
  at: number;
}

const MAX_BODY_BYTES = 45 * 1024 * 1024;
const DAY_MS = 24 * 60 * 60 * 1000;
const TAG_RE = /^[A-Za-z0-9_-]{1,256}$/;
const ADDRESS_RE = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

function err(statusCode: number, name: string, message: string): ErrorBody {
  return { statusCode, name, message };
}

const ERRORS = {
  missingKey: () => err(401, 'missing_api_key', 'Missing API key in the authorization header.'),
  invalidKey: () => err(403, 'invalid_api_key', 'API key is invalid.'),
  notFound: () => err(404, 'not_found', 'The requested endpoint does not exist.'),
  method: () => err(405, 'method_not_allowed', 'Method is not allowed for the requested path.'),
  rateLimit: (limit: number) =>
    err(
      429,
      'rate_limit_exceeded',
      `Too many requests. You can only make ${limit} requests per second. See rate limit response headers for more information.`,
    ),
  daily: () => err(429, 'daily_quota_exceeded', 'You have reached your daily email sending quota.'),
  monthly: () => err(429, 'monthly_quota_exceeded', 'You have reached your monthly email sending quota.'),
  badKey: () => err(400, 'invalid_idempotency_key', 'The key must be between 1-256 chars.'),
  keyReused: () =>
    err(409, 'invalid_idempotent_request', 'Same idempotency key used with a different request payload.'),
  keyInFlight: () =>
    err(
      409,
      'concurrent_idempotent_requests',
      'Same idempotency key used while original request is still in progress.',
    ),
  server: (status: number) => err(status, 'application_error', 'An unexpected error occurred.'),
};

/** Address from `"Name <a@b.c>"` or `a@b.c`, or null when it is not one. */
function parseAddress(value: unknown): string | null {
  if (typeof value !== 'string' || /[\r\n]/.test(value)) return null;
  const angled = /^(?:"?[^"<>]*"?\s*)?<([^<>]+)>$/.exec(value.trim());
  const address = angled?.[1] ?? value.trim();
  return ADDRESS_RE.test(address) ? address : null;
}

function asList(value: unknown): unknown[] | null {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value : null;
}

/** The fields of Resend's send-email body this fake looks at (snake_case, as on the wire). */
interface RawEmail {
  from?: unknown;
  to?: unknown;
  subject?: unknown;
  html?: unknown;
  text?: unknown;
  reply_to?: unknown;
  headers?: unknown;
  tags?: unknown;
  attachments?: unknown;
  scheduled_at?: unknown;
}

type Parsed = { ok: true; email: Omit<ReceivedEmail, 'id' | 'endpoint' | 'requestKey' | 'at'> } | ErrorBody;

function validateEmail(input: unknown, inBatch: boolean, keepBodies: boolean): Parsed {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return err(422, 'validation_error', 'Each email must be an object.');
  }
  const e = input as RawEmail;
  for (const field of ['from', 'to', 'subject'] as const) {
    if (e[field] === undefined || e[field] === null || e[field] === '') {
      return err(422, 'missing_required_field', `Missing \`${field}\` field.`);
    }
  }
  if (e.html === undefined && e.text === undefined) {
    return err(422, 'missing_required_field', 'Missing `html` or `text` field.');
  }
  if (!parseAddress(e.from)) {
    return err(
      422,
      'validation_error',
      'Invalid `from` field. The email address needs to follow the `email@example.com` or `Name <email@example.com>` format.',
    );
  }
  const to = asList(e.to);
  if (!to || to.length === 0 || to.length > 50 || !to.every((a) => parseAddress(a))) {
    return err(
      422,
      'validation_error',
      'Invalid `to` field. Use 1 to 50 addresses in the `email@example.com` or `Name <email@example.com>` format.',
    );
  }
  const replyTo = asList(e.reply_to);
  if (!replyTo?.every((a) => parseAddress(a))) {
    return err(422, 'validation_error', 'Invalid `reply_to` field.');
  }
  if (typeof e.subject !== 'string' || /[\r\n]/.test(e.subject)) {
    return err(422, 'validation_error', 'Invalid `subject` field.');
  }
  for (const field of ['html', 'text'] as const) {
    if (e[field] !== undefined && typeof e[field] !== 'string') {
      return err(422, 'validation_error', `Invalid \`${field}\` field.`);
    }
  }
  const headers: Record<string, string> = {};
  if (e.headers !== undefined) {
    if (typeof e.headers !== 'object' || e.headers === null || Array.isArray(e.headers)) {
      return err(422, 'validation_error', 'Invalid `headers` field.');
    }
    for (const [name, value] of Object.entries(e.headers)) {
      if (!/^[!-9;-~]+$/.test(name) || typeof value !== 'string' || /[\r\n]/.test(value)) {
        return err(422, 'validation_error', `Invalid header \`${name}\`.`);
      }
      headers[name] = value;
    }
  }
  const tags: { name: string; value: string }[] = [];
  if (e.tags !== undefined) {
    if (!Array.isArray(e.tags)) return err(422, 'validation_error', 'Invalid `tags` field.');
    for (const t of e.tags as unknown[]) {
      const { name, value } = (t ?? {}) as { name?: unknown; value?: unknown };
      if (
        typeof name !== 'string' ||
        !TAG_RE.test(name) ||
        typeof value !== 'string' ||
        !TAG_RE.test(value)
      ) {
        return err(
          422,
          'validation_error',
          'Tags should only contain ASCII letters (a–z, A–Z), numbers (0–9), underscores (_), or dashes (-). It can contain no more than 256 characters.',
        );
      }
      tags.push({ name, value });
    }
  }
  const attachments: ReceivedEmail['attachments'] = [];
  if (e.attachments !== undefined && e.attachments !== null) {
    if (inBatch) {
      return err(422, 'validation_error', 'Attachments are not supported with the batch endpoint.');
    }
    if (!Array.isArray(e.attachments)) return err(422, 'validation_error', 'Invalid `attachments` field.');
    for (const a of e.attachments as unknown[]) {
      const { filename, content, path, content_type } = (a ?? {}) as {
        filename?: unknown;
        content?: unknown;
        path?: unknown;
        content_type?: unknown;
      };
      if (typeof filename !== 'string' || (typeof content !== 'string' && typeof path !== 'string')) {
        return err(422, 'invalid_attachment', 'Attachment must have either a `content` or `path`.');
      }
      attachments.push({
        filename,
        contentType: typeof content_type === 'string' ? content_type : undefined,
        size: typeof content === 'string' ? Buffer.from(content, 'base64').length : 0,
      });
    }
  }
  let scheduledAt: string | undefined;
  if (e.scheduled_at !== undefined) {
    if (typeof e.scheduled_at !== 'string' || Number.isNaN(Date.parse(e.scheduled_at))) {
      return err(422, 'validation_error', 'Invalid `scheduled_at` field. Use ISO 8601.');
    }
    scheduledAt = e.scheduled_at;
  }
  return {
    ok: true,
    email: {
      from: e.from as string,
      to: to as string[],
      replyTo: replyTo as string[],
      subject: e.subject,
      html: keepBodies ? (e.html as string | undefined) : undefined,
      text: keepBodies ? (e.text as string | undefined) : undefined,
      headers,
      tags,
      attachments,
      scheduledAt,
    },
  };
}

/** Default key for `duplicates`: the campaign/touch/partner tags, else the recipients. */
function defaultIdentity(email: ReceivedEmail): string {
  const tags = new Map(email.tags.map((t) => [t.name, t.value]));
  if (tags.has('partner')) return `${tags.get('campaign')}/${tags.get('touch')}/${tags.get('partner')}`;
  return email.to.join(',');
}

export async function startFakeResend(options: FakeResendOptions = {}): Promise<FakeResend> {
  const apiKey = options.apiKey ?? `re_test_${randomUUID().replaceAll('-', '')}`;
  const now = options.now ?? Date.now;
  const ttl = options.idempotencyTtlMs ?? DAY_MS;
  const keepBodies = options.keepBodies ?? true;
  let rateLimit = options.rateLimit ?? 10;
  let tokens = rateLimit;
  let refilledAt = now();
  let faults: Fault[] = [];
  const received: ReceivedEmail[] = [];
  const requests: RequestRecord[] = [];
  const answers = new Map<string, StoredAnswer>();
  const sockets = new Set<Socket>();
  let acceptedEmails = 0;
  let url = '';
  const receiving = createReceiving(() => url, now);

  function refill(): void {
    const t = now();
    if (rateLimit > 0) tokens = Math.min(rateLimit, tokens + ((t - refilledAt) / 1000) * rateLimit);
    refilledAt = t;
  }

  function rateHeaders(): Record<string, string> {
    if (rateLimit <= 0) return {};
    const remaining = Math.max(0, Math.floor(tokens));
    const secondsToFull = Math.ceil(((rateLimit - tokens) / rateLimit) * 1000) / 1000;
    return {
      'ratelimit-limit': String(rateLimit),
      'ratelimit-remaining': String(remaining),
      'ratelimit-reset': String(Math.max(0, Math.ceil(secondsToFull))),
      'ratelimit-policy': `${rateLimit};w=1`,
    };
  }

  /** Takes the first matching fault that still has a count; returns it. */
  function take<T extends Fault['type']>(
    type: T,
    match: (f: Extract<Fault, { type: T }>) => boolean = () => true,
  ): Extract<Fault, { type: T }> | undefined {
    const fault = faults.find((f) => f.type === type && match(f as Extract<Fault, { type: T }>)) as
      | Extract<Fault, { type: T }>
      | undefined;
    if (!fault) return undefined;
    if ('count' in fault) {
      fault.count -= 1;
      if (fault.count <= 0) faults = faults.filter((f) => f !== fault);
    }
    return fault;
  }

  function pruneAnswers(): void {
    const cutoff = now() - ttl;
    for (const [key, answer] of answers) {
      if (answer.at >= cutoff) break; // insertion order is time order
      if (answer.state === 'done') answers.delete(key);
    }
  }

  function send(
    res: ServerResponse,
    status: number,
    body: unknown,
    extra: Record<string, string> = {},
  ): Promise<void> {
    const payload = JSON.stringify(body);
    return new Promise((resolve) => {
      const reply = () => {
        if (res.destroyed) return resolve();
        res.writeHead(status, {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(payload)),
          ...rateHeaders(),
          ...extra,
        });
        res.end(payload, () => resolve());
      };
      if (options.latencyMs) setTimeout(reply, options.latencyMs).unref();
      else reply();
    });
  }

  function record(
    path: string,
    status: number,
    error: string | null,
    requestKey: string | null,
    emails: number,
    replayed = false,
  ): void {
    requests.push({ path, status, error, requestKey, emails, replayed, at: now() });
  }

  async function readBody(req: IncomingMessage): Promise<Buffer | null> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) return null;
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const endpoint = path === '/emails' ? 'emails' : path === '/emails/batch' ? 'batch' : null;
    const requestKeyHeader = req.headers['idempotency-key'];
    const requestKey = typeof requestKeyHeader === 'string' ? requestKeyHeader : null;
    const fail = async (e: ErrorBody, extra: Record<string, string> = {}) => {
      record(path, e.statusCode, e.name, requestKey, 0);
      await send(res, e.statusCode, e, extra);
    };

    const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
    const inbound = receiving.route(req, path, query);
    if (inbound && !inbound.auth) {
      // The signed raw link: no API key, like the storage link Resend hands out.
      record(path, inbound.status, inbound.status === 200 ? null : 'forbidden', null, 0);
      const bytes = inbound.raw ?? Buffer.from(JSON.stringify(inbound.body));
      res.writeHead(inbound.status, {
        'content-type': inbound.raw ? 'message/rfc822' : 'application/json',
        'content-length': String(bytes.length),
      });
      res.end(bytes);
      return;
    }

    const auth = req.headers.authorization;
    if (!auth?.startsWith('Bearer ') || auth.length <= 'Bearer '.length) return fail(ERRORS.missingKey());
    if (auth.slice('Bearer '.length) !== apiKey) return fail(ERRORS.invalidKey());
    if (inbound) {
      refill();
      if (rateLimit > 0) {
        if (tokens < 1) return fail(ERRORS.rateLimit(rateLimit), { 'retry-after': '1' });
        tokens -= 1;
      }
      const serverError = take('server_error');
      if (serverError) return fail(ERRORS.server(serverError.status ?? 500));
      record(path, inbound.status, inbound.status === 200 ? null : 'not_found', null, 0);
      await send(res, inbound.status, inbound.body);
      return;
    }
    if (!endpoint) return fail(ERRORS.notFound());
    if (req.method !== 'POST') return fail(ERRORS.method());

    refill();
    if (rateLimit > 0) {
      if (tokens < 1) {
        const retryAfter = Math.max(1, Math.ceil((1 - tokens) / rateLimit));
        return fail(ERRORS.rateLimit(rateLimit), { 'retry-after': String(retryAfter) });
      }
      tokens -= 1;
    }
    const storm = take('rate_limit_storm');
    if (storm) {
      const seconds = storm.retryAfterSeconds ?? 1;
      const retryAfter = storm.retryAfterAsDate
        ? new Date(now() + seconds * 1000).toUTCString()
        : String(seconds);
      return fail(ERRORS.rateLimit(rateLimit), { 'retry-after': retryAfter });
    }

    const raw = await readBody(req);
    if (raw === null) return fail(err(413, 'validation_error', 'Request body is too large.'));

    if (take('drop', (f) => f.when === 'before')) {
      record(path, 0, 'dropped', requestKey, 0);
      req.socket.destroy();
      return;
    }

    if (requestKey !== null && (requestKey.length < 1 || requestKey.length > 256)) {
      return fail(ERRORS.badKey());
    }
    const fingerprint = createHash('sha256').update(path).update('\n').update(raw).digest('hex');
    pruneAnswers();
    const stored = requestKey === null ? undefined : answers.get(requestKey);
    if (stored && now() - stored.at < ttl) {
      if (stored.fingerprint !== fingerprint) return fail(ERRORS.keyReused());
      if (stored.state === 'in_progress') return fail(ERRORS.keyInFlight());
      record(path, stored.status, null, requestKey, 0, true);
      await send(res, stored.status, stored.body);
      return;
    }

    const serverError = take('server_error');
    if (serverError) return fail(ERRORS.server(serverError.status ?? 500));
    const quota = faults.find((f) => f.type === 'quota');
    if (quota) return fail(quota.which === 'daily' ? ERRORS.daily() : ERRORS.monthly());

    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      return fail(err(400, 'validation_error', 'Invalid JSON body.'));
    }

    const inputs = endpoint === 'batch' ? json : [json];
    if (!Array.isArray(inputs)) {
      return fail(err(422, 'validation_error', 'The batch body must be an array of emails.'));
    }
    if (inputs.length === 0 || inputs.length > 100) {
      return fail(err(422, 'validation_error', 'A batch holds 1 to 100 emails.'));
    }
    const permissive =
      endpoint === 'batch' &&
      String(req.headers['x-batch-validation'] ?? 'strict').toLowerCase() === 'permissive';
    const parsed = inputs.map((input) => validateEmail(input, endpoint === 'batch', keepBodies));
    const invalid = parsed.map((p, index) => ({ p, index })).filter(({ p }) => !('ok' in p));
    if (invalid.length > 0 && !permissive) {
      const first = invalid[0] as { p: ErrorBody; index: number };
      const message = endpoint === 'batch' ? `emails[${first.index}]: ${first.p.message}` : first.p.message;
      return fail({ ...first.p, message });
    }
    const valid = parsed.filter((p) => 'ok' in p).length;
    const quotaLeft = Math.min(
      options.dailyQuota === undefined ? Number.POSITIVE_INFINITY : options.dailyQuota - acceptedEmails,
      options.monthlyQuota === undefined ? Number.POSITIVE_INFINITY : options.monthlyQuota - acceptedEmails,
    );
    if (valid > quotaLeft) {
      const daily = options.dailyQuota !== undefined && options.dailyQuota - acceptedEmails < valid;
      return fail(daily ? ERRORS.daily() : ERRORS.monthly());
    }

    // Accept.
    const at = now();
    const data: { id: string }[] = [];
    const errors: { index: number; message: string }[] = [];
    parsed.forEach((p, index) => {
      if ('ok' in p) {
        const id = randomUUID();
        received.push({ id, endpoint, requestKey, at, ...p.email });
        data.push({ id });
      } else {
        errors.push({ index, message: p.message });
      }
    });
    acceptedEmails += data.length;
    const body = endpoint === 'batch' ? (permissive ? { data, errors } : { data }) : data[0];
    const answer: StoredAnswer = { fingerprint, state: 'in_progress', status: 200, body, at };
    if (requestKey !== null) {
      answers.delete(requestKey); // keep insertion order = time order for pruning
      answers.set(requestKey, answer);
    }

    const slow = take('slow');
    if (slow) await new Promise((r) => setTimeout(r, slow.delayMs).unref());
    answer.state = 'done';

    if (take('drop', (f) => (f.when ?? 'after') === 'after')) {
      record(path, 0, 'dropped', requestKey, data.length);
      req.socket.destroy();
      return;
    }
    record(path, 200, null, requestKey, data.length);
    await send(res, 200, body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        const body = ERRORS.server(500);
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ...body, message: String(e) }));
      }
    });
  });
  server.keepAliveTimeout = 5_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  const { port } = server.address() as AddressInfo;
  url = `http://127.0.0.1:${port}`;

  return {
    url,
    apiKey,
    received,
    receiving,
    requests,
    inject(fault) {
      faults.push({ ...fault });
    },
    clearFaults() {
      faults = [];
    },
    setRateLimit(perSecond) {
      rateLimit = perSecond;
      tokens = perSecond;
      refilledAt = now();
    },
    duplicates(key = defaultIdentity) {
      const counts = new Map<string, number>();
      for (const email of received) {
        const k = key(email);
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      for (const [k, n] of counts) if (n < 2) counts.delete(k);
      return counts;
    },
    reset() {
      received.length = 0;
      requests.length = 0;
      answers.clear();
      acceptedEmails = 0;
      receiving.reset();
    },
    close() {
      return new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      });
    },
  };
}
