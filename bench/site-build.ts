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
import { aircoverCli, astroCli, type Measured, printJson, projectRoot, round, timeNode } from './lib.ts';

const sizesArg = process.argv.indexOf('--sizes');
const sizes = (sizesArg > 0 ? (process.argv[sizesArg + 1] ?? '') : '100,1000').split(',').map(Number);
const work = join(projectRoot, '.aircover', 'bench', 'site-build');
const secret = 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz';

/** A minimal Astro project: one template, `getStaticPaths` returning n plain pages. */
function plainProject(n: number): string {
  const dir = join(work, `plain-${n}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'src', 'pages'), { recursive: true });
  writeFileSync(join(dir, 'astro.config.mjs'), 'export default { devToolbar: { enabled: false } };\n');
  writeFileSync(
    join(dir, 'src', 'pages', '[n].astro'),
    `---
export function getStaticPaths() {
  return Array.from({ length: ${n} }, (_, i) => ({ params: { n: String(i) } }));
}
const { n } = Astro.params;
---
<html lang="en"><head><title>Page {n}</title></head><body><h1>Page {n}</h1><p>Plain page number {n}.</p></body></html>
`,
  );
  return dir;
}

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

async function buildAircover(name: string, env: Record<string, string>): Promise<Measured> {
  return timeNode([aircoverCli, 'build'], {
    AIRCOVER_SECRET: secret,
    AIRCOVER_OUT_DIR: join(work, `out-${name}`),
    ...env,
  });
}

async function buildPlain(n: number): Promise<Measured> {
  const dir = plainProject(n);
  return timeNode([astroCli, 'build', '--root', dir, '--silent']);
}

mkdirSync(work, { recursive: true });
const sample = await buildAircover('sample', {});
const rows = [];
for (const n of sizes) {
  const { content, campaigns } = syntheticContent(n);
  const site = await buildAircover(`posts-${n}`, {
    AIRCOVER_CONTENT_DIR: content,
    AIRCOVER_CAMPAIGNS_DIR: campaigns,
  });
  const plain = await buildPlain(n);
  rows.push({
    posts: n,
    aircover: site,
    plainAstro: plain,
    // Marginal cost per page over the sample build, against the plain template's whole-build cost per page.
    aircoverMsPerPost: round(((site.seconds - sample.seconds) * 1000) / n, 2),
    plainMsPerPage: round((plain.seconds * 1000) / n, 2),
    ratio: round(site.seconds / plain.seconds, 2),
  });
}
rmSync(work, { recursive: true, force: true });
printJson({ bench: 'site-build', node: process.version, sample, sizes: rows });
