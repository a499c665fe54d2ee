/**
 * The collector's hot path under load: autocannon on loopback, 50 connections, against
 * `POST /api/events` of the real server (`aircover serve` on the sample build, SQLite, rate
 * limits off) and, in the same run, against a bare node:http server answering 204.
 * Reports events/s, p50/p99 latency, and events accepted (204) versus events stored (counted in
 * the store afterwards): they must be equal.
 *
 *   npm run bench -- collector [--amount 60000] [--connections 50] [--events-per-beacon 1]
 *
 * A fixed number of requests (not a duration), so every request is answered before counting:
 * accepted and stored are compared exactly.
 *
 * Goals: at least 0.6× the bare server's throughput, a p99 at most 1.5× the bare p99 (a p99 under
 * 1 ms counts as 1 ms), nothing lost. The sample build is rebuilt when its sources changed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { partnerToken } from '../src/lib/personalize/token.ts';
import { openStore } from '../src/lib/store/index.ts';
import {
  aircoverCli,
  benchDir,
  benchSecret,
  ensureSampleBuild,
  printJson,
  projectRoot,
  round,
} from './lib.ts';

interface CannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number; average: number; max: number };
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
}
interface CannonRequest {
  method?: string;
  path?: string;
  body?: string;
  headers?: Record<string, string>;
}
/** autocannon's run: an emitter of each response, and a promise of the summary. */
interface CannonRun extends PromiseLike<CannonResult> {
  on(event: 'response', listener: () => void): void;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  amount: number;
  method: string;
  headers: Record<string, string>;
  body?: string;
  requests?: { setupRequest: (req: CannonRequest) => CannonRequest }[];
}) => CannonRun;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const { values } = parseArgs({
  options: {
    amount: { type: 'string', default: '60000' },
    connections: { type: 'string', default: '50' },
    'events-per-beacon': { type: 'string', default: '1' },
  },
});
const amount = Number(values.amount);
const connections = Number(values.connections);
const perBeacon = Math.max(1, Math.min(50, Number(values['events-per-beacon'])));

const outDir = join(benchDir('collector'), 'dist');
const children: ChildProcess[] = [];
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

async function waitFor(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited:\n${log()}`);
    try {
      await fetch(url);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`server did not start:\n${log()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function start(args: string[], env: Record<string, string>): { child: ChildProcess; log: () => string } {
  const child = spawn(process.execPath, args, {
    cwd: projectRoot,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let log = '';
  child.stdout?.on('data', (c: Buffer) => {
    log += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    log += c.toString();
  });
  return { child, log: () => log };
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

const BARE = `
const http = require('node:http');
http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => { JSON.parse(Buffer.concat(chunks).toString() || '{}'); res.writeHead(204); res.end(); });
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

await ensureSampleBuild(outDir, 'collector');

const { loadAllCampaigns } = await import('../src/lib/campaign/load.ts');
const tokens = loadAllCampaigns({ campaignsDir: join(projectRoot, 'campaigns') }).campaigns.flatMap((c) =>
  c.partners.map((p) => partnerToken(c.id, p.id, benchSecret)),
);
if (tokens.length === 0) throw new Error('the sample campaign has no partners');

let counter = 0;
const makeRequest = (origin: string) => ({
  setupRequest(req: CannonRequest): CannonRequest {
    const n = counter++;
    const events = Array.from({ length: perBeacon }, (_, seq) => ({ seq, type: 'visible_time', ms: 1000 }));
    req.body = JSON.stringify({
      v: 1,
      token: tokens[n % tokens.length],
      touch: 'announce',
      sid: `bench${process.pid}x${n}`,
      page: 'partner',
      events,
    });
    req.headers = { ...req.headers, origin };
    return req;
  },
});
const headers = {
  'content-type': 'text/plain;charset=UTF-8',
  'user-agent':
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
};

/**
 * A run with its seconds from the start to the last answer. Not autocannon's `duration`, nor
 * the time its promise takes: both end on its one-second tick, so every rate came out as the
 * amount over a whole number of seconds (60,000 requests: 30,000, 20,000, 15,000 req/s...).
 */
type TimedResult = CannonResult & { seconds: number };

async function cannon(url: string, origin: string): Promise<TimedResult> {
  const started = performance.now();
  let lastAnswer = started;
  const run = autocannon({
    url,
    connections,
    amount,
    method: 'POST',
    headers,
    requests: [makeRequest(origin)],
  });
  run.on('response', () => {
    lastAnswer = performance.now();
  });
  const result = await run;
  return { ...result, seconds: (lastAnswer - started) / 1000 };
}

/** Answered requests over the seconds to the last answer (autocannon's average is of whole-second samples). */
const rate = (r: TimedResult) => (r['2xx'] + r.non2xx) / r.seconds;

const summary = (r: TimedResult) => ({
  requestsPerSecond: round(rate(r), 0),
  eventsPerSecond: round(rate(r) * perBeacon, 0),
  p50ms: r.latency.p50,
  p99ms: r.latency.p99,
  maxMs: r.latency.max,
  ok: r['2xx'],
  non2xx: r.non2xx,
  errors: r.errors + r.timeouts,
});

// Bare node:http, the ceiling.
const barePort = await freePort();
const bare = start(['-e', BARE], { PORT: String(barePort) });
await new Promise((r) => setTimeout(r, 300));
await waitFor(`http://127.0.0.1:${barePort}/`, bare.child, bare.log).catch(() => undefined);
const bareResult = await cannon(`http://127.0.0.1:${barePort}/api/events`, `http://127.0.0.1:${barePort}`);
await stop(bare.child);

// The real server.
const dataDir = mkdtempSync(join(tmpdir(), 'aircover-bench-collector-'));
const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const server = start(
  [aircoverCli, 'serve', '--host', '127.0.0.1', '--port', String(port), '--outDir', outDir],
  {
    AIRCOVER_SECRET: benchSecret,
    AIRCOVER_DATA_DIR: dataDir,
    AIRCOVER_RATE_LIMIT: 'off',
  },
);
await waitFor(`${url}/robots.txt`, server.child, server.log);
const collectorResult = await cannon(`${url}/api/events`, url);
await stop(server.child);

const store = await openStore({ dataDir });
const stored = await store.countEvents({ includeNonHuman: true });
await store.close();
rmSync(dataDir, { recursive: true, force: true });

const accepted = collectorResult['2xx'] * perBeacon;
const bareRps = rate(bareResult);
const collectorRps = rate(collectorResult);
printJson({
  bench: 'collector',
  connections,
  requests: amount,
  loadAverage: (await import('node:os')).loadavg().map((l) => round(l, 1)),
  eventsPerBeacon: perBeacon,
  bare: summary(bareResult),
  collector: {
    ...summary(collectorResult),
    eventsAccepted: accepted,
    eventsStored: stored,
    lost: accepted - stored,
  },
  ratio: round(collectorRps / bareRps, 2),
  p99Ratio: round(collectorResult.latency.p99 / Math.max(bareResult.latency.p99, 1), 2),
  goal: {
    throughputAtLeast06OfBare: collectorRps >= 0.6 * bareRps,
    p99AtMost15xBare: collectorResult.latency.p99 <= 1.5 * Math.max(bareResult.latency.p99, 1),
    nothingLost: accepted === stored && collectorResult.non2xx === 0,
  },
});
