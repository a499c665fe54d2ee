#!/usr/bin/env node
/**
 * Building synthetic campaigns of 1,000 and 10,000 partners (personal pages and cards; the
 * sample campaign's touches): cold build, per-partner cost, warm rebuild with nothing
 * changed, peak memory, against Astro building the same number of plain pages from one
 * template in the same run. Also times the preflight, which renders every email. JSON out.
 *
 *   npx node bench/campaign-build.ts [--sizes 1000,10000]
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
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

const sizes = numberListArg('sizes', [1000, 10000]);
const work = benchDir('campaign-build');

/** The sample campaign with n partners, cycling through the sample rows with new ids. */
function syntheticCampaign(n: number): string {
  const root = join(work, `campaigns-${n}`);
  const dir = join(root, 'bench');
  rmSync(root, { recursive: true, force: true });
  cpSync(join(projectRoot, 'campaigns', 'sample'), dir, { recursive: true });
  const rows = parse(readFileSync(join(dir, 'partners.csv')), { columns: true, bom: true }) as Record<
    string,
    string
  >[];
  // Hostile and RTL rows stay in: they are part of what a build must handle.
  const partners = Array.from({ length: n }, (_, i) => {
    const row = rows[i % rows.length] as Record<string, string>;
    return { ...row, id: `p${i}`, email: `partner${i}@bench.example.com`, company: `${row.company} ${i}` };
  });
  writeFileSync(join(dir, 'partners.csv'), stringify(partners, { header: true }));
  return root;
}

async function build(name: string, campaignsDir: string): Promise<Measured> {
  return timeNode([aircoverCli, 'build'], {
    AIRCOVER_SECRET: benchSecret,
    AIRCOVER_CAMPAIGNS_DIR: campaignsDir,
    AIRCOVER_OUT_DIR: join(work, `out-${name}`),
    AIRCOVER_STATE_DIR: join(work, `state-${name}`),
  });
}

mkdirSync(work, { recursive: true });
const rows: Record<string, unknown>[] = [];
for (const n of sizes) {
  const campaigns = syntheticCampaign(n);
  const preflight = await timeNode([aircoverCli, 'check', 'bench', '--campaignsDir', campaigns], {
    AIRCOVER_SECRET: benchSecret,
  });
  const cold = await build(`partners-${n}`, campaigns);
  const warm = await build(`partners-${n}`, campaigns);
  const plain = await buildPlainPages(work, n);
  rows.push({
    partners: n,
    preflightRendersEveryEmail: preflight,
    cold,
    warmRebuild: warm,
    plainAstro: plain,
    coldMsPerPartner: round((cold.seconds * 1000) / n, 2),
    warmMsPerPartner: round((warm.seconds * 1000) / n, 2),
    plainMsPerPage: round((plain.seconds * 1000) / n, 2),
  });
}
rmSync(work, { recursive: true, force: true });
printJson({ bench: 'campaign-build', node: process.version, sizes: rows });
