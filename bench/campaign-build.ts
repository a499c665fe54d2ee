#!/usr/bin/env node
/**
 * Building synthetic campaigns of 1,000 and 10,000 partners (personal pages and cards; the
 * sample campaign's touches): a cold build, a rebuild with nothing changed, a rebuild after one
 * partner row changed, a rebuild after one post's text changed (Astro runs; the partner pages
 * stay cached), and peak memory, against Astro building the same number of plain pages from one
 * template in the same run. Prints JSON with the ratios and the goals.
 *
 *   npm run bench -- campaign-build [--sizes 1000,10000]
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import {
  aircoverCli,
  benchDir,
  benchSecret,
  buildPlainPages,
  editPost,
  numberListArg,
  printJson,
  projectRoot,
  round,
  timeNodeOutput,
} from './lib.ts';

const sizes = numberListArg('sizes', [1000, 10000]);
const work = benchDir('campaign-build');
/** Goals of issue 14, as ratios to plain Astro building as many pages. */
const GOAL = { warm: 1.5, cold: 3 };

/** The sample campaign with n partners, cycling through the sample rows with new ids. */
function syntheticCampaign(n: number, changed = false): string {
  const root = join(work, `campaigns-${n}`);
  const dir = join(root, 'bench');
  if (!changed) {
    rmSync(root, { recursive: true, force: true });
    cpSync(join(projectRoot, 'campaigns', 'sample'), dir, { recursive: true });
  }
  const rows = parse(readFileSync(join(projectRoot, 'campaigns', 'sample', 'partners.csv')), {
    columns: true,
    bom: true,
  }) as Record<string, string>[];
  // Hostile and RTL rows stay in: they are part of what a build must handle.
  const partners = Array.from({ length: n }, (_, i) => {
    const row = rows[i % rows.length] as Record<string, string>;
    const company = changed && i === 0 ? `${row.company} Renamed` : `${row.company} ${i}`;
    return { ...row, id: `p${i}`, email: `partner${i}@bench.example.com`, company };
  });
  writeFileSync(join(dir, 'partners.csv'), stringify(partners, { header: true }));
  return root;
}

async function build(name: string, campaignsDir: string) {
  const { measured, output } = await timeNodeOutput([aircoverCli, 'build'], {
    AIRCOVER_SECRET: benchSecret,
    AIRCOVER_CAMPAIGNS_DIR: campaignsDir,
    AIRCOVER_CONTENT_DIR: content,
    AIRCOVER_OUT_DIR: join(work, `out-${name}`),
    AIRCOVER_STATE_DIR: join(work, `state-${name}`),
  });
  // What the build says it did: pages rendered (not taken from the page cache), cards drawn.
  // The pages it rendered, including any a changed cached page made it render again.
  const rendered = Number(/Rendered (\d+) partner pages?/.exec(output)?.[1] ?? 0);
  const drawn = Number(/Drew (\d+) cards/.exec(output)?.[1] ?? 0);
  // Nothing changed at all: the build says so and runs no Astro.
  const upToDate = /Up to date/.test(output);
  return { ...measured, partnerPagesRendered: rendered, cardsDrawn: drawn, upToDate };
}

// From scratch: an earlier run's caches would make the cold build warm.
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
// The sample content, copied so a post's text can change.
const content = join(work, 'content');
cpSync(join(projectRoot, 'content'), content, { recursive: true });
const rows: Record<string, unknown>[] = [];
for (const n of sizes) {
  const campaigns = syntheticCampaign(n);
  const cold = await build(`partners-${n}`, campaigns);
  const warm = await build(`partners-${n}`, campaigns);
  syntheticCampaign(n, true);
  const oneRow = await build(`partners-${n}`, campaigns);
  editPost(content);
  const postText = await build(`partners-${n}`, campaigns);
  const plain = await buildPlainPages(work, n);
  const ratio = (seconds: number) => round(seconds / plain.seconds, 2);
  rows.push({
    partners: n,
    loadavg: loadavg().map((l) => round(l, 2)),
    cold,
    warmNothingChanged: warm,
    warmOneRowChanged: oneRow,
    warmPostTextEdited: postText,
    plainAstro: plain,
    ratio: {
      cold: ratio(cold.seconds),
      warm: ratio(warm.seconds),
      oneRowChanged: ratio(oneRow.seconds),
      postTextEdited: ratio(postText.seconds),
    },
    goals: {
      [`cold ≤ ${GOAL.cold}× plain`]: ratio(cold.seconds) <= GOAL.cold,
      [`warm ≤ ${GOAL.warm}× plain`]: ratio(warm.seconds) <= GOAL.warm,
      [`one row changed ≤ ${GOAL.warm}× plain`]: ratio(oneRow.seconds) <= GOAL.warm,
      // Cards are drawn once per content hash: any the cold build left to the server are
      // drawn by a later build (beside Astro) or on first request, never drawn again.
      'nothing changed renders no page': warm.partnerPagesRendered === 0,
      'one row changed renders one page': oneRow.partnerPagesRendered === 1,
      [`a post's text edited ≤ ${GOAL.warm}× plain`]: ratio(postText.seconds) <= GOAL.warm,
      "a post's text edited renders no partner page": postText.partnerPagesRendered === 0,
    },
  });
}
rmSync(work, { recursive: true, force: true });
const goals = rows.map((row) => Object.values(row.goals as Record<string, boolean>).every(Boolean));
printJson({ bench: 'campaign-build', node: process.version, sizes: rows, allGoalsMet: goals.every(Boolean) });
