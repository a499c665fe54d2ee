/**
 * `aircover pdf` on a copy of the sample build: the PDF exists, has the paper's text, several
 * pages with numbers, the title as metadata, and link annotations pointing at the public site.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractText, getDocumentProxy, getMeta } from 'unpdf';
import { beforeAll, expect, it } from 'vitest';
import { describeWith } from '../helpers/requires.ts';
import { buildsRoot, ensureBuild, runCli, SAMPLE, type SiteBuild } from '../helpers/site-build.ts';

const SLUG = 'cold-chain-warm-margins';

describeWith('chromium')('white paper PDF', () => {
  let build: SiteBuild;
  let outDir: string;
  let result: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    build = await ensureBuild('sample', SAMPLE);
    // Print into a copy, so the shared build stays as the other tests expect it.
    outDir = mkdtempSync(join(buildsRoot, 'pdf-'));
    cpSync(build.client, join(outDir, 'client'), { recursive: true });
    result = await runCli(['pdf', SLUG, '--outDir', outDir], { ...build.env, AIRCOVER_OUT_DIR: outDir });
  }, 240_000);

  it('writes the PDF into the build and offers it on the page', () => {
    expect(result.code, result.stderr).toBe(0);
    const file = join(outDir, 'client', 'whitepapers', `${SLUG}.pdf`);
    expect(existsSync(file)).toBe(true);
    const html = readFileSync(join(outDir, 'client', 'whitepapers', SLUG, 'index.html'), 'utf8');
    const link = /<p[^>]*data-pdf-download[^>]*>\s*<a[^>]*>/.exec(html)?.[0] ?? '';
    expect(link).toContain(`href="/whitepapers/${SLUG}.pdf"`);
    expect(link).toContain('data-cta="download-pdf"');
    expect(link).not.toMatch(/\shidden/);
    // The shared build (no PDF yet) keeps the link hidden.
    const before = readFileSync(join(build.client, 'whitepapers', SLUG, 'index.html'), 'utf8');
    expect(/<p[^>]*data-pdf-download[^>]*>/.exec(before)?.[0]).toMatch(/\shidden/);
  });

  it("has the paper's text, title metadata, page numbers and working links", async () => {
    const bytes = new Uint8Array(readFileSync(join(outDir, 'client', 'whitepapers', `${SLUG}.pdf`)));
    const pdf = await getDocumentProxy(bytes.slice());
    const { totalPages, text } = await extractText(pdf, { mergePages: true });
    expect(totalPages).toBeGreaterThanOrEqual(3);
    expect(text).toContain('Cold chain, warm margins');
    expect(text).toContain('Executive summary');
    expect(text).toContain('Nordhavn Fresh');
    expect(text).toContain(`Page 1 of ${totalPages}`);
    expect(text).toContain(`Page ${totalPages} of ${totalPages}`);
    const meta = await getMeta(pdf);
    expect((meta.info as { Title?: string }).Title).toBe('Cold chain, warm margins');

    const urls: string[] = [];
    for (let n = 1; n <= pdf.numPages; n++) {
      const page = await pdf.getPage(n);
      for (const a of (await page.getAnnotations()) as { subtype: string; url?: string; dest?: unknown }[]) {
        if (a.subtype !== 'Link') continue;
        if (a.url) urls.push(a.url);
      }
    }
    expect(urls.length).toBeGreaterThan(0);
    const site = build.env.AIRCOVER_SITE_URL ?? 'http://localhost:4321';
    for (const url of urls) {
      expect(url).not.toContain('127.0.0.1');
      expect(url.startsWith(site) || /^(https?:|mailto:)/.test(url)).toBe(true);
    }
    expect(urls.some((u) => u.startsWith(`${new URL(site).origin}/`))).toBe(true);
  });

  it('says clearly when there is no Chromium, and refuses advance copies', async () => {
    const none = await runCli(['pdf', SLUG, '--outDir', outDir], {
      ...build.env,
      AIRCOVER_OUT_DIR: outDir,
      CHROMIUM_PATH: '/nonexistent/chromium',
    });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('No Chromium at /nonexistent/chromium');
    expect(none.stderr).toContain('CHROMIUM_PATH');
    const preview = await runCli(['pdf', 'the-integrators-share', '--outDir', outDir], {
      ...build.env,
      AIRCOVER_OUT_DIR: outDir,
    });
    expect(preview.code).toBe(1);
    expect(preview.stderr).toContain('advance copy');
  });
});
