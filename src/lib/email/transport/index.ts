/**
 * Chooses the transport from the environment: Resend when RESEND_API_KEY is set, otherwise the
 * file outbox (so a new user sees every message without an account).
 */
import type { Transport } from '../message.ts';
import { transportKindOf } from './kind.ts';
import { createOutboxTransport } from './outbox.ts';
import { createResendTransport, type ResendTransportOptions } from './resend.ts';

export type { Dispatch, SendOptions, SendResult, Transport } from '../message.ts';
export { sendAll } from '../message.ts';
export { transportKindOf } from './kind.ts';
export { buildEml, createOutboxTransport, outboxPath, safeName } from './outbox.ts';
export { batchKeyFor, createResendTransport, type ResendTransportOptions } from './resend.ts';

export interface TransportEnv {
  RESEND_API_KEY?: string | undefined;
  RESEND_BASE_URL?: string | undefined;
  /** Outbox root. Default `outbox` (relative to the working directory). */
  AIRCOVER_OUTBOX_DIR?: string | undefined;
  /** Set to `outbox` to force the outbox even with a key (dry runs into files). */
  AIRCOVER_TRANSPORT?: string | undefined;
}

export interface CreateTransportOptions {
  /** Extra Resend options (batch size, retries, timeouts); apiKey/baseUrl come from env. */
  resend?: Omit<ResendTransportOptions, 'apiKey' | 'baseUrl'>;
  /** Overrides AIRCOVER_OUTBOX_DIR. */
  outboxDir?: string;
}

export function createTransport(
  env: TransportEnv = process.env,
  options: CreateTransportOptions = {},
): Transport {
  if (transportKindOf(env) === 'resend') {
    const baseUrl = env.RESEND_BASE_URL?.trim();
    const apiKey = env.RESEND_API_KEY?.trim() as string;
    return createResendTransport({ ...options.resend, apiKey, ...(baseUrl ? { baseUrl } : {}) });
  }
  return createOutboxTransport({ dir: options.outboxDir ?? env.AIRCOVER_OUTBOX_DIR ?? 'outbox' });
}
