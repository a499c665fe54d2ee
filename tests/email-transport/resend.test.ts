import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Dispatch, type SendResult, sendAll } from '../../src/lib/email/message.ts';
import { createTransport } from '../../src/lib/email/transport/index.ts';
import {
  createResendTransport,
  type ResendTransportOptions,
  retryAfterMs,
} from '../../src/lib/email/transport/resend.ts';
import { type FakeResend, startFakeResend } from '../fake-resend/server.ts';
import { makeMessage, makeMessages, UUID_RE } from './helpers.ts';

let fake: FakeResend;

beforeAll(async () => {
  fake = await startFakeResend({ rateLimit: 100 });
});
afterAll(async () => {
  await fake.close();
});
afterEach(() => {
  fake.clearFaults();
  fake.setRateLimit(100);
  fake.reset();
});

/** Fast retries for tests; every option can be overridden. */
function transport(options: Partial<ResendTransportOptions> = {}) {
  return createResendTransport({
    apiKey: fake.apiKey,
    baseUrl: fake.url,
    backoffBaseMs: 10,
    backoffMaxMs: 80,
    maxRetryAfterMs: 50,
    requestTimeoutMs: 5_000,
    ...options,
  });
}

const count = (results: SendResult[], status: SendResult['status']) =>
  results.filter((r) => r.status === status).length;
const calls = (path: string, status?: number) =>
  fake.requests.filter((r) => r.path === path && (status === undefined || r.status === status)).length;

describe('resend transport against the fake Resend', () => {
  it('sends 250 messages in 3 batch calls, with tags, headers and uuid ids, in order', async () => {
    const messages = makeMessages(250);
    const results = await sendAll(transport(), messages);
    expect(count(results, 'sent')).toBe(250);
    expect(results.map((r) => r.idempotencyKey)).toEqual(messages.map((m) => m.idempotencyKey));
    expect(calls('/emails/batch', 200)).toBe(3);
    expect(fake.requests.map((r) => r.emails)).toEqual([100, 100, 50]);
    expect(fake.received).toHaveLength(250);
    expect(fake.duplicates().size).toBe(0);
    for (const r of results) if (r.status === 'sent') expect(r.providerId).toMatch(UUID_RE);
    const first = fake.received[0];
    expect(first?.tags).toEqual([
      { name: 'campaign', value: 'spring-paper' },
      { name: 'touch', value: 'invite' },
      { name: 'partner', value: 'p00000' },
    ]);
    expect(first?.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(first?.headers['List-Unsubscribe']).toBe('<https://acme.example/u/p00000>');
    expect(first?.replyTo).toEqual(['dana@acme.example']);
  });

  it('replays: the same messages again get the same ids and the fake records no duplicates', async () => {
    const messages = makeMessages(150);
    const first = await sendAll(transport(), messages);
    const second = await sendAll(transport(), messages);
    expect(second).toEqual(first);
    expect(fake.received).toHaveLength(150);
    expect(fake.requests.filter((r) => r.replayed)).toHaveLength(2);
  });

  it('same key with a different body is a non-retryable 409 and sends nothing', async () => {
    const messages = makeMessages(10);
    await sendAll(transport(), messages);
    const changed = messages.map((m) => ({ ...m, subject: `${m.subject} (edited)` }));
    const results = await sendAll(transport(), changed);
    expect(results.every((r) => r.status === 'failed' && !r.retryable)).toBe(true);
    const [r] = results;
    expect(r?.status === 'failed' && r.error).toMatchObject({
      name: 'invalid_idempotent_request',
      statusCode: 409,
    });
    expect(fake.received).toHaveLength(10);
    expect(calls('/emails/batch', 409)).toBe(1);
  });

  it('rides out a 429 storm: everything delivered once', async () => {
    fake.inject({ type: 'rate_limit_storm', count: 5, retryAfterSeconds: 1 });
    const results = await sendAll(transport(), makeMessages(250));
    expect(count(results, 'sent')).toBe(250);
    expect(calls('/emails/batch', 429)).toBe(5);
    expect(fake.received).toHaveLength(250);
    expect(fake.duplicates().size).toBe(0);
  });

  it('honours retry-after as given', async () => {
    fake.inject({ type: 'rate_limit_storm', count: 1, retryAfterSeconds: 1 });
    const started = Date.now();
    const results = await sendAll(transport({ maxRetryAfterMs: 60_000 }), makeMessages(5));
    expect(count(results, 'sent')).toBe(5);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(results[0]?.attempts).toBe(2);
  });

  it('paces itself from the rate-limit headers: no 429 at the limit', async () => {
    fake.setRateLimit(20);
    const started = Date.now();
    const results = await sendAll(transport({ batchSize: 25 }), makeMessages(1000));
    const elapsed = Date.now() - started;
    expect(count(results, 'sent')).toBe(1000);
    expect(calls('/emails/batch', 429)).toBe(0);
    expect(calls('/emails/batch', 200)).toBe(40);
    // 40 calls at 20/s: the first 20 may go at once (the server's bucket starts full and says
    // what remains), the next 20 wait for 1 s of refill.
    expect(elapsed).toBeGreaterThan(950);
    expect(elapsed).toBeLessThan(4_000);
  });

  it('rides out a 5xx burst: everything delivered once', async () => {
    fake.inject({ type: 'server_error', count: 2, status: 500 });
    fake.inject({ type: 'server_error', count: 1, status: 502 });
    fake.inject({ type: 'server_error', count: 1, status: 503 });
    const results = await sendAll(transport(), makeMessages(250));
    expect(count(results, 'sent')).toBe(250);
    expect(fake.requests.filter((r) => r.status >= 500)).toHaveLength(4);
    expect(fake.received).toHaveLength(250);
  });

  it('gives up after maxAttempts with a retryable failure', async () => {
    fake.inject({ type: 'server_error', count: 10 });
    const results = await sendAll(transport({ maxAttempts: 3 }), makeMessages(3));
    expect(results.every((r) => r.status === 'failed' && r.retryable && r.attempts === 3)).toBe(true);
    expect(fake.received).toHaveLength(0);
  });

  it('stops on a daily quota error: no retry, the rest unsent and unattempted', async () => {
    await fake.close();
    fake = await startFakeResend({ rateLimit: 100, dailyQuota: 150 });
    const results = await sendAll(transport(), makeMessages(350));
    expect(count(results, 'sent')).toBe(100);
    expect(count(results, 'stopped')).toBe(100);
    expect(results).toHaveLength(200);
    const stopped = results.find((r) => r.status === 'stopped');
    expect(stopped?.status === 'stopped' && stopped.reason).toBe('daily_quota_exceeded');
    expect(stopped?.attempts).toBe(1);
    expect(calls('/emails/batch')).toBe(2);
    expect(fake.received).toHaveLength(100);
    await fake.close();
    fake = await startFakeResend({ rateLimit: 100 });
  });

  it('stops on an injected monthly quota error', async () => {
    fake.inject({ type: 'quota', which: 'monthly' });
    const results = await sendAll(transport(), makeMessages(250));
    expect(results).toHaveLength(100);
    expect(results.every((r) => r.status === 'stopped' && r.reason === 'monthly_quota_exceeded')).toBe(true);
    expect(calls('/emails/batch')).toBe(1);
  });

  it('a connection dropped after acceptance is retried and replayed: no duplicates', async () => {
    fake.inject({ type: 'drop', count: 2, when: 'after' });
    const results = await sendAll(transport(), makeMessages(250));
    expect(count(results, 'sent')).toBe(250);
    expect(fake.requests.filter((r) => r.error === 'dropped')).toHaveLength(2);
    expect(fake.requests.filter((r) => r.replayed)).toHaveLength(2);
    expect(fake.received).toHaveLength(250);
    expect(fake.duplicates().size).toBe(0);
  });

  it('a connection dropped before acceptance is retried', async () => {
    fake.inject({ type: 'drop', count: 1, when: 'before' });
    const results = await sendAll(transport(), makeMessages(50));
    expect(count(results, 'sent')).toBe(50);
    expect(fake.received).toHaveLength(50);
  });

  it('a slow answer times out and is retried without duplicates (409 in progress, then replay)', async () => {
    fake.inject({ type: 'slow', count: 1, delayMs: 600 });
    const results = await sendAll(
      transport({ requestTimeoutMs: 150, backoffBaseMs: 200, backoffMaxMs: 400 }),
      makeMessages(20),
    );
    expect(count(results, 'sent')).toBe(20);
    expect(fake.received).toHaveLength(20);
    expect(fake.requests.some((r) => r.error === 'concurrent_idempotent_requests')).toBe(true);
    expect(fake.requests.some((r) => r.replayed)).toBe(true);
  });

  it('sends messages with attachments one by one through /emails, in order', async () => {
    const pdf = {
      filename: 'paper.pdf',
      content: new Uint8Array([37, 80, 68, 70]),
      contentType: 'application/pdf',
    };
    const messages = [
      makeMessage(0),
      makeMessage(1),
      makeMessage(2, { attachments: [pdf] }),
      makeMessage(3, { attachments: [pdf] }),
      makeMessage(4),
    ];
    const dispatches: Dispatch[] = [];
    const results = await sendAll(transport(), messages, { onDispatch: (d) => void dispatches.push(d) });
    expect(count(results, 'sent')).toBe(5);
    expect(results.map((r) => r.ref.partner)).toEqual(['p00000', 'p00001', 'p00002', 'p00003', 'p00004']);
    expect(dispatches.map((d) => [d.endpoint, d.messages.length])).toEqual([
      ['batch', 2],
      ['single', 1],
      ['single', 1],
      ['batch', 1],
    ]);
    expect(dispatches[1]?.requestKey).toBe(messages[2]?.idempotencyKey);
    expect(calls('/emails', 200)).toBe(2);
    const withPdf = fake.received.find((e) => e.attachments.length > 0);
    expect(withPdf?.attachments).toEqual([
      { filename: 'paper.pdf', contentType: 'application/pdf', size: 4 },
    ]);
  });

  it('permissive batch: one invalid address fails alone, the rest are sent', async () => {
    const messages = makeMessages(5);
    messages[2] = makeMessage(2, { to: 'not-an-address' });
    const results = await sendAll(transport(), messages);
    expect(results.map((r) => r.status)).toEqual(['sent', 'sent', 'failed', 'sent', 'sent']);
    const bad = results[2];
    expect(bad?.status === 'failed' && bad.retryable).toBe(false);
    expect(fake.received.map((e) => e.to[0])).not.toContain('not-an-address');
  });

  it('strict batch: one invalid address fails the whole batch, nothing sent', async () => {
    const messages = makeMessages(5);
    messages[2] = makeMessage(2, { to: 'not-an-address' });
    const results = await sendAll(transport({ batchValidation: 'strict' }), messages);
    expect(results.every((r) => r.status === 'failed' && !r.retryable)).toBe(true);
    expect(fake.received).toHaveLength(0);
  });

  it('a wrong API key (403 invalid_api_key) stops the run at the first call, like a quota', async () => {
    const results = await sendAll(transport({ apiKey: 're_wrong' }), makeMessages(130));
    // Only the first batch was attempted, once; its rows are "stopped", none failed for good.
    expect(results).toHaveLength(100);
    expect(results.every((r) => r.status === 'stopped' && r.reason === 'unauthorized')).toBe(true);
    const [r] = results;
    expect(r?.status === 'stopped' && r.error.name).toBe('invalid_api_key');
    expect(r?.status === 'stopped' && r.error.statusCode).toBe(403);
    expect(fake.requests).toHaveLength(1);
    expect(fake.received).toHaveLength(0);
  });

  it('reads Retry-After as an HTTP date as well as seconds', async () => {
    const now = Date.parse('2027-01-14T09:30:00Z');
    expect(retryAfterMs({ 'retry-after': '3' }, now)).toBe(3000);
    expect(retryAfterMs({ 'retry-after': 'Thu, 14 Jan 2027 09:30:05 GMT' }, now)).toBe(5000);
    expect(retryAfterMs({ 'retry-after': 'Thu, 14 Jan 2027 09:29:00 GMT' }, now)).toBe(0);
    expect(retryAfterMs({ 'retry-after': 'soon' }, now)).toBeNull();
    expect(retryAfterMs({}, now)).toBeNull();
    // Through the SDK: a 429 whose Retry-After is a date is waited for (capped), then sent.
    fake.setRateLimit(0);
    fake.inject({ type: 'rate_limit_storm', count: 1, retryAfterSeconds: 1, retryAfterAsDate: true });
    const seen: string[] = [];
    const results = await sendAll(
      transport({ maxRetryAfterMs: 2_000, backoffBaseMs: 5_000 }),
      makeMessages(2),
    );
    for (const r of fake.requests) seen.push(String(r.status));
    expect(count(results, 'sent')).toBe(2);
    expect(seen).toEqual(['429', '200']);
  });

  it('re-dispatches an in-flight group under its recorded batch key: replay, no duplicates', async () => {
    // Run 1: the answer is lost and the process gives up (as if killed): rows stay "sending".
    fake.inject({ type: 'drop', count: 1, when: 'after' });
    const ledger = new Map<string, string>();
    const messages = makeMessages(130);
    const first = await sendAll(transport({ maxAttempts: 1 }), messages, {
      onDispatch: (d) => {
        for (const m of d.messages) ledger.set(m.idempotencyKey, d.requestKey);
      },
    });
    expect(count(first, 'failed')).toBe(100);
    expect(count(first, 'sent')).toBe(30);
    expect(fake.received).toHaveLength(130);
    // Run 2: only the unconfirmed rows, carrying their recorded key.
    const unconfirmed = first.filter((r) => r.status === 'failed').map((r) => r.idempotencyKey);
    const again = messages
      .filter((m) => unconfirmed.includes(m.idempotencyKey))
      .map((m) => ({ ...m, batchKey: ledger.get(m.idempotencyKey) as string }));
    const second = await sendAll(transport(), again);
    expect(count(second, 'sent')).toBe(100);
    expect(fake.received).toHaveLength(130);
    expect(fake.duplicates().size).toBe(0);
  });

  it('neutralises CR/LF in subject, names and header values before they reach the API', async () => {
    const m = makeMessage(0, {
      from: 'Dana\r\nBcc: spy@evil.example <dana@acme.example>',
      subject: 'Hello\r\nBcc: spy@evil.example',
      headers: { 'X-Campaign': 'a\nBcc: spy@evil.example' },
    });
    const [r] = await sendAll(transport(), [m]);
    expect(r?.status).toBe('sent');
    expect(fake.received[0]?.subject).toBe('Hello Bcc: spy@evil.example');
    expect(fake.received[0]?.headers).toEqual({ 'X-Campaign': 'a Bcc: spy@evil.example' });
  });

  it('passes scheduledAt through and sanitises tags', async () => {
    const at = '2026-12-01T09:00:00.000Z';
    const m = makeMessage(0, { scheduledAt: at, tags: [{ name: 'campaign', value: 'Frühling 2026!' }] });
    const [r] = await sendAll(transport(), [m]);
    expect(r?.status).toBe('sent');
    expect(fake.received[0]?.scheduledAt).toBe(at);
    expect(fake.received[0]?.tags).toEqual([{ name: 'campaign', value: 'Fr_hling_2026_' }]);
  });

  it('is lazy: the next call waits until the consumer took the previous results', async () => {
    const seen: number[] = [];
    for await (const r of transport({ batchSize: 10 }).send(makeMessages(30))) {
      if (r.status === 'sent') seen.push(fake.requests.length);
    }
    // While the consumer reads batch k's results, only k calls have been made.
    expect(seen.slice(0, 10).every((n) => n === 1)).toBe(true);
    expect(seen.slice(10, 20).every((n) => n === 2)).toBe(true);
  });

  it('createTransport picks Resend with a key and the outbox without', () => {
    expect(createTransport({ RESEND_API_KEY: fake.apiKey, RESEND_BASE_URL: fake.url }).kind).toBe('resend');
    expect(createTransport({}).kind).toBe('outbox');
    expect(createTransport({ RESEND_API_KEY: 'x', AIRCOVER_TRANSPORT: 'outbox' }).kind).toBe('outbox');
  });
});
