#!/usr/bin/env node
/**
 * Build time of the sample site, and the per-page cost of N synthetic blog posts (100 and
 * 1,000 by default), against Astro building the same number of plain pages from one
 * template in the same run. Prints JSON.
 *
 *   npx node bench/site-build.ts [--sizes 100,1000]
 */
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  aircoverCli,
  benchDir,
  benchSecret,
  buildPlainPages,
  type Measured,
  numberListArg,
  printJson,
  projectRoot,
  round,
  timeNode,
} from './lib.ts';

const sizes = numberListArg('sizes', [100, 1000]);
const work = benchDir('site-build');

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
async function buildAircover(name: string, env: Record<string, string>): Promise<Measured> {
  return timeNode([aircoverCli, 'build'], {
    AIRCOVER_SECRET: benchSecret,
    AIRCOVER_OUT_DIR: join(work, `out-${name}`),
    AIRCOVER_STATE_DIR: join(work, `state-${name}`),
    ...env,
  });
}

mkdirSync(work, { recursive: true });
const sample = await buildAircover('sample', {});
const rows: { posts: number; aircoverCold: Measured; aircoverWarm: Measured; plainAstro: Measured }[] = [];
for (const n of sizes) {
  const { content, campaigns } = syntheticContent(n);
  const env = { AIRCOVER_CONTENT_DIR: content, AIRCOVER_CAMPAIGNS_DIR: campaigns };
  const cold = await buildAircover(`posts-${n}`, env);
  const warm = await buildAircover(`posts-${n}`, env);
  const plain = await buildPlainPages(work, n);
  rows.push({ posts: n, aircoverCold: cold, aircoverWarm: warm, plainAstro: plain });
}
// Marginal cost of one more page: the slope between the smallest and the largest size.
const first = rows[0];
const last = rows[rows.length - 1];
const slope = (pick: (row: (typeof rows)[number]) => Measured) =>
  first && last && last !== first
    ? round(((pick(last).seconds - pick(first).seconds) * 1000) / (last.posts - first.posts), 2)
    : null;
rmSync(work, { recursive: true, force: true });
printJson({
  bench: 'site-build',
  node: process.version,
  sample,
  sizes: rows,
  msPerPage: {
    aircoverCold: slope((r) => r.aircoverCold),
    aircoverWarm: slope((r) => r.aircoverWarm),
    plainAstro: slope((r) => r.plainAstro),
  },
});
