import { createHash } from 'node:crypto';
/**
 * The shape every transport accepts (one rendered message for one partner) and the result it
 * reports for each message. Rendering lives elsewhere (src/lib/email/render); this module only
 * fixes the contract between the send planner, the ledger and the transports.
 */

/** Which ledger row a message belongs to: one per (campaign, touch, partner). */
export interface MessageRef {
  campaign: string;
  touch: string;
  partner: string;
}

/** A Resend tag. Name and value: ASCII letters, digits, `_` and `-` only, 1 to 256 characters. */
export interface MessageTag {
  name: string;
  value: string;
}

export interface MessageAttachment {
  filename: string;
  /** Raw bytes, or a string taken as UTF-8 text. */
  content: Uint8Array | string;
  contentType?: string;
}

export interface OutgoingMessage {
  /** Which ledger row this is. The outbox files it under campaign/touch/partner. */
  ref: MessageRef;
  /**
   * Stable per message: derived from campaign, touch, partner and content version, 1 to 256
   * characters. Sending the same message again with the same key never delivers it twice.
   */
  idempotencyKey: string;
  /**
   * Set only when re-dispatching messages whose ledger row recorded a batch key (they were in
   * flight when a previous run died): messages sharing it are sent together, in one call, under
   * exactly that key, so the provider replays its first answer instead of sending again.
   */
  batchKey?: string;
  /** `"Name <address>"` or a bare address. */
  from: string;
  to: string;
  replyTo?: string;
  subject: string;
  html: string;
  text: string;
  /** Extra headers, e.g. List-Unsubscribe and List-Unsubscribe-Post (see `unsubscribeHeaders`). */
  headers: Record<string, string>;
  tags: MessageTag[];
  /** Messages with attachments cannot use Resend's batch endpoint: they go one by one. */
  attachments?: MessageAttachment[];
  /** ISO 8601; passed through to Resend's `scheduled_at`. */
  scheduledAt?: string;
}

export interface SendError {
  /** Resend's error name (`validation_error`, `rate_limit_exceeded`, ...) or a local one. */
  name: string;
  message: string;
  /** HTTP status, or null for network errors and timeouts. */
  statusCode: number | null;
}

export type QuotaStop = 'daily_quota_exceeded' | 'monthly_quota_exceeded';

/**
 * Why a provider stopped a whole run: a spent quota, or a key it refuses (401 missing or
 * restricted key, 403 invalid key or unverified sender). Every message would meet the same
 * answer, so none is attempted after it and none is failed for good.
 */
export type StopReason = QuotaStop | 'unauthorized';

export type SendResult =
  | {
      status: 'sent';
      ref: MessageRef;
      idempotencyKey: string;
      /** Resend's email id (uuid), or `outbox:<relative path>` for the file outbox. */
      providerId: string;
      /** The key of the HTTP call that carried it (the batch key, or the message's own key). */
      requestKey: string;
      attempts: number;
    }
  | {
      status: 'failed';
      ref: MessageRef;
      idempotencyKey: string;
      error: SendError;
      /** True when running again later may succeed (network, 5xx, rate limit past the retries). */
      retryable: boolean;
      requestKey: string;
      attempts: number;
    }
  | {
      /**
       * The provider refused the whole run: a daily or monthly quota is spent, or the API key is
       * refused (401/403). Nothing after this was attempted: the transport ends the run; leave
       * these retryable and the rest planned.
       */
      status: 'stopped';
      ref: MessageRef;
      idempotencyKey: string;
      reason: StopReason;
      error: SendError;
      requestKey: string;
      attempts: number;
    };

/** One HTTP call (or one file write) about to be made: record it before it goes out. */
export interface Dispatch {
  requestKey: string;
  endpoint: 'batch' | 'single' | 'outbox';
  messages: readonly OutgoingMessage[];
}

export interface SendOptions {
  /**
   * Awaited before each call: mark the rows `sending` with `requestKey` so a rerun after a kill
   * can re-dispatch exactly that group under exactly that key (see `OutgoingMessage.batchKey`).
   */
  onDispatch?: (dispatch: Dispatch) => void | Promise<void>;
  /** Called with each result as soon as it is known (the iterator yields the same results). */
  onProgress?: (result: SendResult) => void;
  /** Stops between calls and during waits; an interrupted call reports `failed`, retryable. */
  signal?: AbortSignal;
}

export interface Transport {
  readonly kind: 'outbox' | 'resend';
  /**
   * Sends in input order and yields each result as soon as it is known. The iterator is lazy:
   * the next call goes out only after the consumer has taken the previous results, so a caller
   * that writes each result to the ledger inside its `for await` loop never loses one to a kill.
   * After a `stopped` result the iterator ends; messages not yielded were never attempted.
   */
  send(
    messages: Iterable<OutgoingMessage> | AsyncIterable<OutgoingMessage>,
    options?: SendOptions,
  ): AsyncIterable<SendResult>;
}

/** Collects every result (small sends, tests). Prefer iterating for real runs. */
export async function sendAll(
  transport: Transport,
  messages: Iterable<OutgoingMessage> | AsyncIterable<OutgoingMessage>,
  options?: SendOptions,
): Promise<SendResult[]> {
  const results: SendResult[] = [];
  for await (const result of transport.send(messages, options)) results.push(result);
  return results;
}

const TAG_MAX = 256;

/**
 * Makes a string a valid Resend tag name or value: characters outside ASCII letters, digits,
 * `_` and `-` become `_`, the result is cut to 256 characters and never empty.
 */
export function sanitizeTagPart(value: string): string {
  const cleaned = value.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, TAG_MAX);
  return cleaned === '' ? '_' : cleaned;
}

export function isValidTagPart(value: string): boolean {
  return value.length >= 1 && value.length <= TAG_MAX && /^[A-Za-z0-9_-]+$/.test(value);
}

export function tag(name: string, value: string): MessageTag {
  return { name: sanitizeTagPart(name), value: sanitizeTagPart(value) };
}

/** The tags the webhooks read back: campaign, touch and partner. */
export function refTags(ref: MessageRef): MessageTag[] {
  return [tag('campaign', ref.campaign), tag('touch', ref.touch), tag('partner', ref.partner)];
}

/** RFC 8058 one-click unsubscribe (plus an optional mailto fallback). */
export function unsubscribeHeaders(url: string, mailto?: string): Record<string, string> {
  const targets = [`<${url}>`];
  if (mailto) targets.push(`<mailto:${mailto}>`);
  return {
    'List-Unsubscribe': targets.join(', '),
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
}

/** Replaces CR, LF and other control characters in a header value by spaces. */
export function neutralizeHeaderValue(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

export const IDEMPOTENCY_KEY_MAX = 256;

/**
 * The Message-ID of an outgoing message, a pure function of its idempotency key and sender, so a
 * resend after a crash carries the same id and a reply's In-Reply-To finds it (src/lib/inbox/).
 * Both transports send it: the outbox writes it into the .eml, Resend gets it as a header.
 */
export function messageIdFor(idempotencyKey: string, from: string): string {
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'aircover.invalid';
  return `<${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}@${domain}>`;
}
