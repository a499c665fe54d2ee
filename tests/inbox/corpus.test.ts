/**
 * The fixture corpus (tests/inbox/fixtures/, expected classes in expected.json): bounces from five
 * MTAs, ARF complaints, auto-replies in ten languages with and without a return date, human
 * replies from four clients with quotes and signatures, "left the company" notices.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classify } from '../../src/lib/inbox/classify/index.ts';
import { parseMessage } from '../../src/lib/inbox/parse.ts';

const dir = new URL('./fixtures/', import.meta.url).pathname;
const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<
  string,
  Record<string, unknown>
>;

describe('the corpus', () => {
  it('has an expectation for every fixture and a fixture for every expectation', () => {
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.eml'))
      .sort();
    expect(files).toEqual(Object.keys(expected).sort());
    expect(files.length).toBeGreaterThanOrEqual(35);
  });

  for (const [file, want] of Object.entries(expected)) {
    it(`${file} is ${String(want.class)}`, async () => {
      const message = await parseMessage(readFileSync(join(dir, file)));
      const c = classify(message);
      expect(c.class).toBe(want.class);
      expect(c.evidence.length).toBeGreaterThan(0);
      if (want.class === 'bounce') {
        expect(c.bounce).toMatchObject({ hard: want.hard, recipient: want.recipient, status: want.status });
        expect(c.threadIds).toContain(want.original);
      }
      if (want.class === 'complaint') {
        expect(c.complaint?.recipient).toBe(want.recipient);
        expect(c.threadIds).toContain(want.original);
      }
      if (want.class === 'auto-reply') {
        const a = c.autoReply;
        if ('language' in want) expect(a?.language).toBe(want.language);
        if ('returnDate' in want) expect(a?.returnDate?.slice(0, 10) ?? null).toBe(want.returnDate);
        expect(a?.leftCompany ?? false).toBe(want.leftCompany ?? false);
        if ('replacement' in want) expect(a?.replacement ?? null).toEqual(want.replacement);
      }
      if (want.class === 'reply') {
        const r = c.reply;
        expect(r?.intent).toBe(want.intent);
        if (want.newText) expect(r?.newText).toContain(want.newText);
        if (want.notInText) expect(r?.newText).not.toContain(want.notInText);
        if (want.until) expect(r?.until?.slice(0, 10)).toBe(want.until);
        if (want.referral) expect(r?.referral).toEqual(want.referral);
      }
    });
  }

  it('cleans what a hostile sender writes: no control characters in subject, name or text', async () => {
    const message = await parseMessage(readFileSync(join(dir, 'reply/gmail-hostile.eml')));
    expect(message.subject).not.toMatch(/\p{Cc}/u);
    expect(message.from?.name).not.toMatch(/\p{Cc}/u);
    expect(message.from?.email).toBe('mallory@evil.example');
  });
});
