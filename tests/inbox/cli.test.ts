/** `aircover inbox …` as a user runs it: classify offline, list (table/CSV/JSON), correct, wrong lines. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/lib/store/index.ts';
import { runCli, TEST_SECRET } from '../helpers/site-build.ts';

const fixtures = new URL('./fixtures/', import.meta.url).pathname;
let dir: string;
let env: Record<string, string>;
const cli = (...args: string[]) => runCli(args, env);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aircover-inbox-cli-'));
  env = { AIRCOVER_SECRET: TEST_SECRET, AIRCOVER_DATA_DIR: join(dir, 'data'), DATABASE_URL: '' };
  const store = await openStore({ dataDir: join(dir, 'data') });
  await store.addInbound({
    messageId: 'm1@x',
    source: 'imap:INBOX',
    fromEmail: 'x@evil.example',
    fromName: '=HYPERLINK("http://evil.example")',
    subject: 'Re: paper',
    class: 'reply',
    evidence: [{ rule: 'person', where: 'headers', saw: 'none' }],
    detail: { reply: { intent: 'conversation' } },
    headers: {},
    receivedAt: new Date(),
  });
  // A hot note the team was sent, so a message answering it is the team's (src/lib/inbox/match.ts).
  await store.recordSentMessages([
    {
      messageId: 'hot-note-1@aircover.test',
      kind: 'hot-note',
      campaign: 'sample',
      recipient: 'owner@team.example',
    },
  ]);
  await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('aircover inbox', () => {
  it('classify prints class, evidence, return date and new text for each file', async () => {
    const r = await cli(
      'inbox',
      'classify',
      join(fixtures, 'auto-reply/de-dated.eml'),
      join(fixtures, 'bounce/exim-hard.eml'),
      '--json',
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { class: string; returnDate: string | null; evidence: unknown[] }[];
    expect(out.map((o) => o.class)).toEqual(['auto-reply', 'bounce']);
    expect(out[0]?.returnDate?.slice(0, 10)).toBe('2027-01-05');
    expect(out[1]?.evidence.length).toBeGreaterThan(0);
    const text = await cli('inbox', 'classify', join(fixtures, 'reply/outlook-declined.eml'));
    expect(text.stdout).toContain('reply');
    expect(text.stdout).toContain('intent-declined');
    expect(text.stdout).toContain('new text: Hi,');
  });

  it('classify names an answer to the team\'s own mail "team", as the dashboard does, not "unmatched"', async () => {
    const eml = join(dir, 'team-reply.eml');
    writeFileSync(
      eml,
      [
        'MIME-Version: 1.0',
        'Date: Tue, 1 Dec 2026 12:00:00 +0100',
        'Message-ID: <owner-answer-1@team.example>',
        'In-Reply-To: <hot-note-1@aircover.test>',
        'References: <hot-note-1@aircover.test>',
        'Subject: Re: Hot: Vistula WMS replied',
        'From: Owner <owner@team.example>',
        'To: Marketing <marketing@aircover.test>',
        'Content-Type: text/plain; charset="UTF-8"',
        '',
        "Thanks, I'll call them tomorrow.",
        '',
      ].join('\r\n'),
    );
    const text = await cli('inbox', 'classify', eml);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/team-reply\.eml: \S+ · team \(answers a hot-note\)/);
    expect(text.stdout).not.toContain('unmatched');
    const [json] = JSON.parse((await cli('inbox', 'classify', eml, '--json')).stdout);
    expect(json).toMatchObject({ partner: null, team: 'hot-note', unmatchedAs: 'team' });
  });

  it("classify shows a referrer's answer as matched to the referrer of their partners, not as the partner's", async () => {
    const eml = join(dir, 'referrer-reply.eml');
    writeFileSync(
      eml,
      [
        'MIME-Version: 1.0',
        'Date: Tue, 1 Dec 2026 12:00:00 +0100',
        'Message-ID: <aoife-no@example.org>',
        'Subject: Re: An introduction',
        'From: Aoife Brennan <aoife.brennan@example.org>',
        'To: Marketing <marketing@aircover.test>',
        'Content-Type: text/plain; charset="UTF-8"',
        '',
        "Sorry, I'm not interested in making this introduction.",
        '',
      ].join('\r\n'),
    );
    const text = await cli('inbox', 'classify', eml);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('sample/coldline-service (referrer of coldline-service)');
    const [json] = JSON.parse((await cli('inbox', 'classify', eml, '--json')).stdout);
    expect(json.partner).toMatchObject({
      partnerId: 'coldline-service',
      match: 'referrer',
      matchedAs: 'referrer of coldline-service',
    });
  });

  it('lists as table, CSV with inert cells, and JSON; corrects; refuses wrong lines with exit 2', async () => {
    const table = await cli('inbox');
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('Re: paper');
    const csv = parse((await cli('inbox', '--csv')).stdout, { columns: true }) as Record<string, string>[];
    expect(csv[0]?.from?.startsWith("'=")).toBe(true);
    const json = JSON.parse((await cli('inbox', 'list', '--unmatched', '--json')).stdout) as { id: number }[];
    expect(json).toHaveLength(1);
    const id = String(json[0]?.id);

    expect((await cli('inbox', 'correct', id, 'auto-reply', '--dry-run')).code).toBe(0);
    expect(JSON.parse((await cli('inbox', '--class', 'auto-reply', '--json')).stdout)).toHaveLength(0);
    expect((await cli('inbox', 'correct', id, 'auto-reply')).code).toBe(0);
    expect(JSON.parse((await cli('inbox', '--class', 'auto-reply', '--json')).stdout)).toHaveLength(1);

    expect((await cli('inbox', '--clas', 'reply')).code).toBe(2);
    expect((await cli('inbox', '--class', 'nonsense')).code).toBe(2);
    expect((await cli('inbox', 'correct', id, 'nonsense')).code).toBe(2);
    expect((await cli('inbox', 'classify', join(dir, 'missing.eml'))).code).toBe(2);
  }, 120_000);
});
