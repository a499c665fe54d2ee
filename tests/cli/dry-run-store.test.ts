/**
 * A dry run changes nothing, the store included: it does not create the SQLite file, and it
 * does not apply migrations to a store that has them pending (it says to run `db migrate`).
 */

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/lib/store/index.ts';
import { runCli, TEST_SECRET } from '../helpers/site-build.ts';

const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'aircover-dry-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const env = (dataDir: string) => ({
  AIRCOVER_SECRET: TEST_SECRET,
  AIRCOVER_DATA_DIR: dataDir,
  AIRCOVER_OUTBOX_DIR: join(dataDir, 'outbox'),
  DATABASE_URL: '',
  RESEND_API_KEY: '',
});

describe('dry runs and the store', () => {
  it('send --dry-run on a machine with no store yet plans against an empty store and creates no file', async () => {
    const dataDir = freshDir();
    const r = await runCli(
      ['send', 'sample', '--touch', 'advance-notice', '--dry-run', '--json'],
      env(dataDir),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).plan[0].partners.length).toBeGreaterThan(0);
    expect(existsSync(join(dataDir, 'aircover.sqlite'))).toBe(false);
    expect(existsSync(join(dataDir, 'outbox'))).toBe(false);
  });

  it('mark --dry-run on a store with pending migrations applies none and says to migrate', async () => {
    const dataDir = freshDir();
    // A store file from before any migration: it exists, and every migration is pending.
    new DatabaseSync(join(dataDir, 'aircover.sqlite')).close();
    const r = await runCli(
      ['mark', 'vistula-wms', 'called', '--campaign', 'sample', '--dry-run'],
      env(dataDir),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/run `aircover db migrate` first/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const store = await openStore({ dataDir, migrate: false });
    try {
      expect((await store.migrationStatus()).every((m) => m.appliedAt === null)).toBe(true);
    } finally {
      await store.close();
    }
  });
});
