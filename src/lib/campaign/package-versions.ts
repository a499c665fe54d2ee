/**
 * The installed versions of the libraries a cached result depends on, for the caches' keys
 * (load-cache.ts, preflight-cache.ts): an upgrade of one of them makes every old entry stale.
 */

import { readFileSync } from 'node:fs';
import { findPackageJSON } from 'node:module';

/** `name@version` for each package, `name@?` for one that cannot be found. */
export function packageVersions(names: readonly string[]): string[] {
  return names.map((name) => {
    try {
      const file = findPackageJSON(name, import.meta.url);
      return `${name}@${file ? (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version : '?'}`;
    } catch {
      return `${name}@?`;
    }
  });
}
