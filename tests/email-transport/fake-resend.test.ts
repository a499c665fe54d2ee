import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeResend, startFakeResend } from '../fake-resend/server.ts';

let clock = Date.parse('2026-11-20T10:00:00Z');
let fake: FakeResend;

beforeAll(async () => {
  fake = await startFakeResend({ rateLimit: 2, now: () => clock });
});
afterAll(async () => {
  await fake.close();
});

const email = { from: 'a@acme.example', to: 'b@example.com', subject: 'Hi', text: 'Hi' };

interface Answer {
  id?: string;
  data?: { id: string }[];
  errors?: { index: number; message: string }[];
  statusCode?: number;
  name?: string;
  message?: string;
}

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  clock += 1_000; // a fresh rate-limit second for every call unless a test says otherwise
  const res = await fetch(`${fake.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${fake.apiKey}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Answer };
}

describe('fake Resend: answers as Resend documents', () => {
  it('auth: 401 missing_api_key, 403 invalid_api_key; 404 and 405', async () => {
    const none = await fetch(`${fake.url}/emails`, { method: 'POST', body: '{}' });
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({
      statusCode: 401,
      name: 'missing_api_key',
      message: 'Missing API key in the authorization header.',
    });
    const wrong = await post('/emails', email, { authorization: 'Bearer re_nope' });
    expect(wrong.body).toMatchObject({ statusCode: 403, name: 'invalid_api_key' });
    expect((await post('/nope', email)).body).toMatchObject({ statusCode: 404, name: 'not_found' });
    const get = await fetch(`${fake.url}/emails`, { headers: { authorization: `Bearer ${fake.apiKey}` } });
    expect(get.status).toBe(405);
  });

  it('validates: missing fields, bad addresses, bad tags, batch size and attachments in batch', async () => {
    expect((await post('/emails', { ...email, from: undefined })).body).toMatchObject({
      statusCode: 422,
      name: 'missing_required_field',
    });
    expect((await post('/emails', { ...email, to: 'nobody' })).body).toMatchObject({
      name: 'validation_error',
    });
    const badTag = await post('/emails', { ...email, tags: [{ name: 'campaign', value: 'a b' }] });
    expect(badTag.body).toMatchObject({ statusCode: 422, name: 'validation_error' });
    const tooMany = await post(
      '/emails/batch',
      Array.from({ length: 101 }, () => email),
    );
    expect(tooMany.body).toMatchObject({ statusCode: 422, name: 'validation_error' });
    const withAttachment = await post('/emails/batch', [
      { ...email, attachments: [{ filename: 'a.txt', content: 'YQ==' }] },
    ]);
    expect(withAttachment.body).toMatchObject({ statusCode: 422, name: 'validation_error' });
    const permissive = await post('/emails/batch', [email, { ...email, to: 'nobody' }, email], {
      'x-batch-validation': 'permissive',
    });
    expect(permissive.status).toBe(200);
    expect(permissive.body.data).toHaveLength(2);
    expect(permissive.body.errors).toEqual([{ index: 1, message: expect.stringContaining('`to`') }]);
    const badKey = await post('/emails', email, { 'idempotency-key': 'k'.repeat(257) });
    expect(badKey.body).toMatchObject({ statusCode: 400, name: 'invalid_idempotency_key' });
  });

  it('rate limit: ratelimit-* headers, then 429 with retry-after', async () => {
    const first = await post('/emails', email);
    expect(first.headers.get('ratelimit-limit')).toBe('2');
    expect(first.headers.get('ratelimit-remaining')).toBe('1');
    clock -= 1_000; // same instant
    const second = await post('/emails', email);
    expect(second.headers.get('ratelimit-remaining')).toBe('0');
    clock -= 1_000;
    const third = await post('/emails', email);
    expect(third.status).toBe(429);
    expect(third.body).toMatchObject({ name: 'rate_limit_exceeded' });
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('idempotency: replay within 24 h, 409 on another body, a fresh send after expiry', async () => {
    fake.reset();
    const key = { 'idempotency-key': 'invite-p1-v1' };
    const a = await post('/emails', email, key);
    const b = await post('/emails', email, key);
    expect(b.body).toEqual(a.body);
    expect((await post('/emails', { ...email, subject: 'Other' }, key)).body).toMatchObject({
      statusCode: 409,
      name: 'invalid_idempotent_request',
    });
    expect(fake.received).toHaveLength(1);
    clock += 24 * 60 * 60 * 1000;
    const c = await post('/emails', email, key);
    expect(c.body.id).not.toBe(a.body.id);
    expect(fake.received).toHaveLength(2);
  });
});
