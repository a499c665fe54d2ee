/**
 * Resend inbound, the second way in: the `email.received` webhook carries only metadata (no body,
 * no headers, so no In-Reply-To), so the message is fetched with the SDK
 * (`resend.emails.receiving.get(id)`) and its original .eml downloaded from `raw.download_url`,
 * then parsed by mailparser and ingested exactly like an IMAP message (pipeline.ts).
 *
 * A fetch that fails throws `InboundFetchError`; the webhook answers 503 and records nothing, so
 * Resend delivers the webhook again (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h). The message stays
 * in Resend meanwhile, so nothing is lost. A delivery seen twice (a retry after a lost answer, a
 * replay) is found by its Message-ID and changes nothing.
 */
import { Resend } from 'resend';
import type { Store } from '../store/types.ts';
import { cleanLine } from './parse.ts';
import { type InboxContext, type Ingested, ingest } from './pipeline.ts';

/** Resend's ids are UUIDs; anything else is refused before it reaches a URL path. */
const emailIdPattern = /^[A-Za-z0-9_-]{1,100}$/;
/** Resend refuses inbound messages over 40 MB; a bigger download is not one of them. */
const MAX_RAW_BYTES = 45 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 30_000;

export class InboundFetchError extends Error {
  override name = 'InboundFetchError';
  /** Worth retrying later: false only for what no retry can mend (a malformed id, a huge message). */
  readonly retryable: boolean;
  constructor(message: string, retryable = true) {
    super(message);
    this.retryable = retryable;
  }
}

export interface ResendInboundEnv {
  RESEND_API_KEY?: string | undefined;
  RESEND_BASE_URL?: string | undefined;
}

/** The SDK client for fetching received mail, or null when no API key is set. */
export function receivingClient(env: ResendInboundEnv = process.env): Resend | null {
  const key = env.RESEND_API_KEY?.trim();
  if (!key) return null;
  const baseUrl = env.RESEND_BASE_URL?.trim().replace(/\/+$/, '');
  return baseUrl ? new Resend(key, { baseUrl }) : new Resend(key);
}

export interface ReceivedMessage {
  emailId: string;
  /** The original RFC 5322 bytes (or, when Resend keeps none, a message built from its fields). */
  raw: Buffer;
  receivedAt: Date | null;
  /** True when `raw` is Resend's own .eml; false when rebuilt from the JSON fields. */
  original: boolean;
}

async function download(url: string): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  } catch (error) {
    throw new InboundFetchError(`raw download failed: ${error instanceof Error ? error.message : error}`);
  }
  if (!response.ok) throw new InboundFetchError(`raw download answered ${response.status}`);
  const length = Number(response.headers.get('content-length') ?? 0);
  if (length > MAX_RAW_BYTES) throw new InboundFetchError(`raw message too large (${length} bytes)`, false);
  const bytes = Buffer.from(await response.arrayBuffer());
  if (bytes.length > MAX_RAW_BYTES)
    throw new InboundFetchError(`raw message too large (${bytes.length} bytes)`, false);
  return bytes;
}

/** A header line from Resend's JSON, folded to one line so it cannot start another header. */
const headerLine = (name: string, value: string) => `${name}: ${cleanLine(value, 4000)}`;

/**
 * A message rebuilt from the receiving API's fields, for an email whose raw .eml Resend does not
 * offer: its headers (In-Reply-To, References, Auto-Submitted...) and plain text are what the
 * classifier and matcher read.
 */
export function rebuildMessage(email: {
  from: string;
  to: string[];
  subject: string;
  message_id: string;
  created_at: string;
  text: string | null;
  html: string | null;
  headers: Record<string, string> | null;
}): Buffer {
  const fields = new Map<string, string>();
  for (const [name, value] of Object.entries(email.headers ?? {})) {
    if (!/^[!-9;-~]{1,100}$/.test(name) || typeof value !== 'string') continue;
    const lower = name.toLowerCase();
    if (lower === 'content-type' || lower === 'content-transfer-encoding' || lower === 'mime-version')
      continue;
    fields.set(lower, headerLine(name, value));
  }
  const fallback: [string, string][] = [
    ['From', email.from],
    ['To', email.to.join(', ')],
    ['Subject', email.subject],
    ['Message-ID', email.message_id],
    ['Date', new Date(email.created_at).toUTCString()],
  ];
  for (const [name, value] of fallback)
    if (!fields.has(name.toLowerCase()) && value) fields.set(name.toLowerCase(), headerLine(name, value));
  const plain = email.text ?? '';
  const body = plain || email.html || '';
  const type = plain || !email.html ? 'text/plain' : 'text/html';
  return Buffer.from(
    [
      ...fields.values(),
      'MIME-Version: 1.0',
      `Content-Type: ${type}; charset=utf-8`,
      'Content-Transfer-Encoding: base64',
      '',
      (
        Buffer.from(body, 'utf8')
          .toString('base64')
          .match(/.{1,76}/g) ?? []
      ).join('\r\n'),
      '',
    ].join('\r\n'),
  );
}

/** The received email `emailId`, fetched through the receiving API; throws InboundFetchError. */
export async function fetchReceived(resend: Resend, emailId: string): Promise<ReceivedMessage> {
  if (!emailIdPattern.test(emailId)) throw new InboundFetchError(`not a Resend email id: ${emailId}`, false);
  const { data, error } = await resend.emails.receiving.get(emailId);
  if (error || !data) {
    // Every answer is worth a retry: a 404 may be a webhook that outran the API, and a refused key
    // is fixed by the operator while Resend keeps retrying.
    const status = error?.statusCode ?? 'network';
    throw new InboundFetchError(
      `receiving.get(${emailId}) failed: ${status} ${error?.name ?? ''} ${error?.message ?? ''}`.trim(),
    );
  }
  const at = new Date(data.created_at);
  const receivedAt = Number.isNaN(at.getTime()) ? null : at;
  if (data.raw?.download_url)
    return { emailId, raw: await download(data.raw.download_url), receivedAt, original: true };
  return { emailId, raw: rebuildMessage(data), receivedAt, original: false };
}

export interface ResendInboundResult extends Ingested {
  emailId: string;
  original: boolean;
}

/** Fetch, parse and ingest one received email. Throws InboundFetchError when it cannot be read. */
export async function receiveResendEmail(
  ctx: InboxContext,
  resend: Resend,
  emailId: string,
): Promise<ResendInboundResult> {
  const message = await fetchReceived(resend, emailId);
  const done = await ingest(ctx, message.raw, `resend:${emailId}`, message.receivedAt ?? undefined);
  return { ...done, emailId, original: message.original };
}

// ---------------------------------------------------------------------------------------------
// The webhook's side: one context per process, campaigns re-read at most every few seconds.

const CAMPAIGNS_TTL_MS = 10_000;
let campaignsCache: { at: number; campaigns: InboxContext['campaigns'] } | null = null;

async function campaignsNow(): Promise<InboxContext['campaigns']> {
  if (campaignsCache && Date.now() - campaignsCache.at < CAMPAIGNS_TTL_MS) return campaignsCache.campaigns;
  const { loadFollowupCampaigns } = await import('../followup/campaign.ts');
  campaignsCache = { at: Date.now(), campaigns: loadFollowupCampaigns() };
  return campaignsCache.campaigns;
}

/**
 * What the `email.received` webhook does with a verified delivery: fetch and ingest. Throws
 * InboundFetchError (answer 503, Resend retries) when the key is missing or the fetch fails.
 */
export async function receiveFromWebhook(
  store: Store,
  emailId: string | undefined,
  env: ResendInboundEnv = process.env,
): Promise<ResendInboundResult> {
  if (!emailId) throw new InboundFetchError('email.received without data.email_id', false);
  const resend = receivingClient(env);
  if (!resend) throw new InboundFetchError('RESEND_API_KEY is not set: cannot fetch the received email');
  const campaigns = await campaignsNow();
  // A person's reply tells its owner (a note and the webhooks), once per message, as over IMAP.
  const { replyNotifier } = await import('../followup/reply-note.ts');
  const onOwnerNote = replyNotifier(store, campaigns, {
    env: env as NodeJS.ProcessEnv,
    log: (line) => console.error(line),
  });
  return receiveResendEmail({ store, campaigns, onOwnerNote }, resend, emailId);
}
