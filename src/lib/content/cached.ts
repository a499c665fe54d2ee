/**
 * Content read once and kept until its files change: for the server, which must never re-read
 * content/ or campaigns/ per request (a flood of posts would otherwise be a flood of file reads
 * and YAML parses). A cached value is trusted for `recheckMs`; after that one listing of the
 * folders (names, sizes, modification times) decides whether to load again.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Names, sizes and modification times of every file under `roots` (missing roots count too). */
export function filesFingerprint(roots: readonly string[]): string {
  const parts: string[] = [];
  for (const root of roots) {
    if (!existsSync(root)) {
      parts.push(`${root}:missing`);
      continue;
    }
    for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const file = join(entry.parentPath, entry.name);
      try {
        const stat = statSync(file);
        parts.push(`${file}:${stat.size}:${stat.mtimeMs}`);
      } catch {
        parts.push(`${file}:gone`);
      }
    }
  }
  return parts.sort().join('\n');
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * `load()` memoised until a file under `roots()` changes. A failure is remembered the same way
 * (an invalid file stays invalid until it is edited), and thrown again to each caller.
 */
export function cachedUntilChanged<T>(
  roots: () => readonly string[],
  load: () => T,
  options: { recheckMs?: number; now?: () => number } = {},
): () => T {
  const recheckMs = options.recheckMs ?? 2_000;
  const now = options.now ?? Date.now;
  let cached: { outcome: Outcome<T>; fingerprint: string; checkedAt: number } | null = null;
  return () => {
    const t = now();
    if (cached && t - cached.checkedAt < recheckMs) return unwrap(cached.outcome);
    const fingerprint = filesFingerprint(roots());
    if (cached && cached.fingerprint === fingerprint) {
      cached.checkedAt = t;
      return unwrap(cached.outcome);
    }
    let outcome: Outcome<T>;
    try {
      outcome = { ok: true, value: load() };
    } catch (error) {
      outcome = { ok: false, error };
    }
    cached = { outcome, fingerprint, checkedAt: t };
    return unwrap(outcome);
  };
}

function unwrap<T>(outcome: Outcome<T>): T {
  if (outcome.ok) return outcome.value;
  throw outcome.error;
}
