import { join, resolve } from 'node:path';
import { defineCommand } from 'citty';
import type { CardContent } from '../../lib/og/card.ts';
import { getSecret, recordBuildSecret } from '../../lib/secret.ts';
import { CliError, ExitCode, out } from '../output.ts';

export default defineCommand({
  meta: { name: 'build', description: 'Build the site: papers, posts, webinars, partner pages and cards.' },
  args: {
    outDir: {
      type: 'string',
      description: 'Output folder, inside the project (the server resolves its packages from there)',
      default: process.env.AIRCOVER_OUT_DIR ?? 'dist',
    },
    verbose: { type: 'boolean', description: "Show Astro's own progress and warnings", default: false },
  },
  async run({ args }) {
    await buildSite(args.outDir, { verbose: args.verbose });
  },
});

export async function buildSite(outDir: string, options: { verbose?: boolean } = {}): Promise<void> {
  if (!outDir || typeof outDir !== 'string')
    throw new CliError('--outDir needs a folder name', ExitCode.usage);
  process.env.ASTRO_TELEMETRY_DISABLED = '1';
  process.env.AIRCOVER_OUT_DIR = outDir;
  // No real secret, no build: the pages' links are signed with it (secret.ts refuses a missing
  // one in production and an empty or short one everywhere).
  getSecret();
  const started = performance.now();
  out.info('Building the site…');
  // Loaded after the first line of output: campaigns, cards and Astro are heavy.
  const { withLock } = await import('../../lib/lock.ts');
  const { placeCards } = await import('../../lib/og/pool.ts');
  await warmPublicCards();
  const partnerCards = await warmPartnerCards();
  const { build } = await import('astro');
  try {
    // Builds of one project share Astro's caches: one at a time.
    await withLock(
      resolve(process.env.AIRCOVER_STATE_DIR ?? '.aircover', 'build.lock'),
      async () => {
        // Astro's warn level is mostly bundler notes about its own modules; errors always show.
        await build({ root: process.cwd(), logLevel: options.verbose ? 'info' : 'error' });
      },
      { onWait: () => out.info('Another build of this project is running; waiting for it to finish…') },
    );
  } catch (error) {
    // Astro's errors already name the file and the field; keep them, drop our stack.
    throw new CliError(`Build failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  recordBuildSecret(outDir);
  placeCards(
    partnerCards.map(({ token, content }) => ({
      content,
      to: join(outDir, 'client', 'og', 'p', `${token}.png`),
    })),
  );
  out.success(`Built into ${outDir}/ in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * Draws every partner's card on all cores before Astro runs (Astro draws them one at a
 * time). Campaign errors surface here, before the build starts, with the full list.
 */
async function warmPartnerCards(): Promise<{ token: string; content: CardContent }[]> {
  const { partnerCard, partnerPages } = await import('../../lib/campaign/site.ts');
  const { warmCards } = await import('../../lib/og/pool.ts');
  const { siteSettings } = await import('../../lib/site.ts');
  let pages: ReturnType<typeof partnerPages>;
  try {
    pages = partnerPages();
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error));
  }
  if (pages.length === 0) return [];
  const siteName = siteSettings().name;
  const cards = pages.map((page) => ({ token: page.token, content: partnerCard(page, siteName) }));
  const started = performance.now();
  let lastReport = 0;
  const drawn = await warmCards(
    cards.map((card) => card.content),
    {
      onProgress: (done, total) => {
        const now = performance.now();
        if (done === total || now - lastReport > 2000) {
          lastReport = now;
          out.info(`Drawing partner cards: ${done}/${total}`);
        }
      },
    },
  );
  if (drawn > 0)
    out.info(`Drew ${drawn} partner cards in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return cards;
}

/**
 * Draws the public pages' cards on all cores before Astro runs, from the content's frontmatter
 * (src/lib/content/read.ts); the endpoint then finds each in the cache. Invalid content stops
 * the build here, every problem with its file, line and field, read in the project's one YAML
 * dialect (Astro's own reader would take `publishDate: 2027-13-05` as 2028-01-05).
 */
async function warmPublicCards(): Promise<void> {
  const { readContent } = await import('../../lib/content/read.ts');
  const { publicCards } = await import('../../lib/og/public-cards.ts');
  const { warmCards } = await import('../../lib/og/pool.ts');
  const { siteSettings } = await import('../../lib/site.ts');
  const content = readContent(process.env.AIRCOVER_CONTENT_DIR ?? 'content');
  if (content.problems.length > 0) {
    const { formatProblem } = await import('../../lib/campaign/problems.ts');
    for (const p of content.problems) out.error(formatProblem(p));
    throw new CliError(
      `Build failed: ${content.problems.length} problem${content.problems.length === 1 ? '' : 's'} in the content (listed above).`,
      ExitCode.failure,
      { code: 'content', result: { problems: content.problems } },
    );
  }
  const cards = publicCards({
    site: siteSettings(),
    papers: [...content.whitepapers.values()],
    posts: [...content.blog.values()],
    webinars: [...content.webinars.values()],
    authors: [...content.authors.values()],
  });
  const started = performance.now();
  const drawn = await warmCards(cards.map((card) => card.content));
  if (drawn > 0)
    out.info(`Drew ${drawn} page cards in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
