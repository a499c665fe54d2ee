/**
 * Astro's content cache (its data store, with the images each entry imports) belongs to one
 * content folder. Shared between builds of different folders, a build after another build's
 * temporary folder was deleted failed with ImageNotFound, looking for that folder's images.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildEnv, NO_CAMPAIGNS, projectRoot, runCli } from '../helpers/site-build.ts';

const scratch = join(projectRoot, '.aircover', `astro-cache-test-${process.pid}`);

/** A copy of the fixture content (a paper with a cover image) at a folder of its own. */
function contentCopy(name: string): string {
  const dir = join(scratch, name);
  cpSync(join(projectRoot, 'tests/fixtures/site-content'), dir, { recursive: true });
  return dir;
}

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('Astro content cache', () => {
  it('is kept per content folder, so deleting one folder never breaks the next build', async () => {
    mkdirSync(scratch, { recursive: true });
    const state = join(scratch, 'state');
    const first = contentCopy('first');
    const env = (name: string, contentDir: string): Record<string, string> => ({
      ...buildEnv(`astro-cache-${name}`, { contentDir, campaignsDir: NO_CAMPAIGNS }),
      AIRCOVER_STATE_DIR: state,
    });
    const one = await runCli(['build'], env('first', first));
    expect(one.code, one.stderr).toBe(0);
    rmSync(first, { recursive: true, force: true });

    const second = contentCopy('second');
    const two = await runCli(['build'], env('second', second));
    expect(two.stderr).not.toContain('ImageNotFound');
    expect(two.code, `${two.stdout}\n${two.stderr}`).toBe(0);
    const out = env('second', second).AIRCOVER_OUT_DIR as string;
    expect(existsSync(join(out, 'client/whitepapers/paper-published/index.html'))).toBe(true);
    // One cache per content folder, inside the state folder.
    expect(readdirSync(join(state, 'cache', 'astro'))).toHaveLength(2);
  });
});
