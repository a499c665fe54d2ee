/**
 * The preflight's memory between runs: what checking one message (a touch for a partner) or one
 * personal page found, keyed by a content hash of everything its rendering reads, so `check` and
 * `send` render again only what changed. One JSON file per campaign under
 * `<AIRCOVER_STATE_DIR>/cache/preflight/`; a missing or unreadable file is an empty cache.
 *
 * A key hashes: the code that renders and checks (the source of the renderer, the personalizer
 * and the preflight, and the versions of the libraries they run through), the campaign without its
 * partners and touches (sender, copy, paper, webinar, posts as loaded from content/), the options
 * (a digest of the secret, the site URL, whether the paper is still an advance copy), then the
 * touch (its template text and settings) and the partner's row.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeWhole } from '../fs/write-whole.ts';
import type { Campaign } from './load.ts';
import { packageVersions } from './package-versions.ts';
import type { Partner } from './partners.ts';
import type { Problem } from './problems.ts';

/** Bump when what the cache stores changes shape. */
const CACHE_FORMAT = 1;

/** What checking one message found: its problems, or, when it rendered, the facts its lints need. */
export interface MessageFacts {
  problems: Problem[];
  /** The content keys of its links (earn-the-response), whether it offers both opt-outs, whether it links the recording. */
  rendered?: { keys: string[]; optOut: boolean; recording: boolean };
}

export class PreflightCache {
  private readonly file: string | undefined;
  private readonly readOnly: boolean;
  private readonly stored: Record<string, unknown>;
  private readonly used = new Map<string, unknown>();
  hits = 0;
  misses = 0;

  /** `readOnly`: read `file` but never write it (a dry run writes no file, not even a cache). */
  constructor(file?: string, options: { readOnly?: boolean } = {}) {
    this.file = file;
    this.readOnly = options.readOnly === true;
    this.stored = file ? readEntries(file) : {};
  }

  /** A cache that remembers nothing (no state folder). */
  static none(): PreflightCache {
    return new PreflightCache();
  }

  get<T>(key: string): T | undefined {
    const value = this.stored[key] as T | undefined;
    if (value === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.used.set(key, value);
    return value;
  }

  /**
   * Keeps a copy made of fresh strings: what a check finds (its links' content keys, its
   * problems' words) is cut from the rendered message, and V8 keeps such a substring as a slice
   * of the whole message, so every message checked would stay in memory until the cache is
   * written (heap snapshots at 125 and 500 partners: 340 more whole messages live at 500).
   */
  set(key: string, value: unknown): void {
    this.used.set(key, JSON.parse(JSON.stringify(value)));
  }

  /**
   * Writes what this run used (and, for a partial run such as one touch, what it did not touch),
   * through a temporary file, so a crash leaves the old cache whole.
   */
  save(options: { keepUnused: boolean }): void {
    if (!this.file || this.readOnly) return;
    const entries: Record<string, unknown> = options.keepUnused ? { ...this.stored } : {};
    for (const [key, value] of this.used) entries[key] = value;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      writeWhole(this.file, JSON.stringify({ format: CACHE_FORMAT, code: codeDigest(), entries }));
    } catch {
      // A cache that cannot be written costs the next run time, never a wrong answer.
    }
  }
}

/** The cache file of a campaign in `dir` (the state folder's cache/preflight). */
export function preflightCacheFile(dir: string, campaignId: string): string {
  return join(dir, `${campaignId.replace(/[^\w.-]/g, '_')}.json`);
}

function readEntries(file: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as {
      format?: number;
      code?: string;
      entries?: Record<string, unknown>;
    };
    if (parsed.format !== CACHE_FORMAT || parsed.code !== codeDigest()) return {};
    return parsed.entries ?? {};
  } catch {
    return {};
  }
}

/** A short content hash of `parts` (Maps and Sets included). */
export function digest(...parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts, replacer)).digest('hex').slice(0, 32);
}

/**
 * `digest` of a partner row, or of two digests: the per-message keys, hashed without the
 * replacer (a partner row is plain data: strings, arrays and records), about half the cost.
 */
export function digestPartner(partner: Partner): string {
  return createHash('sha256')
    .update(JSON.stringify([partner]))
    .digest('hex')
    .slice(0, 32);
}
export function digestPair(a: string, b: string): string {
  return createHash('sha256').update(a).update('\0').update(b).digest('hex').slice(0, 32);
}

function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Map) return [...value.entries()];
  if (value instanceof Set) return [...value];
  return value;
}

/** The campaign's own inputs to every rendering: everything but its partners and its touches. */
export function campaignInputs(campaign: Campaign): unknown {
  const { partners: _partners, touches: _touches, ...rest } = campaign;
  return rest;
}

let code: string | undefined;
/**
 * A digest of the code a check runs: the source of the renderer, the personalizer, the referrer
 * notes' introductions and this
 * folder's preflight, and the versions of the libraries that render. A change to any of them
 * empties the cache.
 */
export function codeDigest(): string {
  if (code) return code;
  const lib = join(import.meta.dirname, '..');
  const hash = createHash('sha256');
  for (const folder of ['email/render', 'personalize', 'campaign', 'referrer']) {
    for (const file of readdirSync(join(lib, folder)).sort()) {
      if (file.endsWith('.ts')) hash.update(file).update(readFileSync(join(lib, folder, file)));
    }
  }
  for (const file of ['publishing.ts', 'time/format.ts', 'time/zone.ts', 'secret.ts'])
    hash.update(readFileSync(join(lib, file)));
  for (const version of packageVersions(['liquidjs', 'marked', 'html-to-text', 'mjml', 'mjml-core']))
    hash.update(version);
  code = hash.digest('hex').slice(0, 32);
  return code;
}
