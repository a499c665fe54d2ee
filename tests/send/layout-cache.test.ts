/**
 * The compiled email layout kept on disk (src/lib/email/render/layout.ts): compiled once and
 * written under its digest (the MJML source and MJML's versions), read back instead of compiling,
 * and compiled again when the kept file is cut. The digest is the same whichever way the layout came.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keepLayoutsIn, layoutDigest, layoutHtml, slots } from '../../src/lib/email/render/layout.ts';

afterAll(() => keepLayoutsIn(undefined));

describe('layout cache', () => {
  it('writes the compiled layout under its digest and reads it back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aircover-layouts-'));
    keepLayoutsIn(dir);
    // Each language is compiled once per process: fresh languages keep the cases apart.
    const html = await layoutHtml('da');
    expect(readdirSync(dir)).toEqual([`${layoutDigest('da')}.html`]);
    expect(readFileSync(join(dir, `${layoutDigest('da')}.html`), 'utf8')).toBe(html);
    // A kept file stands for the compiled layout (here one marked so it can be told apart).
    const kept = `${Object.values(slots).join(' ')} <!-- kept -->`;
    writeFileSync(join(dir, `${layoutDigest('sv')}.html`), kept);
    expect(await layoutHtml('sv')).toBe(kept);
  });

  it('compiles again when the kept file lost a slot', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aircover-layouts-'));
    keepLayoutsIn(dir);
    writeFileSync(join(dir, `${layoutDigest('nb')}.html`), `<html>${slots.body}</html>`);
    const html = await layoutHtml('nb');
    for (const slot of Object.values(slots)) expect(html).toContain(slot);
    expect(html).toContain('lang="nb"');
  });

  it('the digest depends on the language, not on compiling', () => {
    expect(layoutDigest('en')).toBe(layoutDigest('en'));
    expect(layoutDigest('en')).not.toBe(layoutDigest('de'));
  });
});
