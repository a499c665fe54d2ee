import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/lib/store/index.ts';
import { runCli } from '../helpers/site-build.ts';

describe('aircover feedback', () => {
  const env = { AIRCOVER_DATA_DIR: mkdtempSync(join(tmpdir(), 'aircover-feedback-')) };

  beforeAll(async () => {
    const store = await openStore({ dataDir: env.AIRCOVER_DATA_DIR });
    await store.upsertPartners('sample', [
      {
        partnerId: 'vistula-wms',
        token: 'v'.repeat(32),
        email: 'pawel@example.com',
        company: 'Vistula WMS Partners',
        firstName: 'Paweł',
        lastName: 'Zieliński',
        data: { fields: {} },
      },
    ]);
    const base = { kind: 'feedback', campaign: 'sample', partnerId: 'vistula-wms', source: 'form' } as const;
    await store.addResponse({
      ...base,
      idempotencyKey: 'f1',
      text: 'The attach rate, "82%", rings true.',
      rating: 5,
      consentToQuote: true,
      data: { resonates: 'The attach rate, "82%", rings true.' },
    });
    await store.addResponse({
      ...base,
      idempotencyKey: 'f2',
      text: 'Missing: pharma validation costs.',
      rating: 3,
      consentToQuote: false,
      data: { missing: 'Missing: pharma validation costs.' },
    });
    await store.close();
  });

  it('lists all feedback as a table, and only the quotable with --consented', async () => {
    const all = await runCli(['feedback', 'sample'], env);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toContain('quote ok');
    expect(all.stdout).toContain('Paweł Zieliński');
    expect(all.stdout.trim().split('\n')).toHaveLength(3);
    const consented = await runCli(['feedback', 'sample', '--consented', '--json'], env);
    const rows = JSON.parse(consented.stdout) as { consentToQuote: boolean; text: string; company: string }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      consentToQuote: true,
      company: 'Vistula WMS Partners',
      text: 'The attach rate, "82%", rings true.',
    });
  });

  it('exports CSV that round-trips', async () => {
    const r = await runCli(['feedback', 'sample', '--csv'], env);
    const rows = parse(r.stdout, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(2);
    expect(rows.map((x) => x.consentToQuote).sort()).toEqual(['no', 'yes']);
    expect(rows.find((x) => x.consentToQuote === 'yes')?.resonates).toBe(
      'The attach rate, "82%", rings true.',
    );
  });

  it('refuses an unknown campaign', async () => {
    const r = await runCli(['feedback', 'nope'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('No campaign "nope"');
  });
});
