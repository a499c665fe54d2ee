#!/usr/bin/env node
/**
 * Sending at scale through the real CLI: `aircover send <campaign> --touch advance-notice --yes`
 * in its own process (preflight, plan, ledger in SQLite, rendering, the Resend SDK) against the
 * fake Resend server in this one, limited to 10 requests per second; 10,000 partners by default.
 * The baseline, measured in the same run against a second fake with the same limit: a minimal
 * client in its own process sending the same number of one-line emails in batches of 100 through
 * the same SDK, waiting out each 429 as told (what the limit allows, nothing else). Reports both
 * times, the ratio, the CLI's peak memory, and what the fake received (every partner once, no
 * duplicates). Two sends are timed: a campaign sent as it comes (nothing loaded or checked
 * before: the goal's figure), and one sent right after `aircover check` (the usual order: the
 * loaded campaign and every message's preflight come from their caches). Goal: at most 1.5× the
 * baseline, nothing lost, nothing twice. JSON out.
 *
 * Node's compile cache is warm, as on any machine after its first command: one send of a small
 * campaign (to the baseline's fake, after the baseline) fills it first, and the compiled email
 * layout it leaves is copied into the timed campaign's state folder. A cold one costs the
 * first command about a second more, most of it Node writing the cache as the process exits.
 *
 *   npm run bench -- send [--partners 10000] [--rate 10]
 *   AIRCOVER_RENDER_THREADS=0 npm run bench -- send     # render in the sending thread
 */
import { cpSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { startFakeResend } from '../tests/fake-resend/server.ts';
import { makeFixture } from '../tests/send/fixture.ts';
import { aircoverCli, numberArg, printJson, round, timeNode } from './lib.ts';

const PARTNERS = numberArg('partners', 10_000);
const RATE = numberArg('rate', 10);
const GOAL = 1.5;

/** The baseline client: batches of 100 through the SDK, retrying a 429 after its retry-after. */
const FLOOR_CLIENT = `
import { Resend } from 'resend';
const resend = new Resend(process.env.RESEND_API_KEY);
const total = Number(process.env.BENCH_EMAILS);
for (let i = 0; i < total; i += 100) {
  const batch = Array.from({ length: Math.min(100, total - i) }, (_, k) => ({
    from: 'Bench <bench@example.com>', to: 'partner' + (i + k) + '@example.com',
    subject: 'Hello', html: '<p>Hello</p>', text: 'Hello',
  }));
  for (;;) {
    const { error, headers } = await resend.batch.send(batch, { idempotencyKey: 'floor-' + i });
    if (!error) break;
    if (error.statusCode !== 429) throw new Error(JSON.stringify(error));
    const wait = Number(headers?.['retry-after'] ?? 1);
    await new Promise((done) => setTimeout(done, Math.max(0.05, wait) * 1000));
  }
}
`;

const fixture = makeFixture({ count: PARTNERS, touches: ['advance-notice'] });
const checked = makeFixture({ count: PARTNERS, touches: ['advance-notice'] });
const warmup = makeFixture({ count: 100, touches: ['advance-notice'] });
const compileCache = { NODE_COMPILE_CACHE: join(fixture.root, 'node-compile-cache') };
const cliFake = await startFakeResend({ rateLimit: RATE, keepBodies: false });
const checkedFake = await startFakeResend({ rateLimit: RATE, keepBodies: false });
const floorFake = await startFakeResend({ rateLimit: RATE, keepBodies: false });

/** The timed send of `f` to `fake`: its time, memory, what the fake received and when. */
async function timedSend(f: typeof fixture, fake: typeof cliFake) {
  const started = Date.now();
  const cli = await timeNode(
    [aircoverCli, 'send', f.campaign, '--touch', 'advance-notice', '--yes', '--json'],
    {
      ...f.env,
      ...compileCache,
      RESEND_API_KEY: fake.apiKey,
      RESEND_BASE_URL: fake.url,
    },
  );
  const distinct = new Set(fake.received.map((e) => e.to.join(','))).size;
  const duplicates = fake.duplicates().size;
  return {
    seconds: cli.seconds,
    peakMB: cli.peakMB ?? null,
    received: fake.received.length,
    distinctRecipients: distinct,
    duplicates,
    requests: fake.requests.length,
    rateLimited: fake.requests.filter((r) => r.status === 429).length,
    // Where the time went: before the first call (load, preflight, plan), then the calls.
    firstCallAfterSeconds: round(((fake.requests[0]?.at ?? Number.NaN) - started) / 1000, 2),
    lastCallAfterSeconds: round(((fake.requests.at(-1)?.at ?? Number.NaN) - started) / 1000, 2),
    whole: fake.received.length === PARTNERS && distinct === PARTNERS && duplicates === 0,
  };
}

try {
  const floor = await timeNode(['--input-type=module', '-e', FLOOR_CLIENT], {
    RESEND_API_KEY: floorFake.apiKey,
    RESEND_BASE_URL: floorFake.url,
    BENCH_EMAILS: String(PARTNERS),
  });
  // A real send (not a dry run, which loads no sender, transport or render threads), to the
  // baseline's fake, whose counts are read already.
  await timeNode([aircoverCli, 'send', warmup.campaign, '--touch', 'advance-notice', '--yes'], {
    ...warmup.env,
    ...compileCache,
    RESEND_API_KEY: floorFake.apiKey,
    RESEND_BASE_URL: floorFake.url,
  });
  // The compiled email layout too, as any machine that rendered a message before keeps it (it is
  // compiled once per layout version, not per campaign; a first one loads MJML, about 0.4 s).
  for (const f of [fixture, checked]) {
    cpSync(
      join(warmup.env.AIRCOVER_STATE_DIR as string, 'cache', 'layouts'),
      join(f.env.AIRCOVER_STATE_DIR as string, 'cache', 'layouts'),
      { recursive: true },
    );
  }
  // A campaign sent as it comes: nothing loaded or checked before (the goal's figure).
  const cold = await timedSend(fixture, cliFake);
  // The usual order: `aircover check` first (not timed), so the send reads the loaded campaign
  // and every message's preflight from their caches.
  await timeNode([aircoverCli, 'check', checked.campaign], { ...checked.env, ...compileCache });
  const afterCheck = await timedSend(checked, checkedFake);
  const ratio = cold.seconds / floor.seconds;
  const afterCheckRatio = afterCheck.seconds / floor.seconds;
  printJson({
    bench: 'send',
    loadavg: loadavg().map((l) => round(l, 2)),
    partners: PARTNERS,
    rateLimitPerSecond: RATE,
    baseline:
      'a minimal SDK client sending the same number of emails in batches of 100, same limit, same run',
    baselineSeconds: floor.seconds,
    nodeCompileCache: 'warm: one send of a 100-partner campaign before the timed sends',
    cli: cold,
    afterCheck,
    ratio: round(ratio, 2),
    afterCheckRatio: round(afterCheckRatio, 2),
    goals: {
      [`atMost${GOAL}xBaseline`]: ratio <= GOAL,
      [`afterCheckAtMost${GOAL}xBaseline`]: afterCheckRatio <= GOAL,
      nothingLostNothingTwice: cold.whole && afterCheck.whole,
    },
  });
} finally {
  await cliFake.close();
  await checkedFake.close();
  await floorFake.close();
  for (const f of [fixture, checked, warmup]) rmSync(f.root, { recursive: true, force: true });
}
