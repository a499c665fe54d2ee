import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dispatch, sendAll } from '../../src/lib/email/message.ts';
import { createTransport } from '../../src/lib/email/transport/index.ts';
import {
  buildEml,
  createOutboxTransport,
  outboxPath,
  safeName,
} from '../../src/lib/email/transport/outbox.ts';
import { makeMessage } from './helpers.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aircover-outbox-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function walk(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)).split(sep).join('/'));
}

/** The raw header block (before the first empty line), unfolded. */
function headerLines(raw: string): string[] {
  const block = raw.split('\r\n\r\n')[0] ?? '';
  return block.replace(/\r\n[ \t]+/g, ' ').split('\r\n');
}

describe('outbox transport', () => {
  it('writes a parseable multipart/alternative .eml and an .html copy per partner', async () => {
    const outbox = createOutboxTransport({ dir });
    const m = makeMessage(7);
    const dispatches: Dispatch[] = [];
    const [result] = await sendAll(outbox, [m], { onDispatch: (d) => void dispatches.push(d) });
    expect(result).toMatchObject({ status: 'sent', providerId: 'outbox:spring-paper/invite/p00007.eml' });
    expect(dispatches).toHaveLength(1);

    const raw = await readFile(join(dir, 'spring-paper/invite/p00007.eml'));
    expect(await readFile(join(dir, 'spring-paper/invite/p00007.html'), 'utf8')).toBe(m.html);
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe(m.subject);
    expect(parsed.text?.trim()).toBe(m.text);
    expect(parsed.html).toBe(m.html);
    expect(parsed.from?.value[0]).toMatchObject({ name: 'Dana from Acme', address: 'dana@acme.example' });
    expect(parsed.replyTo?.value[0]?.address).toBe('dana@acme.example');
    expect(parsed.messageId).toMatch(/^<[0-9a-f]{32}@acme\.example>$/);
    expect(parsed.date).toBeInstanceOf(Date);
    expect(parsed.headers.get('list')).toEqual({
      unsubscribe: { url: 'https://acme.example/u/p00007' },
      'unsubscribe-post': { name: 'List-Unsubscribe=One-Click' },
    });
    const lines = headerLines(raw.toString('latin1'));
    expect(lines).toContain('List-Unsubscribe: <https://acme.example/u/p00007>');
    expect(lines).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(parsed.headers.get('content-type')).toMatchObject({ value: 'multipart/alternative' });
    expect(raw.toString('latin1')).toMatch(/^MIME-Version: 1\.0\r$/m);
  });

  it('encodes non-ASCII subjects and names (RFC 2047) and they round-trip', async () => {
    const m = makeMessage(1, {
      from: 'Zoë Müller-Łukasiewicz <zoe@acme.example>',
      to: '"Jürgen Groß, 山田" <jurgen@example.de>',
      subject: 'Ihr Exemplar: „Was Acme spart“ — 10 Minuten? 🚀',
      text: 'Grüße, Zoë',
      html: '<p>Grüße, Zoë</p>',
    });
    const raw = await buildEml(m);
    const text = raw.toString('latin1');
    // Every header line is 7-bit ASCII.
    for (const line of headerLines(text)) expect(line).toMatch(/^[\x20-\x7e]*$/);
    expect(text).toMatch(/^Subject: =\?UTF-8\?[QB]\?/m);
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe(m.subject);
    expect(parsed.from?.value[0]).toMatchObject({
      name: 'Zoë Müller-Łukasiewicz',
      address: 'zoe@acme.example',
    });
    const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
    expect(to?.value[0]).toMatchObject({ name: 'Jürgen Groß, 山田', address: 'jurgen@example.de' });
    expect(parsed.text?.trim()).toBe('Grüße, Zoë');
    expect(parsed.html).toBe('<p>Grüße, Zoë</p>');
  });

  it('CR/LF in the subject, names or custom headers cannot create a new header', async () => {
    const m = makeMessage(2, {
      from: 'Dana\r\nBcc: spy@evil.example <dana@acme.example>',
      to: '"Victim\r\nBcc: spy2@evil.example" <victim@example.com>',
      replyTo: 'dana@acme.example\r\nX-Injected: 1',
      subject: 'Hello\r\nBcc: spy3@evil.example\r\n\r\n<b>body takeover</b>',
      headers: {
        'X-Campaign': 'spring\nBcc: spy4@evil.example',
        'List-Unsubscribe': '<https://acme.example/u>',
      },
    });
    const raw = await buildEml(m);
    const lines = headerLines(raw.toString('latin1'));
    expect(lines.filter((l) => /^bcc:/i.test(l))).toEqual([]);
    expect(lines.filter((l) => /^x-injected:/i.test(l))).toEqual([]);
    const parsed = await simpleParser(raw);
    expect(parsed.bcc).toBeUndefined();
    expect(parsed.headers.has('x-injected')).toBe(false);
    expect(parsed.subject).toBe('Hello Bcc: spy3@evil.example <b>body takeover</b>');
    expect(parsed.text?.trim()).toBe(m.text);
    expect(parsed.headers.get('x-campaign')).toBe('spring Bcc: spy4@evil.example');
    const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
    expect(to?.value).toHaveLength(1);
    expect(to?.value[0]?.address).toBe('victim@example.com');
  });

  it('puts attachments in multipart/mixed and they round-trip', async () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 251, 252, 37, 80, 68, 70]);
    const m = makeMessage(3, {
      attachments: [
        { filename: 'white-paper.pdf', content: bytes, contentType: 'application/pdf' },
        { filename: 'notes é.txt', content: 'plain notes' },
      ],
    });
    const parsed = await simpleParser(await buildEml(m));
    expect(parsed.headers.get('content-type')).toMatchObject({ value: 'multipart/mixed' });
    expect(parsed.text?.trim()).toBe(m.text);
    expect(parsed.html).toBe(m.html);
    expect(parsed.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      ['white-paper.pdf', 'application/pdf'],
      ['notes é.txt', 'text/plain'],
    ]);
    expect(new Uint8Array(parsed.attachments[0]?.content ?? [])).toEqual(bytes);
    expect(parsed.attachments[1]?.content.toString('utf8')).toBe('plain notes');
  });

  it('sanitises folder and file names: no traversal, no collisions, stable', async () => {
    const evil = { campaign: '../../etc', touch: 'in vite/2', partner: '..' };
    expect(
      outboxPath(evil)
        .split(sep)
        .every((part) => part !== '..' && !part.startsWith('.')),
    ).toBe(true);
    expect(safeName('acme-gmbh')).toBe('acme-gmbh');
    expect(safeName('Acme GmbH')).not.toBe(safeName('Acme-GmbH'));
    expect(safeName('Acme GmbH')).toBe(safeName('Acme GmbH'));
    expect(safeName('Müller & Söhne')).toMatch(/^Muller-Sohne-[0-9a-f]{8}$/);

    const sub = join(dir, 'sanitised');
    const outbox = createOutboxTransport({ dir: sub });
    const results = await sendAll(outbox, [makeMessage(4, { ref: evil }), makeMessage(5, { ref: evil })]);
    expect(results.every((r) => r.status === 'sent')).toBe(true);
    const files = await walk(sub);
    expect(files).toHaveLength(2); // the same ref twice replaces the same two files
    for (const f of files) expect(join(sub, f).startsWith(sub)).toBe(true);
  });

  it('writes atomically: no temp files left, a rewrite replaces the file in place', async () => {
    const sub = join(dir, 'atomic');
    const outbox = createOutboxTransport({ dir: sub, now: () => new Date('2026-11-20T10:00:00Z') });
    const m = makeMessage(9);
    await sendAll(outbox, [m]);
    await sendAll(outbox, [{ ...m, subject: 'Second version' }]);
    const files = await walk(sub);
    expect(files.sort()).toEqual(['spring-paper/invite/p00009.eml', 'spring-paper/invite/p00009.html']);
    const parsed = await simpleParser(await readFile(join(sub, files[0] as string)));
    expect(parsed.subject).toBe('Second version');
    expect(parsed.date?.toISOString()).toBe('2026-11-20T10:00:00.000Z');
  });

  it('createTransport without a key writes into AIRCOVER_OUTBOX_DIR', async () => {
    const sub = join(dir, 'from-env');
    const transport = createTransport({ AIRCOVER_OUTBOX_DIR: sub });
    expect(transport.kind).toBe('outbox');
    await sendAll(transport, [makeMessage(11)]);
    expect(await walk(sub)).toHaveLength(2);
  });
});
