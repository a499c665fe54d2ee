#!/usr/bin/env node
/**
 * `npm run bench -- <name> [args]` runs one benchmark; without a name, lists them. Each bench
 * prints JSON and measures a baseline in the same run (see the header of each file).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = import.meta.dirname;
const benches = readdirSync(dir)
  .filter((file) => file.endsWith('.ts') && !['run.ts', 'lib.ts'].includes(file))
  .map((file) => file.slice(0, -3))
  .sort();

const [name, ...args] = process.argv.slice(2);
if (!name) {
  process.stdout.write('Benchmarks (npm run bench -- <name> [args]):\n');
  for (const bench of benches) {
    // The first sentence of each file's header comment says what it measures.
    const header =
      /\/\*\*\s*\n\s*\*\s*([^\n]*)/.exec(readFileSync(join(dir, `${bench}.ts`), 'utf8'))?.[1] ?? '';
    process.stdout.write(`  ${bench.padEnd(16)} ${header}\n`);
  }
  process.exit(0);
}
const file = join(dir, `${name}.ts`);
if (!existsSync(file)) {
  process.stderr.write(`No benchmark "${name}"; there are: ${benches.join(', ')}\n`);
  process.exit(2);
}
const result = spawnSync(process.execPath, [file, ...args], { stdio: 'inherit' });
process.exit(result.status ?? 1);
