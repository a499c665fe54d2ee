#!/usr/bin/env node
/**
 * Build time of the sample site (cold, rebuilt with nothing changed, rebuilt after one post
 * changed), and of the sample plus N synthetic blog posts (100 and 1,000 by default; cold,
 * then one post changed), against Astro building as many plain pages from one
 * template in the same run, and against Astro alone building this project (the floor of its
 * Astro features). Prints JSON with the ratios and the goal.
 *
 *   npm run bench -- site-build [--sizes 100,1000]
 */
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import {
  aircoverCli,
  astroCli,
  benchDir,
  benchSecret,
  buildPlainPages,
  editPost,
  type Measured,
  numberListArg,
  printJson,
  projectRoot,
  round,
  timeNode,
} from './lib.ts';

const sizes = numberListArg('sizes', [100, 1000]);
const work = benchDir('site-build');
/** Issue 14: the sample site builds in at most 1.5× plain Astro's time for as many pages. */
const GOAL_SAMPLE = 1.5;

/** The sample content plus n generated posts, with no campaigns. */
function syntheticContent(n: number): { content: string; campaigns: string } {
  const content = join(work, `content-${n}`);
  const campaigns = join(work, 'no-campaigns');
  rmSync(content, { recursive: true, force: true });
  cpSync(join(projectRoot, 'content'), content, { recursive: true });
  mkdirSync(campaigns, { recursive: true });
  for (let i = 0; i < n; i++) {
    writeFileSync(
      join(content, 'blog', `synthetic-${i}.md`),
      `---
title: Synthetic post ${i}
description: A generated post that measures what one more page costs to build.
publishDate: 2026-01-${String((i % 28) + 1).padStart(2, '0')}
authors: [maren-holt]
tags: [bench]
---

## Section one

Paragraph ${i} with **some emphasis** and a [link](/whitepapers/).

## Section two

- a list item
- another list item
`,
    );
  }
  return { content, campaigns };
}

/** Builds with a state folder of its own, so the card cache starts cold and the rebuild is warm. */
async function buildAircover(
  name: string,
  env: Record<string, string>,
): Promise<Measured & { pages: number }> {
  const out = join(work, `out-${name}`);
  const measured = await timeNode([aircoverCli, 'build'], {
    AIRCOVER_SECRET: benchSecret,
    AIRCOVER_OUT_DIR: out,
    AIRCOVER_STATE_DIR: join(work, `state-${name}`),
    ...env,
  });
  // The pages Astro built (HTML, feeds, robots), so the baseline builds as many.
  const pages = readdirSync(join(out, 'client'), { recursive: true, encoding: 'utf8' }).filter((file) =>
    /\.(html|xml|txt)$/.test(file),
  ).length;
  return { ...measured, pages };
}

const ratio = (a: Measured, b: Measured) => round(a.seconds / b.seconds, 2);

/**
 * Astro alone building this project (`astro build`, no aircover around it), with caches of its
 * own: the floor of what this project's Astro features cost (MDX, the content layer, the Node
 * adapter's server bundle), whatever aircover does around them. It draws the public cards
 * itself, through the card endpoint, and renders no partner page (those are aircover's).
 */
async function buildAstroAlone(name: string, env: Record<string, string>): Promise<Measured> {
  return timeNode([astroCli, 'build', '--root', projectRoot, '--silent'], {
    AIRCOVER_SECRET: benchSecret,
    ASTRO_TELEMETRY_DISABLED: '1',
    AIRCOVER_OUT_DIR: join(work, `out-astro-${name}`),
    AIRCOVER_ASTRO_CACHE_DIR: join(work, `astro-cache-${name}`),
    ...env,
  });
}

// From scratch: an earlier run's caches would make the cold build warm.
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
// The sample site: its content and campaigns, copied so one post can change.
const sampleContent = join(work, 'content-sample');
const sampleCampaigns = join(work, 'campaigns-sample');
cpSync(join(projectRoot, 'content'), sampleContent, { recursive: true });
cpSync(join(projectRoot, 'campaigns'), sampleCampaigns, { recursive: true });
const sampleEnv = { AIRCOVER_CONTENT_DIR: sampleContent, AIRCOVER_CAMPAIGNS_DIR: sampleCampaigns };
const sampleCold = await buildAircover('sample', sampleEnv);
const sampleUnchanged = await buildAircover('sample', sampleEnv);
editPost(sampleContent);
const sampleEdited = await buildAircover('sample', sampleEnv);
const samplePlain = await buildPlainPages(work, sampleCold.pages);
// The same edit again, for Astro alone: cold, then one post edited.
const astroContent = join(work, 'content-astro');
cpSync(join(projectRoot, 'content'), astroContent, { recursive: true });
const astroEnv = { AIRCOVER_CONTENT_DIR: astroContent, AIRCOVER_CAMPAIGNS_DIR: sampleCampaigns };
const astroCold = await buildAstroAlone('sample', astroEnv);
editPost(astroContent);
const astroEdited = await buildAstroAlone('sample', astroEnv);
const rows: Record<string, unknown>[] = [];
for (const n of sizes) {
  const { content, campaigns } = syntheticContent(n);
  const env = { AIRCOVER_CONTENT_DIR: content, AIRCOVER_CAMPAIGNS_DIR: campaigns };
  const cold = await buildAircover(`posts-${n}`, env);
  editPost(content);
  const edited = await buildAircover(`posts-${n}`, env);
  const plain = await buildPlainPages(work, cold.pages);
  rows.push({
    posts: n,
    aircoverCold: cold,
    aircoverOnePostEdited: edited,
    plainAstro: plain,
    ratio: { cold: ratio(cold, plain), onePostEdited: ratio(edited, plain) },
  });
}
rmSync(work, { recursive: true, force: true });
const goal = GOAL_SAMPLE;
const goals = {
  [`cold ≤ ${goal}× plain`]: ratio(sampleCold, samplePlain) <= goal,
  [`one post edited ≤ ${goal}× plain`]: ratio(sampleEdited, samplePlain) <= goal,
  [`nothing changed ≤ ${goal}× plain`]: ratio(sampleUnchanged, samplePlain) <= goal,
};
printJson({
  bench: 'site-build',
  node: process.version,
  loadavg: loadavg().map((l) => round(l, 2)),
  sample: {
    pages: sampleCold.pages,
    cold: sampleCold,
    nothingChanged: sampleUnchanged,
    onePostEdited: sampleEdited,
    plainAstroSamePages: samplePlain,
    astroAloneThisProject: { cold: astroCold, onePostEdited: astroEdited },
    ratio: {
      cold: ratio(sampleCold, samplePlain),
      nothingChanged: ratio(sampleUnchanged, samplePlain),
      onePostEdited: ratio(sampleEdited, samplePlain),
    },
    // What aircover adds over Astro's own build of this project.
    ratioToAstroAlone: {
      cold: ratio(sampleCold, astroCold),
      onePostEdited: ratio(sampleEdited, astroEdited),
    },
    goals,
  },
  sizes: rows,
  allGoalsMet: Object.values(goals).every(Boolean),
});
