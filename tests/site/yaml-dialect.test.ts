/**
 * One YAML dialect (issue 11): Astro's own content loader reads frontmatter with the project's
 * `yaml` (src/lib/content/loader.ts), as `aircover check` and `aircover build` do, so a raw
 * `astro build` refuses an impossible date naming the file, and a value means the same in both.
 * Each case is the fixture site plus one post from tests/fixtures/yaml-dialect/.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readContent } from '../../src/lib/content/read.ts';
import { buildsRoot, projectRoot } from '../helpers/site-build.ts';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** The fixture site's content with one extra post; returns the content folder. */
function contentWith(post: string): string {
  const root = mkdtempSync(join(buildsRoot, 'yaml-dialect-'));
  roots.push(root);
  const content = join(root, 'content');
  cpSync(join(projectRoot, 'tests/fixtures/site-content'), content, { recursive: true });
  cpSync(join(projectRoot, 'tests/fixtures/yaml-dialect', post), join(content, 'blog', post));
  return content;
}

/** Astro's own CLI, as `npx astro <command>` runs it. */
function astro(command: string, content: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(projectRoot, 'node_modules/astro/bin/astro.mjs'), command], {
      cwd: projectRoot,
      env: {
        ...process.env,
        NO_COLOR: '1',
        ASTRO_TELEMETRY_DISABLED: '1',
        AIRCOVER_CONTENT_DIR: content,
        AIRCOVER_OUT_DIR: join(content, '..', 'dist'),
      },
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

describe('one YAML dialect for Astro and the CLI', () => {
  it('a raw astro build refuses 2026-02-30, naming the file and the field', async () => {
    const content = contentWith('impossible-date.md');
    const { code, output } = await astro('build', content);
    expect(code, output).not.toBe(0);
    expect(output).toContain('impossible-date.md');
    expect(output).toContain('publishDate');
    expect(output).toContain('2026-02-30 is not a day on the calendar');
    // aircover check and build say the same, with the line.
    expect(readContent(content, { fresh: true }).problems).toMatchObject([
      {
        file: expect.stringContaining('impossible-date.md'),
        line: 4,
        field: 'publishDate',
        message: '2026-02-30 is not a day on the calendar',
      },
    ]);
  });

  it('an unquoted date in a list of strings is a string for Astro as for the CLI', async () => {
    const content = contentWith('date-like-tag.md');
    const index = readContent(content, { fresh: true });
    expect(index.problems).toEqual([]);
    expect(index.blog.get('date-like-tag')?.data.tags).toEqual(['release-notes', '2026-05-01']);
    // js-yaml would hand Astro a Date here, which the schema refuses; the project's YAML does not.
    const { code, output } = await astro('sync', content);
    expect(code, output).toBe(0);
  });
});
