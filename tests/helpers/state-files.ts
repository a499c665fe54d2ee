import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The files under a state folder, as paths relative to it, with their contents. Node's compile
 * cache (cache/node) is left out: scripts/aircover.mjs turns it on for every run, dry or not, and
 * it is Node's own record of the CLI's compiled code, not anything the command derived.
 */
export function stateFiles(stateDir: string): Record<string, string> {
  if (!existsSync(stateDir)) return {};
  const files: Record<string, string> = {};
  for (const entry of readdirSync(stateDir, { recursive: true, withFileTypes: true })) {
    const path = relative(stateDir, join(entry.parentPath, entry.name));
    if (entry.isFile() && !path.startsWith(join('cache', 'node')))
      files[path] = readFileSync(join(stateDir, path), 'base64');
  }
  return files;
}
