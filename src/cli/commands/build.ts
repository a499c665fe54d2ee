import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { defineCommand } from 'citty';
import type { PartnerPage } from '../../lib/campaign/site.ts';
import type { ContentIndex } from '../../lib/content/read.ts';
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
    fresh: {
      type: 'boolean',
      description: 'Render every partner page again, ignoring the page cache',
      default: false,
    },
    allCards: {
      type: 'boolean',
      description:
        'Wait for every partner card, for a host that serves the files alone (else the server draws the rest on first request)',
      default: false,
    },
    verbose: { type: 'boolean', description: "Show Astro's own progress and warnings", default: false },
  },
  async run({ args }) {
    await buildSite(args.outDir, { verbose: args.verbose, fresh: args.fresh, allCards: args.allCards });
  },
});

/** After Astro, cards still to draw are waited for up to this many (about 2 s on two cores). */
const WAIT_FOR_AT_MOST = 100;

interface PlacedCard {
  content: CardContent;
  /** Where the card goes, relative to the output's client folder. */
  path: string;
}

export async function buildSite(
  outDir: string,
  options: { verbose?: boolean; fresh?: boolean; allCards?: boolean } = {},
): Promise<void> {
  if (!outDir || typeof outDir !== 'string')
    throw new CliError('--outDir needs a folder name', ExitCode.usage);
  process.env.ASTRO_TELEMETRY_DISABLED = '1';
  process.env.AIRCOVER_OUT_DIR = outDir;
  // No real secret, no build: the pages' links are signed with it (secret.ts refuses a missing
  // one in production and an empty or short one everywhere).
  getSecret();
  const started = performance.now();
  out.info('Building the site…');
  const stateDir = process.env.AIRCOVER_STATE_DIR ?? '.aircover';
  const contentDir = process.env.AIRCOVER_CONTENT_DIR ?? 'content';
  // Loaded after the first line of output: campaigns, cards and Astro are heavy.
  const { withLock } = await import('../../lib/lock.ts');
  const { placeCards, warmCards } = await import('../../lib/og/pool.ts');
  const { astroCacheDir } = await import('../../lib/build/astro-cache.ts');
  const { buildFingerprints } = await import('../../lib/build/fingerprint.ts');
  const { cachedPageFile, pageCacheDir, planPages, settlePages } = await import(
    '../../lib/build/page-cache.ts'
  );
  const { renderPartnerPages } = await import('../../lib/build/partner-render.ts');
  const { cachedCardFile, cardHash } = await import('../../lib/og/card.ts');
  const { writePartnerCardManifest } = await import('../../lib/og/partner-cards.ts');
  const { siteCampaigns } = await import('../../lib/campaign/site.ts');
  const { pruneCards } = await import('../../lib/og/prune.ts');
  const {
    cardsInUse,
    contentTimeState,
    forgetStamp,
    isUpToDate,
    serverIsCurrent,
    serverKey,
    siteKey,
    stampBuild,
  } = await import('../../lib/build/up-to-date.ts');
  // Both refuse invalid content or campaigns here, before anything is drawn or built.
  const { cards: pageCards, content } = await publicCards(contentDir);
  const pages = await partnerPages();
  const partnerCardList = await partnerCards(pages);
  const cards = [...pageCards, ...partnerCardList];

  // Loaded and checked already by partnerPages() above.
  const fingerprints = buildFingerprints({
    projectRoot: process.cwd(),
    contentDir,
    campaigns: siteCampaigns(),
  });
  const shared = fingerprints.site;
  const { campaignsDir } = await import('../../lib/campaign/site.ts');
  const plan = planPages(pages, fingerprints.partnerPages, {
    dir: pageCacheDir(campaignsDir(), stateDir),
    fresh: options.fresh === true,
  });
  if (pages.length > 0)
    out.info(
      `Partner pages: ${plan.render.length} to render, ${plan.cached.length} unchanged (from the page cache)`,
    );
  const timeState = contentTimeState(content);
  const site = siteKey({ shared, timeState, pageKeys: plan.keys.values() });
  const server = serverKey({ shared, timeState });
  if (!options.fresh && !options.allCards && isUpToDate(outDir, stateDir, site)) {
    out.success(`Up to date: nothing changed since the last build of ${outDir}/, so nothing was rendered`);
    return;
  }
  // Only partner rows changed since the last build, whose output is untouched: its server
  // renders the changed pages into it, and Astro does not run.
  const pagesOnly = !options.fresh && pages.length > 0 && serverIsCurrent(outDir, stateDir, server);
  if (pagesOnly)
    out.info(`Only partner rows changed: the last build's server renders their pages; Astro does not run`);

  // The cards are drawn in worker threads while Astro builds the pages (Astro no longer draws
  // any: AIRCOVER_CARDS_PLACED), and placed after it. Only the missing ones are drawn: the
  // public pages' first, then those of the partner pages this build renders. A missing card of
  // an unchanged page (one an earlier build left to the server) stays the server's.
  const rendering = new Set(plan.render.map((page) => page.token));
  const toDraw = options.allCards
    ? cards
    : [...pageCards, ...partnerCardList.filter((_, i) => rendering.has((pages[i] as PartnerPage).token))];
  const drawStarted = performance.now();
  let lastReport = 0;
  const stopDrawing = new AbortController();
  const drawing = warmCards(
    toDraw.map((card) => card.content),
    {
      // One core stays Astro's: its rendering runs on one thread, and the pages are what the
      // build waits for.
      threads: Math.max(1, availableParallelism() - 1),
      signal: stopDrawing.signal,
      onProgress: (done, total) => {
        const now = performance.now();
        if (done === total || now - lastReport > 5000) {
          lastReport = now;
          out.info(`Drawing cards: ${done}/${total}`);
        }
      },
    },
  ).then(
    (drawn) => ({ drawn, seconds: (performance.now() - drawStarted) / 1000 }),
    (error: unknown) => ({ error }),
  );

  Object.assign(process.env, {
    AIRCOVER_ASTRO_CACHE_DIR: astroCacheDir(contentDir, stateDir),
    AIRCOVER_CARDS_PLACED: '1',
  });
  const client = join(outDir, 'client');
  const missing = (list: PlacedCard[]) => list.filter((card) => !existsSync(cachedCardFile(card.content)));
  // Builds of one project share its .astro folder (types, content modules) and may share an
  // output: one at a time, from the first change to the output to its stamp.
  await withLock(
    resolve('.aircover', 'build.lock'),
    async () => {
      // A build that stops midway leaves no stamp, so the next one starts over.
      forgetStamp(outDir, stateDir);
      if (!pagesOnly) {
        await astroBuild(outDir, options.verbose === true);
        await confirmCachedPages();
      }
      await renderPages();
      await settlePages(plan, client);
      await finishCards();
      // The next build with nothing changed has nothing to do (cards left to the server included).
      stampBuild(
        outDir,
        stateDir,
        site,
        server,
        cards.map((card) => cardHash(card.content)),
      );
      const pruned = await pruneCards(cardsInUse(stateDir));
      if (pruned > 0) out.info(`Deleted ${pruned} cached cards no build uses any more`);
    },
    { onWait: () => out.info('Another build of this project is running; waiting for it to finish…') },
  );
  out.success(`Built into ${outDir}/ in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  /**
   * The page cache's key leaves out the content's text (fingerprints.partnerPages), so after a
   * change to it Astro has built a new server whose pages should come out the same. One cached
   * page per campaign is rendered again and compared; if any differs, every page renders.
   */
  async function confirmCachedPages(): Promise<void> {
    const samples = [...new Map(plan.cached.map((page) => [page.campaign.id, page])).values()];
    if (samples.length === 0) return;
    const dir = mkdtempSync(join(plan.dir, '..', 'confirm-'));
    try {
      const jobs = samples.map((page, i) => ({ page, file: join(dir, `${i}.html`) }));
      await renderPartnerPages(outDir, jobs, { threads: 1 });
      for (const { page, file } of jobs) {
        if (readFileSync(file).equals(readFileSync(cachedPageFile(plan, page)))) continue;
        out.info(
          `The partner pages come out different from the cached ones (campaign ${page.campaign.id}): rendering all ${plan.cached.length + plan.render.length}`,
        );
        plan.render.push(...plan.cached);
        plan.cached = [];
        return;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  async function renderPages(): Promise<void> {
    const renderStarted = performance.now();
    let lastPagesReport = renderStarted;
    // Cards that will be left to the server anyway (more than a build waits for) give their
    // thread to the pages, which the build does wait for. The public cards still to draw are
    // drawn after (finishCards). Fewer missing now means fewer still after the pages: this is
    // the one place that decides.
    const manyCards = !options.allCards && missing(toDraw).length > WAIT_FOR_AT_MOST;
    if (manyCards) stopDrawing.abort();
    try {
      await renderPartnerPages(
        outDir,
        plan.render.map((page) => ({
          page,
          file: cachedPageFile(plan, page),
        })),
        {
          threads: manyCards ? availableParallelism() : 1,
          onProgress: (done, total) => {
            const now = performance.now();
            if (done < total && now - lastPagesReport > 5000) {
              lastPagesReport = now;
              out.info(`Rendering partner pages: ${done}/${total}`);
            }
          },
        },
      );
    } catch (error) {
      throw new CliError(
        `Rendering the partner pages failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const count = plan.render.length;
    if (count > 0)
      out.info(
        `Rendered ${count} partner page${count === 1 ? '' : 's'} in ${((performance.now() - renderStarted) / 1000).toFixed(1)} s`,
      );
  }

  async function finishCards(): Promise<void> {
    // The pages are done. A few cards still to draw are waited for; many partner cards are left to
    // the server, which draws each on its first request (src/lib/og/partner-cards.ts): drawing
    // 10,000 takes minutes of CPU, far more than the pages. The public pages' cards, first in
    // the queue, are always waited for: a static host serves them without the server.
    const drawn = await drawing;
    if ('error' in drawn)
      throw new CliError(
        `Drawing the cards failed: ${drawn.error instanceof Error ? drawn.error.message : String(drawn.error)}`,
      );
    const drawnAfter = await warmCards(missing(pageCards).map((card) => card.content));
    if (drawn.drawn + drawnAfter > 0)
      out.info(`Drew ${drawn.drawn + drawnAfter} cards in ${drawn.seconds.toFixed(1)} s, beside Astro`);
    const left = new Set(missing(cards));
    if (left.size > 0)
      out.info(`${left.size} partner cards left to draw: the server draws each on its first request`);
    recordBuildSecret(outDir);
    if (pages.length > 0)
      writePartnerCardManifest(
        outDir,
        Object.fromEntries(pages.map((page, i) => [page.token, (partnerCardList[i] as PlacedCard).content])),
      );
    await placeCards(
      cards
        .filter((card) => !left.has(card))
        .map(({ content, path }) => ({ content, to: join(client, path) })),
    );
  }
}

/** Astro builds the site and the server into an emptied output folder. */
async function astroBuild(outDir: string, verbose: boolean): Promise<void> {
  const { clearOutputAside } = await import('../../lib/build/page-cache.ts');
  const { forgetGeneratedContentModules } = await import('../../lib/build/astro-cache.ts');
  const { build } = await import('astro');
  try {
    const clearing = clearOutputAside(outDir);
    forgetGeneratedContentModules(process.cwd());
    // Astro's warn level is mostly bundler notes about its own modules; errors always show.
    await build({ root: process.cwd(), logLevel: verbose ? 'info' : 'error' });
    await clearing;
  } catch (error) {
    // Astro's errors already name the file and the field; keep them, drop our stack.
    throw new CliError(`Build failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Every partner page of every campaign; campaign errors stop the build, with the full list. */
async function partnerPages(): Promise<PartnerPage[]> {
  const { partnerPages } = await import('../../lib/campaign/site.ts');
  try {
    return partnerPages();
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error));
  }
}

/** Each partner page's card ("Prepared for <company>"), at /og/p/<token>.png. */
async function partnerCards(pages: PartnerPage[]): Promise<PlacedCard[]> {
  if (pages.length === 0) return [];
  const { partnerCard } = await import('../../lib/campaign/site.ts');
  const { siteSettings } = await import('../../lib/site.ts');
  const siteName = siteSettings().name;
  return pages.map((page) => ({
    path: join('og', 'p', `${page.token}.png`),
    content: partnerCard(page, siteName),
  }));
}

/**
 * The public pages' cards, from the content's frontmatter (src/lib/content/read.ts). Invalid
 * content stops the build here, every problem with its file, line and field, read in the
 * project's one YAML dialect (Astro's own reader would take `publishDate: 2027-13-05` as
 * 2028-01-05).
 */
async function publicCards(contentDir: string): Promise<{ cards: PlacedCard[]; content: ContentIndex }> {
  const { readContent } = await import('../../lib/content/read.ts');
  const { publicCards } = await import('../../lib/og/public-cards.ts');
  const { siteSettings } = await import('../../lib/site.ts');
  const content = readContent(contentDir);
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
  }).map((card) => ({ path: join('og', `${card.path}.png`), content: card.content }));
  return { cards, content };
}
