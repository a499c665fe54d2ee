/**
 * Astro's cache folder (its content data store, with the images each entry imports, and its
 * optimised images) for one content folder. One shared cache made a build fail with
 * ImageNotFound once another build's temporary content folder was deleted: the store still
 * held that folder's entries. Keyed by the content folder's full path, so a rebuild of the
 * same content stays warm.
 */
import { createHash } from 'node:crypto';
import { basename, join, resolve } from 'node:path';

export function astroCacheDir(contentDir: string, stateDir: string): string {
  const full = resolve(contentDir);
  const key = createHash('sha256').update(full).digest('hex').slice(0, 16);
  const readable = basename(full)
    .replace(/[^A-Za-z0-9_-]/g, '_')
    .slice(0, 40);
  return join(resolve(stateDir), 'cache', 'astro', `${readable}-${key}`);
}
