/** `aircover db sync`: the partners and their link tokens reach the store, as the routes need. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { partnerToken } from '../../src/lib/personalize/token.ts';
import { openStore } from '../../src/lib/store/index.ts';
import { runCli, TEST_SECRET } from '../helpers/site-build.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'aircover-sync-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('aircover db sync', () => {
  it('writes every sample partner with the token of their personal page, and again is an update', async () => {
    const env = { AIRCOVER_SECRET: TEST_SECRET, AIRCOVER_DATA_DIR: dataDir, DATABASE_URL: '' };
    const first = await runCli(['db', 'sync', '--json'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ campaigns: 1, partners: 12, inserted: 12, updated: 0 });
    const again = JSON.parse((await runCli(['db', 'sync', '--json'], env)).stdout);
    expect(again).toMatchObject({ inserted: 0, updated: 12 });

    const store = await openStore({ dataDir });
    try {
      const partner = await store.findPartnerByToken(
        partnerToken('sample', 'nordlys-integrasjon', TEST_SECRET),
      );
      expect(partner?.partnerId).toBe('nordlys-integrasjon');
      expect(partner?.campaign).toBe('sample');
      expect(
        await store.findPartnerByToken(partnerToken('sample', 'nordlys-integrasjon', 'x'.repeat(40))),
      ).toBeNull();
    } finally {
      await store.close();
    }
  });
});
