/**
 * The shared fingerprint decides both "up to date, nothing rendered" and which partner pages the
 * page cache may reuse, so every file a page is built from must change it: here the Astro
 * config, whatever name the project gives it (this one's is astro.config.mjs).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildFingerprints } from '../../src/lib/build/fingerprint.ts';
import { projectRoot } from '../helpers/site-build.ts';

const scratch = join(projectRoot, '.aircover', `fingerprint-test-${process.pid}`);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function project(name: string, files: Record<string, string>): string {
  const root = join(scratch, name);
  mkdirSync(join(root, 'content'), { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(root, file), text);
  return root;
}

const fingerprint = (root: string) =>
  buildFingerprints({
    projectRoot: root,
    contentDir: join(root, 'content'),
    campaigns: [],
    env: {},
    now: new Date('2026-12-02T09:00:00Z'),
  }).site;

describe('shared fingerprint', () => {
  for (const config of ['astro.config.ts', 'astro.config.mjs']) {
    it(`changes when ${config} changes`, () => {
      const root = project(config, { [config]: 'export default { site: "https://a.example" };\n' });
      const before = fingerprint(root);
      expect(fingerprint(root)).toBe(before);
      writeFileSync(join(root, config), 'export default { site: "https://b.example" };\n');
      expect(fingerprint(root)).not.toBe(before);
    });
  }

  it('changes when a content file changes', () => {
    const root = project('content', {});
    writeFileSync(join(root, 'content', 'site.yaml'), 'title: A\n');
    const before = fingerprint(root);
    writeFileSync(join(root, 'content', 'site.yaml'), 'title: B\n');
    expect(fingerprint(root)).not.toBe(before);
  });
});
