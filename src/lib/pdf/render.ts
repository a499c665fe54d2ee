/**
 * White paper → PDF through headless Chromium (playwright-core with the system browser): the
 * built page is served on 127.0.0.1 from the build output and printed with the print stylesheet
 * (A4, no navigation), with the paper's title as PDF metadata, a running header, page numbers in
 * the footer, and links that work outside the site (made absolute against AIRCOVER_SITE_URL;
 * in-page anchors stay internal). The PDF lands next to the page in the build output.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { chromiumPath, hasChromium, launchChromium } from '../browser.ts';
import { PDF_MARKER, pdfFile, pdfHref } from './paths.ts';

export class PdfError extends Error {
  override name = 'PdfError';
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.xml': 'application/xml',
};

/** A read-only static server for the build's client folder, on 127.0.0.1 and a free port. */
export function serveStatic(root: string): Promise<{ url: string; server: Server }> {
  const base = resolve(root);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file = normalize(join(base, path));
    if (file !== base && !file.startsWith(base + sep)) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolvePromise({ url: `http://127.0.0.1:${port}`, server });
    });
  });
}

export interface PaperToPrint {
  slug: string;
  title: string;
  /** Shown in the running header, e.g. the publisher. */
  publisher: string;
}

export interface PdfResult {
  slug: string;
  file: string;
  bytes: number;
  ms: number;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Prints each paper's built page to `<client>/whitepapers/<slug>.pdf`. */
export async function renderPdfs(
  papers: PaperToPrint[],
  options: { clientDir: string; siteUrl: string; chromium?: string },
): Promise<PdfResult[]> {
  const executablePath = options.chromium ?? chromiumPath();
  if (!hasChromium(executablePath)) {
    throw new PdfError(
      `No Chromium at ${executablePath}: install it (Debian: apt-get install chromium) or set CHROMIUM_PATH. The site itself is unaffected; its pages offer no PDF until one is made.`,
    );
  }
  for (const paper of papers) {
    if (!existsSync(join(options.clientDir, 'whitepapers', paper.slug, 'index.html'))) {
      throw new PdfError(
        `No built page for "${paper.slug}" in ${options.clientDir}: run \`aircover build\` first (only published papers have one).`,
      );
    }
  }
  const { url, server } = await serveStatic(options.clientDir);
  const browser = await launchChromium({ executablePath });
  const results: PdfResult[] = [];
  try {
    for (const paper of papers) {
      const started = performance.now();
      const page = await browser.newPage();
      const path = `/whitepapers/${paper.slug}/`;
      const response = await page.goto(`${url}${path}`, { waitUntil: 'load' });
      if (!response?.ok()) throw new PdfError(`${path} answered ${response?.status() ?? 'nothing'}`);
      await page.emulateMedia({ media: 'print' });
      // Lazy images load before printing; links point at the public site, not at this server.
      await page.evaluate(
        async ({ siteUrl, path, title }) => {
          for (const img of Array.from(document.images)) img.loading = 'eager';
          await Promise.all(
            Array.from(document.images).map((img) =>
              img.complete ? null : new Promise((r) => img.addEventListener('load', r, { once: true })),
            ),
          );
          for (const a of Array.from(document.querySelectorAll<HTMLAnchorElement>('a[href]'))) {
            const href = a.getAttribute('href') ?? '';
            if (href.startsWith('#')) continue;
            a.setAttribute('href', new URL(href, new URL(path, siteUrl)).href);
          }
          document.title = title;
        },
        { siteUrl: options.siteUrl, path, title: paper.title },
      );
      const file = pdfFile(options.clientDir, paper.slug);
      const pdf = await page.pdf({
        format: 'A4',
        printBackground: true,
        displayHeaderFooter: true,
        headerTemplate: `<div style="font-size:8px;width:100%;padding:0 15mm;color:#667;display:flex;justify-content:space-between"><span>${esc(paper.title)}</span><span>${esc(paper.publisher)}</span></div>`,
        footerTemplate:
          '<div style="font-size:8px;width:100%;text-align:center;color:#667">Page <span class="pageNumber"></span> of <span class="totalPages"></span></div>',
        margin: { top: '18mm', bottom: '18mm', left: '15mm', right: '15mm' },
        outline: true,
        tagged: true,
      });
      writeFileSync(file, pdf);
      await page.close();
      showDownloadLink(options.clientDir, paper.slug);
      results.push({
        slug: paper.slug,
        file,
        bytes: pdf.length,
        ms: Math.round(performance.now() - started),
      });
    }
  } finally {
    await browser.close();
    await new Promise<void>((r) => server.close(() => r()));
  }
  return results;
}

/** Unhides the download link in the built page (it was built before the PDF existed). */
export function showDownloadLink(clientDir: string, slug: string): boolean {
  const file = join(clientDir, 'whitepapers', slug, 'index.html');
  const html = readFileSync(file, 'utf8');
  const next = html.replace(new RegExp(`(<[^>]*${PDF_MARKER}[^>]*?)\\s+hidden(?:="[^"]*")?`), '$1');
  if (next === html) return html.includes(pdfHref(slug));
  writeFileSync(file, next);
  return true;
}
