import { join } from 'node:path';
import { defineCommand } from 'citty';
import { CliError, ExitCode, out } from '../output.ts';

export default defineCommand({
  meta: {
    name: 'pdf',
    description:
      'Print published white papers to PDF with headless Chromium (CHROMIUM_PATH, default /usr/bin/chromium) into the build, so their pages offer the download.',
  },
  args: {
    whitepaper: {
      type: 'positional',
      required: false,
      description: 'Paper id (default: every published paper)',
    },
    outDir: {
      type: 'string',
      default: process.env.AIRCOVER_OUT_DIR ?? 'dist',
      description: 'The build to print from and write into',
    },
  },
  async run({ args }) {
    // Content schemas and playwright load only when papers are printed, so `--help` stays fast.
    const { readContent } = await import('../../lib/content/read.ts');
    const { PdfError, renderPdfs } = await import('../../lib/pdf/render.ts');
    const { isPublicPaper } = await import('../../lib/publishing.ts');
    const { siteSettings } = await import('../../lib/site.ts');
    const contentDir = process.env.AIRCOVER_CONTENT_DIR ?? 'content';
    const index = readContent(contentDir);
    const slug = args.whitepaper;
    const entries = slug ? [index.whitepapers.get(slug)] : [...index.whitepapers.values()];
    if (slug && !entries[0]) {
      throw new CliError(
        `No white paper "${slug}" in ${join(contentDir, 'whitepapers')} (known: ${[...index.whitepapers.keys()].join(', ')}).`,
        ExitCode.usage,
      );
    }
    const papers = entries.filter((e) => e !== undefined);
    const printable = papers.filter((p) => isPublicPaper(p.data));
    for (const p of papers) {
      if (!isPublicPaper(p.data)) {
        out.warn(
          `${p.id} is ${p.data.status === 'preview' ? 'an advance copy' : `not public (${p.data.status})`}: PDFs are made for published papers only.`,
        );
      }
    }
    if (printable.length === 0)
      throw new CliError('Nothing to print.', slug ? ExitCode.failure : ExitCode.ok);
    const site = siteSettings(contentDir);
    try {
      const results = await renderPdfs(
        printable.map((p) => ({ slug: p.id, title: p.data.title, publisher: site.name })),
        {
          clientDir: join(args.outDir, 'client'),
          siteUrl: process.env.AIRCOVER_SITE_URL ?? 'http://localhost:4321',
        },
      );
      for (const r of results) out.success(`${r.file} (${Math.round(r.bytes / 1024)} KB, ${r.ms} ms)`);
    } catch (error) {
      if (error instanceof PdfError) throw new CliError(error.message);
      throw error;
    }
  },
});
