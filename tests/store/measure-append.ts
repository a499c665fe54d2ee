// Measures appendEvents throughput per batch size on each engine and prints JSON.
// Run: npx node tests/store/measure-append.ts [postgres-url]
// (Not a test: numbers on two shared cores are noisy; read them as ratios.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type EventInput, type OpenStoreOptions, openStore } from '../../src/lib/store/index.ts';

const pgUrl = process.argv[2] ?? process.env.AIRCOVER_TEST_DATABASE_URL;
const dir = mkdtempSync(join(tmpdir(), 'aircover-measure-'));
const schema = `aircover_measure_${process.pid}`;
const targets: [string, OpenStoreOptions][] = [['sqlite', { url: `sqlite:${join(dir, 'm.sqlite')}` }]];
if (pgUrl) targets.push(['postgres', { url: pgUrl, schema }]);

const event = (i: number): EventInput => ({
  campaign: 'bench',
  partnerId: `p${i % 500}`,
  touch: 'invite',
  type: 'visible_time',
  source: 'page',
  occurredAt: new Date(),
  verdict: 'human',
  verdictReason: 'visible 12s, focused',
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/140 Safari/537.36',
  ipHash: 'h:3f9a0c1e',
  metadata: { ms: 12000, section: 'findings', depth: 0.6 },
});

const results: Record<string, unknown>[] = [];
try {
  for (const [engine, options] of targets) {
    const store = await openStore(options);
    try {
      for (const batch of [1, 10, 100, 1000]) {
        const total = Math.min(10_000, batch * 1000);
        // Median of three runs: the machine is shared, single runs swing by 2x.
        const rates: number[] = [];
        for (let run = 0; run < 3; run++) {
          const started = performance.now();
          for (let i = 0; i < total; i += batch) {
            await store.appendEvents(Array.from({ length: batch }, (_, j) => event(i + j)));
          }
          rates.push(total / ((performance.now() - started) / 1000));
        }
        rates.sort((a, b) => a - b);
        results.push({
          engine,
          batch,
          events: total,
          rowsPerSecond: Math.round(rates[1] as number),
          min: Math.round(rates[0] as number),
          max: Math.round(rates[2] as number),
        });
      }
    } finally {
      await store.close();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  if (pgUrl) {
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
}
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
