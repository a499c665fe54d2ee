#!/usr/bin/env node
/**
 * Paying for what you ask: `aircover check` and `aircover send --touch X --dry-run` on 500 partners
 * × 9 touches (the sample's templates), through the real CLI, in turn in the same run. Measures a
 * full check with an empty cache (the baseline), a second check with nothing changed, and a dry-run
 * send of one touch with an empty cache (the goal's figure) and right after a check (the cache
 * warm, the usual order); and the peak memory of a full check at a quarter of the
 * partners, to see it stay flat. Goals: the send ≤ 0.3× the check, the second check ≤ 0.2× the
 * first, peak memory at 4× the partners ≤ 1.25× (the preflight keeps counts, not messages); beside
 * the peak, the smallest old generation a check completes in at both sizes (its live set). JSON out.
 *
 *   npm run bench -- preflight [--partners 500] [--rounds 3]
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { makeFixture } from '../tests/send/fixture.ts';
import { aircoverCli, type Measured, numberArg, printJson, round, timeNode } from './lib.ts';

const PARTNERS = numberArg('partners', 500);
const ROUNDS = numberArg('rounds', 3);
const touches = [
  'advance-notice',
  'announce',
  'webinar-invite',
  'follow-up',
  'referrer-nudge',
  'reminder',
  'reminder-hour',
  'recording',
  'thanks',
];

function cli(fixture: ReturnType<typeof makeFixture>) {
  const cache = join(fixture.env.AIRCOVER_STATE_DIR as string, 'cache', 'preflight');
  const run = (args: string[], cold: boolean): Promise<Measured> => {
    if (cold) rmSync(cache, { recursive: true, force: true });
    return timeNode([aircoverCli, ...args], fixture.env);
  };
  return {
    check: (cold: boolean) => run(['check', fixture.campaign], cold),
    send: (cold = true) => run(['send', fixture.campaign, '--touch', 'advance-notice', '--dry-run'], cold),
  };
}

/**
 * The smallest old generation (MB) a full check completes in, by bisection: a bound on its live
 * set, which peak RSS blurs with V8's heap sizing. A run that runs out of heap dies by a signal or
 * says so; a check that finds problems still exits 1 and counts as completed.
 */
function smallestHeap(fixture: ReturnType<typeof makeFixture>): number {
  const cache = join(fixture.env.AIRCOVER_STATE_DIR as string, 'cache', 'preflight');
  const completes = (mb: number) => {
    rmSync(cache, { recursive: true, force: true });
    const r = spawnSync(
      process.execPath,
      [`--max-old-space-size=${mb}`, '--max-semi-space-size=1', aircoverCli, 'check', fixture.campaign],
      { env: { ...process.env, ...fixture.env }, encoding: 'utf8' },
    );
    return (r.status === 0 || r.status === 1) && !/heap out of memory|Allocation failed/.test(r.stderr);
  };
  let low = 8;
  let high = 512;
  if (!completes(high)) return Number.NaN;
  while (high - low > 2) {
    const mid = Math.floor((low + high) / 2);
    if (completes(mid)) high = mid;
    else low = mid;
  }
  return high;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

const big = makeFixture({ count: PARTNERS, touches, name: 'bench' });
const small = makeFixture({ count: Math.max(1, Math.round(PARTNERS / 4)), touches, name: 'bench' });
try {
  const b = cli(big);
  // Warm-up: Node's compile cache for both commands (a command whose modules are not in it yet
  // writes them as it exits, about half a second), and the store's migrations.
  await b.send();
  await b.check(true);
  const rounds: { check: Measured; second: Measured; sendAfterCheck: Measured; send: Measured }[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const check = await b.check(true);
    const second = await b.check(false);
    const sendAfterCheck = await b.send(false);
    const send = await b.send();
    rounds.push({ check, second, sendAfterCheck, send });
    process.stderr.write(
      `round ${i + 1}: check ${check.seconds} s, again ${second.seconds} s, send ${send.seconds} s\n`,
    );
  }
  // Warm-up of the small fixture too (compile cache, the compiled email layout), so both peaks
  // are measured alike.
  await cli(small).check(true);
  const smallCheck = await cli(small).check(true);
  const sendRatio = median(rounds.map((r) => r.send.seconds / r.check.seconds));
  const secondRatio = median(rounds.map((r) => r.second.seconds / r.check.seconds));
  const bigPeak = median(rounds.map((r) => r.check.peakMB ?? 0));
  const memoryRatio = smallCheck.peakMB ? bigPeak / smallCheck.peakMB : Number.NaN;
  const liveBig = smallestHeap(big);
  const liveSmall = smallestHeap(small);
  printJson({
    bench: 'preflight',
    loadavg: loadavg().map((l) => round(l, 2)),
    partners: PARTNERS,
    touches: touches.length,
    baseline: 'aircover check with an empty cache, same fixture, same run',
    rounds,
    checkSeconds: median(rounds.map((r) => r.check.seconds)),
    secondCheckSeconds: median(rounds.map((r) => r.second.seconds)),
    sendTouchDryRunSeconds: median(rounds.map((r) => r.send.seconds)),
    sendTouchDryRunAfterCheckSeconds: median(rounds.map((r) => r.sendAfterCheck.seconds)),
    ratio: {
      sendTouchToCheck: round(sendRatio, 2),
      sendTouchAfterCheckToCheck: round(
        median(rounds.map((r) => r.sendAfterCheck.seconds / r.check.seconds)),
        2,
      ),
      secondCheckToFirst: round(secondRatio, 2),
    },
    memory: {
      peakMB: bigPeak,
      peakMBAtQuarterPartners: smallCheck.peakMB ?? null,
      ratio: round(memoryRatio, 2),
      smallestOldSpaceMB: liveBig,
      smallestOldSpaceMBAtQuarterPartners: liveSmall,
      liveRatio: round(liveBig / liveSmall, 2),
    },
    goals: {
      sendTouchAtMost03xCheck: sendRatio <= 0.3,
      secondCheckAtMost02xFirst: secondRatio <= 0.2,
      memoryFlat: memoryRatio <= 1.25,
    },
  });
} finally {
  rmSync(big.root, { recursive: true, force: true });
  rmSync(small.root, { recursive: true, force: true });
}
