/**
 * Delivery through Resend's official SDK: batch endpoint (up to 100 per call), one by one for
 * messages with attachments, an idempotency key on every call, pacing from the rate-limit
 * headers, retries with backoff and jitter, and a clean stop on daily or monthly quota errors and on a refused key (401/403).
 *
 * The SDK never throws on HTTP or network errors; it returns `{ data, error, headers }` where a
 * network failure or timeout is `application_error` with `statusCode: null`.
 */
import { createHash } from 'node:crypto';
import { type CreateBatchEmailOptions, type CreateEmailOptions, Resend } from 'resend';
import {
  type Dispatch,
  IDEMPOTENCY_KEY_MAX,
  type MessageTag,
  neutralizeHeaderValue,
  type OutgoingMessage,
  type SendError,
  type SendOptions,
  type SendResult,
  type StopReason,
  sanitizeTagPart,
  type Transport,
} from '../message.ts';

export interface ResendTransportOptions {
  apiKey: string;
  /** Defaults to RESEND_BASE_URL (read by the SDK) or https://api.resend.com. */
  baseUrl?: string;
  /** Emails per batch call, 1 to 100. Default 100. */
  batchSize?: number;
  /**
   * `permissive` (default): one invalid email fails alone and the rest of its batch is sent.
   * `strict`: one invalid email fails its whole batch.
   */
  batchValidation?: 'strict' | 'permissive';
  /** Attempts per call, including the first. Default 8. */
  maxAttempts?: number;
  /** Exponential backoff: base * 2^(attempt-1), capped, with equal jitter. Defaults 500 ms, 30 s. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Longest `retry-after` honoured as given (longer ones are cut to this). Default 60 s. */
  maxRetryAfterMs?: number;
  /** Abort a call that has not answered after this long (then retry it). Default 30 s. */
  requestTimeoutMs?: number;
  /** Minimum spacing between calls. Default: 1000 / `ratelimit-limit` once the server told it. */
  minIntervalMs?: number;
  /** Injectable for tests. */
  random?: () => number;
}

type CallOutcome =
  | { ok: true; data: unknown; attempts: number }
  | { ok: false; error: SendError; retryable: boolean; stop: StopReason | null; attempts: number };

type SdkResponse = {
  data: unknown;
  error: { name: string; message: string; statusCode: number | null } | null;
  headers: Record<string, string> | null;
};

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

function headerNumber(headers: Record<string, string> | null, name: string): number | null {
  const raw = headers?.[name];
  if (raw === undefined || raw.trim() === '') return null;
  const value = Number(raw);
  return Number.isFinite(value) ? value : null;
}

/**
 * `Retry-After` in milliseconds from now: delay-seconds or an HTTP date (RFC 9110 §10.2.3), as
 * Resend and any proxy in front of it may send either. Null when absent or unreadable.
 */
export function retryAfterMs(headers: Record<string, string> | null, now = Date.now()): number | null {
  const raw = headers?.['retry-after']?.trim();
  if (!raw) return null;
  if (/^\d+(\.\d+)?$/.test(raw)) return Number(raw) * 1000;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** The key of a batch call: a digest of its messages' keys, so the same group gets the same key. */
export function batchKeyFor(messages: readonly OutgoingMessage[]): string {
  const hash = createHash('sha256');
  for (const m of messages) hash.update(m.idempotencyKey).update('\n');
  return `batch-${hash.digest('hex')}`;
}

function tags(list: readonly MessageTag[]): MessageTag[] {
  return list.map((t) => ({ name: sanitizeTagPart(t.name), value: sanitizeTagPart(t.value) }));
}

function headers(list: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(list)) {
    const cleanName = name.replace(/[^!-9;-~]/g, '');
    if (cleanName) out[cleanName] = neutralizeHeaderValue(value);
  }
  return out;
}

function basePayload(m: OutgoingMessage): CreateBatchEmailOptions {
  const payload: CreateBatchEmailOptions = {
    from: neutralizeHeaderValue(m.from),
    to: neutralizeHeaderValue(m.to),
    subject: neutralizeHeaderValue(m.subject),
    html: m.html,
    text: m.text,
    headers: headers(m.headers),
    tags: tags(m.tags),
  };
  if (m.replyTo !== undefined) payload.replyTo = neutralizeHeaderValue(m.replyTo);
  if (m.scheduledAt !== undefined) payload.scheduledAt = m.scheduledAt;
  return payload;
}

function singlePayload(m: OutgoingMessage): CreateEmailOptions {
  const payload = basePayload(m) as CreateEmailOptions;
  if (m.attachments?.length) {
    payload.attachments = m.attachments.map((a) => {
      const attachment: { filename: string; content: Buffer; contentType?: string } = {
        filename: neutralizeHeaderValue(a.filename),
        content: typeof a.content === 'string' ? Buffer.from(a.content, 'utf8') : Buffer.from(a.content),
      };
      if (a.contentType) attachment.contentType = a.contentType;
      return attachment;
    });
  }
  return payload;
}

export function createResendTransport(options: ResendTransportOptions): Transport {
  const client =
    options.baseUrl === undefined
      ? new Resend(options.apiKey)
      : new Resend(options.apiKey, { baseUrl: options.baseUrl.replace(/\/+$/, '') });
  const batchSize = Math.max(1, Math.min(100, Math.floor(options.batchSize ?? 100)));
  const batchValidation = options.batchValidation ?? 'permissive';
  const maxAttempts = Math.max(1, options.maxAttempts ?? 8);
  const backoffBaseMs = options.backoffBaseMs ?? 500;
  const backoffMaxMs = options.backoffMaxMs ?? 30_000;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  const random = options.random ?? Math.random;

  // Pacing state, shared by every send() of this transport (Resend limits per team).
  let intervalMs = options.minIntervalMs ?? 0;
  let nextCallAt = 0;
  let blockedUntil = 0;

  function learn(h: Record<string, string> | null): void {
    const limit = headerNumber(h, 'ratelimit-limit');
    if (limit !== null && limit > 0) intervalMs = Math.max(options.minIntervalMs ?? 0, 1000 / limit);
    const remaining = headerNumber(h, 'ratelimit-remaining');
    const reset = headerNumber(h, 'ratelimit-reset');
    // Room left in the window: the next call may go now, not one spacing after this one (the
    // spacing is for a server that says nothing of what remains). A spacing the caller set stays.
    if (remaining !== null && remaining > 0 && options.minIntervalMs === undefined)
      nextCallAt = Math.min(nextCallAt, Date.now());
    if (remaining === 0 && reset !== null) {
      blockedUntil = Math.max(blockedUntil, Date.now() + Math.min(reset * 1000, maxRetryAfterMs));
    }
  }

  function backoff(attempt: number): number {
    const ceiling = Math.min(backoffMaxMs, backoffBaseMs * 2 ** (attempt - 1));
    return ceiling / 2 + (random() * ceiling) / 2;
  }

  async function call(
    endpoint: 'batch' | 'single',
    payload: CreateBatchEmailOptions[] | CreateEmailOptions,
    requestKey: string,
    signal: AbortSignal | undefined,
  ): Promise<CallOutcome> {
    let last: SendError = { name: 'application_error', message: 'not attempted', statusCode: null };
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      await sleep(Math.max(nextCallAt, blockedUntil) - Date.now(), signal);
      if (signal?.aborted) {
        const error = { name: 'aborted', message: 'The send was interrupted.', statusCode: null };
        return { ok: false, error, retryable: true, stop: null, attempts: attempt - 1 };
      }
      nextCallAt = Date.now() + intervalMs;
      const timeout = AbortSignal.timeout(requestTimeoutMs);
      const callSignal = signal ? AbortSignal.any([signal, timeout]) : timeout;
      let response: SdkResponse;
      try {
        response =
          endpoint === 'batch'
            ? await client.batch.send(payload as CreateBatchEmailOptions[], {
                idempotencyKey: requestKey,
                batchValidation,
                signal: callSignal,
              })
            : await client.emails.send(payload as CreateEmailOptions, {
                idempotencyKey: requestKey,
                signal: callSignal,
              });
      } catch (e) {
        response = {
          data: null,
          error: { name: 'application_error', message: String(e), statusCode: null },
          headers: null,
        };
      }
      learn(response.headers);
      if (!response.error) return { ok: true, data: response.data, attempts: attempt };

      const { name, message } = response.error;
      const statusCode = typeof response.error.statusCode === 'number' ? response.error.statusCode : null;
      last = { name, message, statusCode };
      if (signal?.aborted) {
        const error = { name: 'aborted', message: 'The send was interrupted.', statusCode: null };
        return { ok: false, error, retryable: true, stop: null, attempts: attempt };
      }
      if (statusCode === null && timeout.aborted) {
        last = { name: 'timeout', message: `No answer within ${requestTimeoutMs} ms.`, statusCode: null };
      }
      if (name === 'daily_quota_exceeded' || name === 'monthly_quota_exceeded') {
        return { ok: false, error: last, retryable: false, stop: name, attempts: attempt };
      }
      // A refused key refuses every message: stop the run rather than fail each row for good.
      if (statusCode === 401 || statusCode === 403) {
        return { ok: false, error: last, retryable: false, stop: 'unauthorized', attempts: attempt };
      }
      const retryable =
        statusCode === null ||
        statusCode === 429 ||
        statusCode >= 500 ||
        name === 'concurrent_idempotent_requests' ||
        name === 'rate_limit_exceeded';
      if (!retryable) return { ok: false, error: last, retryable: false, stop: null, attempts: attempt };

      const retryAfter = retryAfterMs(response.headers);
      const wait =
        retryAfter !== null ? Math.min(retryAfter, maxRetryAfterMs) * (1 + random() * 0.1) : backoff(attempt);
      blockedUntil = Math.max(blockedUntil, Date.now() + wait);
    }
    return { ok: false, error: last, retryable: true, stop: null, attempts: maxAttempts };
  }

  function* results(
    chunk: readonly OutgoingMessage[],
    requestKey: string,
    outcome: CallOutcome,
  ): Generator<SendResult> {
    if (!outcome.ok) {
      for (const m of chunk) {
        const base = { ref: m.ref, idempotencyKey: m.idempotencyKey, requestKey, attempts: outcome.attempts };
        yield outcome.stop
          ? { status: 'stopped', ...base, reason: outcome.stop, error: outcome.error }
          : { status: 'failed', ...base, error: outcome.error, retryable: outcome.retryable };
      }
      return;
    }
    const data = outcome.data as {
      id?: string;
      data?: { id: string }[];
      errors?: { index: number; message: string }[];
    };
    const ids = data.data ?? (data.id ? [{ id: data.id }] : []);
    const errors = new Map((data.errors ?? []).map((e) => [e.index, e.message]));
    const consistent = ids.length + errors.size === chunk.length;
    let next = 0;
    for (const [index, m] of chunk.entries()) {
      const base = { ref: m.ref, idempotencyKey: m.idempotencyKey, requestKey, attempts: outcome.attempts };
      const rejected = errors.get(index);
      if (rejected !== undefined) {
        const error = { name: 'validation_error', message: rejected, statusCode: 422 };
        yield { status: 'failed', ...base, error, retryable: false };
      } else if (consistent && ids[next]) {
        yield { status: 'sent', ...base, providerId: (ids[next] as { id: string }).id };
        next++;
      } else {
        const error = {
          name: 'application_error',
          message: 'The provider answer did not match the batch; run again to replay it.',
          statusCode: null,
        };
        yield { status: 'failed', ...base, error, retryable: true };
      }
    }
  }

  function invalidKey(m: OutgoingMessage, requestKey: string): SendResult | null {
    if (m.idempotencyKey.length >= 1 && m.idempotencyKey.length <= IDEMPOTENCY_KEY_MAX) return null;
    return {
      status: 'failed',
      ref: m.ref,
      idempotencyKey: m.idempotencyKey,
      requestKey,
      attempts: 0,
      retryable: false,
      error: {
        name: 'invalid_idempotency_key',
        message: 'The key must be between 1-256 chars.',
        statusCode: null,
      },
    };
  }

  return {
    kind: 'resend',
    async *send(messages, sendOptions: SendOptions = {}) {
      const { signal, onDispatch, onProgress } = sendOptions;
      let pending: OutgoingMessage[] = [];
      let stopped = false;

      async function* dispatch(
        endpoint: 'batch' | 'single',
        chunk: OutgoingMessage[],
      ): AsyncGenerator<SendResult> {
        const first = chunk[0] as OutgoingMessage;
        const requestKey =
          first.batchKey ?? (endpoint === 'single' ? first.idempotencyKey : batchKeyFor(chunk));
        const valid: OutgoingMessage[] = [];
        for (const m of chunk) {
          const bad = invalidKey(m, requestKey);
          if (bad) {
            onProgress?.(bad);
            yield bad;
          } else valid.push(m);
        }
        if (valid.length === 0) return;
        if (requestKey.length > IDEMPOTENCY_KEY_MAX) throw new Error(`batch key too long: ${requestKey}`);
        const d: Dispatch = { requestKey, endpoint, messages: valid };
        await onDispatch?.(d);
        const payload =
          endpoint === 'batch' ? valid.map(basePayload) : singlePayload(valid[0] as OutgoingMessage);
        const outcome = await call(endpoint, payload, requestKey, signal);
        if (!outcome.ok && outcome.stop) stopped = true;
        for (const result of results(valid, requestKey, outcome)) {
          onProgress?.(result);
          yield result;
        }
      }

      async function* flush(): AsyncGenerator<SendResult> {
        if (pending.length === 0) return;
        const chunk = pending;
        pending = [];
        yield* dispatch('batch', chunk);
      }

      for await (const m of messages) {
        if (signal?.aborted || stopped) break;
        if (m.attachments?.length) {
          yield* flush();
          if (stopped || signal?.aborted) break;
          yield* dispatch('single', [m]);
          continue;
        }
        const head = pending[0];
        if (head && (head.batchKey !== m.batchKey || pending.length >= (m.batchKey ? 100 : batchSize))) {
          yield* flush();
          if (stopped || signal?.aborted) break;
        }
        pending.push(m);
      }
      if (!stopped && !signal?.aborted) yield* flush();
    },
  };
}
