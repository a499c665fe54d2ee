/**
 * Where a white paper's PDF lives: `<outDir>/client/whitepapers/<slug>.pdf`, served at
 * `/whitepapers/<slug>.pdf`. Shared by `aircover pdf` (which writes it) and the paper page
 * (which offers it once it exists).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The attribute the page's download paragraph carries; `aircover pdf` unhides it. */
export const PDF_MARKER = 'data-pdf-download';

export function pdfHref(slug: string): string {
  return `/whitepapers/${slug}.pdf`;
}

export function pdfFile(clientDir: string, slug: string): string {
  return join(clientDir, 'whitepapers', `${slug}.pdf`);
}

export function pdfDownload(
  slug: string,
  outDir = process.env.AIRCOVER_OUT_DIR ?? 'dist',
): { href: string; exists: boolean } {
  return { href: pdfHref(slug), exists: existsSync(pdfFile(join(outDir, 'client'), slug)) };
}
