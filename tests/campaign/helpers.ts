import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const fixtureDir = new URL('./fixtures/basic/', import.meta.url).pathname;
export const contentDir = new URL('../../content/', import.meta.url).pathname;
export const secret = 'test-secret-test-secret-test-secret-42';

/** A copy of the basic fixture in a temp folder, with files replaced or edited. */
export function craft(
  edits: Record<string, string | ((text: string) => string)> = {},
  name = 'crafted',
): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'aircover-campaign-')), name);
  cpSync(fixtureDir, dir, { recursive: true });
  for (const [file, edit] of Object.entries(edits)) {
    const path = join(dir, file);
    const text = typeof edit === 'string' ? edit : edit(readFileSync(path, 'utf8'));
    writeFileSync(path, text);
  }
  return dir;
}
