/**
 * Secrets in production (issue 11): no real secret, no build and no server; an empty or short
 * secret file is refused everywhere; a server refuses a build made under another secret, naming
 * both fingerprints; posts with unknown tokens are logged.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSecret, SecretError, secretFingerprint } from '../../src/lib/secret.ts';
import { type RunningServer, startServer } from '../helpers/server.ts';
import { ensureBuild, runCli, SAMPLE, type SiteBuild, TEST_SECRET } from '../helpers/site-build.ts';
import { beacon } from './helpers.ts';

const stateDir = () => mkdtempSync(join(tmpdir(), 'aircover-secret-'));

describe('the secret', () => {
  it('refuses an empty or short secret file, in development too', () => {
    for (const content of ['', '\n', 'short-secret\n']) {
      const dir = stateDir();
      writeFileSync(join(dir, 'secret'), content);
      expect(() => getSecret({ AIRCOVER_STATE_DIR: dir })).toThrow(SecretError);
      expect(() => getSecret({ AIRCOVER_STATE_DIR: dir })).toThrow(/at least 32/);
    }
    const dir = stateDir();
    const generated = getSecret({ AIRCOVER_STATE_DIR: dir }, () => undefined);
    expect(generated.length).toBeGreaterThanOrEqual(32);
    expect(getSecret({ AIRCOVER_STATE_DIR: dir })).toBe(generated);
  });

  it('in production: required, at least 32 characters, not a placeholder', () => {
    expect(() => getSecret({ AIRCOVER_ENV: 'production' })).toThrow(/AIRCOVER_SECRET is not set/);
    expect(() => getSecret({ AIRCOVER_ENV: 'production', AIRCOVER_SECRET: 'x'.repeat(20) })).toThrow(
      /at least 32/,
    );
    expect(() => getSecret({ AIRCOVER_ENV: 'production', AIRCOVER_SECRET: 'a'.repeat(40) })).toThrow(
      /placeholder/,
    );
    expect(getSecret({ AIRCOVER_ENV: 'production', AIRCOVER_SECRET: TEST_SECRET })).toBe(TEST_SECRET);
  });

  it('a fingerprint never shows the secret, and differs for another one', () => {
    expect(secretFingerprint(TEST_SECRET)).toMatch(/^[0-9a-f]{16}$/);
    expect(TEST_SECRET).not.toContain(secretFingerprint(TEST_SECRET));
    expect(secretFingerprint(`${TEST_SECRET}x`)).not.toBe(secretFingerprint(TEST_SECRET));
  });
});

describe('build and serve', () => {
  let build: SiteBuild;
  let server: RunningServer | undefined;
  beforeAll(async () => {
    build = await ensureBuild('sample', SAMPLE);
  });
  afterAll(async () => {
    await server?.stop();
  });
  const production = { AIRCOVER_ENV: 'production', AIRCOVER_ADMIN_PASSWORD: 'a-long-enough-password' };

  it('refuse to run in production without a secret', async () => {
    const env = { ...build.env, ...production, AIRCOVER_SECRET: '' };
    const built = await runCli(['build', '--outDir', join(stateDir(), 'dist')], env);
    expect(built.code).not.toBe(0);
    expect(built.stderr).toContain('AIRCOVER_SECRET is not set');
    const served = await runCli(['serve', '--port', '0', '--outDir', build.dir], env);
    expect(served.code).not.toBe(0);
    expect(served.stderr).toContain('AIRCOVER_SECRET is not set');
  });

  it('a server refuses a build made under another secret, naming both fingerprints', async () => {
    const other = `${TEST_SECRET}-another-one`;
    const error = await startServer(build, { AIRCOVER_SECRET: other }).then(
      async (s) => {
        await s.stop();
        return null;
      },
      (e: Error) => e,
    );
    expect(error?.message).toContain(secretFingerprint(TEST_SECRET));
    expect(error?.message).toContain(secretFingerprint(other));
  });

  it('logs posts with unknown tokens, one line however many', async () => {
    server = await startServer(build);
    const post = () =>
      fetch(`${server?.url}/api/events`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', origin: server?.url ?? '' },
        body: beacon('Z'.repeat(32), [{ seq: 0, type: 'page_view' }]),
      });
    for (let i = 0; i < 5; i++) expect((await post()).status).toBe(204);
    const lines = server
      .log()
      .split('\n')
      .filter((l) => l.includes('unknown token'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('beacon');
  });
});
