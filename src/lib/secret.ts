/**
 * The project secret (AIRCOVER_SECRET) signs partner tokens and unlisted preview URLs.
 *
 * In production (AIRCOVER_ENV=production) a real secret is
 * required. In development one is generated once into .aircover/secret with a warning, so
 * links stay stable across local builds without anyone having to set anything.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export const MIN_SECRET_LENGTH = 32;

export class SecretError extends Error {
  override name = 'SecretError';
}

/**
 * Production is declared with AIRCOVER_ENV=production. NODE_ENV cannot tell: `astro build`
 * sets it to production on every developer's machine.
 */
export function isProduction(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.AIRCOVER_ENV === 'production';
}

/** The development secret, per file (tests and tools may point AIRCOVER_STATE_DIR elsewhere). */
const cached = new Map<string, string>();

/** Returns the secret, generating a development one on first use outside production. */
export function getSecret(env: NodeJS.ProcessEnv = process.env, onWarn = defaultWarn): string {
  const fromEnv = env.AIRCOVER_SECRET;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (fromEnv.length < MIN_SECRET_LENGTH) {
      throw new SecretError(
        `AIRCOVER_SECRET is ${fromEnv.length} characters; use at least ${MIN_SECRET_LENGTH} (e.g. \`openssl rand -base64 32\`).`,
      );
    }
    if (isProduction(env) && new Set(fromEnv).size < 8) {
      throw new SecretError(
        `AIRCOVER_SECRET has only ${new Set(fromEnv).size} different characters: that is a placeholder, not a secret. Generate one with \`openssl rand -base64 32\`.`,
      );
    }
    return fromEnv;
  }
  if (isProduction(env)) {
    throw new SecretError(
      'AIRCOVER_SECRET is not set. A production build refuses to run without one: partner links are signed with it. Generate one with `openssl rand -base64 32`.',
    );
  }
  const file = resolve(env.AIRCOVER_STATE_DIR ?? '.aircover', 'secret');
  const known = cached.get(file);
  if (known) return known;
  if (existsSync(file)) {
    const stored = readFileSync(file, 'utf8').trim();
    // An empty or short file would sign every link under a guessable key: never use it.
    if (stored.length < MIN_SECRET_LENGTH) {
      throw new SecretError(
        `${file} holds a secret of ${stored.length} characters; at least ${MIN_SECRET_LENGTH} are needed. Delete the file to generate a new development secret (links signed with the old one stop working), or set AIRCOVER_SECRET.`,
      );
    }
    cached.set(file, stored);
    return stored;
  }
  mkdirSync(dirname(file), { recursive: true });
  const generated = randomBytes(32).toString('base64url');
  writeFileSync(file, `${generated}\n`, { mode: 0o600 });
  cached.set(file, generated);
  onWarn(
    `AIRCOVER_SECRET is not set: generated a development secret in ${file}. Set AIRCOVER_SECRET for anything you send.`,
  );
  return generated;
}

function defaultWarn(message: string) {
  process.stderr.write(`warning ${message}\n`);
}

/**
 * A fingerprint of the secret, safe to print and to store next to a build: an HMAC under the
 * secret of a fixed label (it reveals nothing about the secret, and differs for another one).
 */
export function secretFingerprint(secret: string = getSecret()): string {
  return createHmac('sha256', secret).update('aircover secret fingerprint v1').digest('hex').slice(0, 16);
}

/** Where a build records the fingerprint of the secret it was made under. */
export function buildRecordPath(outDir: string): string {
  return resolve(outDir, 'aircover-build.json');
}

/** Records, after a build, which secret signed its pages (the fingerprint, never the secret). */
export function recordBuildSecret(outDir: string, secret: string = getSecret()): void {
  const file = buildRecordPath(outDir);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ secretFingerprint: secretFingerprint(secret) }, null, 2)}\n`);
}

/**
 * Before serving: the build's pages carry tokens signed under the build's secret, so a server
 * under another one would answer every partner's link with "unknown token". Refuses naming both
 * fingerprints. A build without a record (made before builds recorded one) is refused in
 * production and only warned about in development.
 */
export function checkBuildSecret(
  outDir: string,
  env: NodeJS.ProcessEnv = process.env,
  onWarn = defaultWarn,
): void {
  const current = secretFingerprint(getSecret(env));
  const file = buildRecordPath(outDir);
  let recorded: string | undefined;
  if (existsSync(file)) {
    try {
      const value = (JSON.parse(readFileSync(file, 'utf8')) as { secretFingerprint?: unknown })
        .secretFingerprint;
      if (typeof value === 'string') recorded = value;
    } catch {
      recorded = undefined;
    }
  }
  if (recorded === undefined) {
    const message = `${file} does not say which secret the build was made under; rebuild with \`aircover build\`.`;
    if (isProduction(env)) throw new SecretError(message);
    onWarn(message);
    return;
  }
  if (recorded !== current) {
    throw new SecretError(
      `The build in ${outDir} was made under another secret (fingerprint ${recorded}); this server's secret has fingerprint ${current}. Every partner link would be unknown: rebuild with this secret, or serve with the one the build used.`,
    );
  }
}
