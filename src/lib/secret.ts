/**
 * The project secret (AIRCOVER_SECRET) signs partner tokens and unlisted preview URLs.
 *
 * In production (AIRCOVER_ENV=production) a real secret is
 * required. In development one is generated once into .aircover/secret with a warning, so
 * links stay stable across local builds without anyone having to set anything.
 */
import { randomBytes } from 'node:crypto';
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

let cached: string | undefined;

/** Returns the secret, generating a development one on first use outside production. */
export function getSecret(env: NodeJS.ProcessEnv = process.env, onWarn = defaultWarn): string {
  const fromEnv = env.AIRCOVER_SECRET;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (fromEnv.length < MIN_SECRET_LENGTH) {
      throw new SecretError(
        `AIRCOVER_SECRET is ${fromEnv.length} characters; use at least ${MIN_SECRET_LENGTH} (e.g. \`openssl rand -base64 32\`).`,
      );
    }
    return fromEnv;
  }
  if (isProduction(env)) {
    throw new SecretError(
      'AIRCOVER_SECRET is not set. A production build refuses to run without one: partner links are signed with it. Generate one with `openssl rand -base64 32`.',
    );
  }
  if (cached) return cached;
  const file = resolve(env.AIRCOVER_STATE_DIR ?? '.aircover', 'secret');
  if (existsSync(file)) {
    cached = readFileSync(file, 'utf8').trim();
  } else {
    mkdirSync(dirname(file), { recursive: true });
    cached = randomBytes(32).toString('base64url');
    writeFileSync(file, `${cached}\n`, { mode: 0o600 });
    onWarn(
      `AIRCOVER_SECRET is not set: generated a development secret in ${file}. Set AIRCOVER_SECRET for anything you send.`,
    );
  }
  return cached;
}

function defaultWarn(message: string) {
  process.stderr.write(`warning ${message}\n`);
}
