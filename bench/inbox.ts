/**
 * The inbox: classification throughput on the fixture corpus against mailparser alone, and the
 * time from IMAP APPEND to the change in the queue on a running server.
 *
 *   npm run bench -- inbox [--rounds 30] [--trials 5] [--replies 10] [--no-server]
 *
 * 1. Throughput. The corpus (tests/inbox/fixtures, every .eml) read `rounds` times per trial:
 *    the baseline is mailparser's `simpleParser` alone (the options the inbox uses), the measure
 *    is the inbox's `parseMessage` + `classify` (evidence, return dates, new text, intents).
 *    Trials alternate baseline and measure; the medians are compared. `ratio` is the inbox's
 *    messages/s over mailparser's (1 = classification costs nothing beyond parsing).
 * 2. Latency. A private Dovecot, `aircover serve` on the sample build watching it (IDLE), and a
 *    second plain IMAP client idling on the same folder (the baseline: how soon IMAP itself tells
 *    a client). For each partner in turn a reply with In-Reply-To is APPENDed; the measure is the
 *    time until the partner-state module (what the queue reads) says "replied", polled
 *    every 20 ms; the baseline is the time until the plain client hears EXISTS.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ImapFlow } from 'imapflow';
import { simpleParser } from 'mailparser';
import { classify } from '../src/lib/inbox/classify/index.ts';
import { parseMessage } from '../src/lib/inbox/parse.ts';
import { benchDir, printJson, projectRoot, round } from './lib.ts';

const options = {
  rounds: { type: 'string', default: '30' },
  trials: { type: 'string', default: '5' },
  replies: { type: 'string', default: '10' },
  'no-server': { type: 'boolean', default: false },
} as const;
let values: ReturnType<typeof parseArgs<{ options: typeof options }>>['values'];
try {
  ({ values } = parseArgs({ options }));
} catch (error) {
  process.stderr.write(`inbox bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
const count = (name: 'rounds' | 'trials' | 'replies') => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`inbox bench: --${name} wants a whole number of at least 1, not ${values[name]}\n`);
    process.exit(2);
  }
  return n;
};
const rounds = count('rounds');
const trials = count('trials');
const wantReplies = count('replies');

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] as number;
};

// ---------------------------------------------------------------------------------------------
// 1. Throughput

const fixtures = join(projectRoot, 'tests', 'inbox', 'fixtures');
const corpus = (readdirSync(fixtures, { recursive: true }) as string[])
  .filter((f) => f.endsWith('.eml'))
  .sort()
  .map((f) => readFileSync(join(fixtures, f)));
if (corpus.length === 0) throw new Error(`no .eml fixtures under ${fixtures}`);

async function timeRounds(each: (raw: Buffer) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  for (let r = 0; r < rounds; r++) for (const raw of corpus) await each(raw);
  return (corpus.length * rounds) / ((performance.now() - started) / 1000);
}
const parseOnly = (raw: Buffer) => simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
const parseAndClassify = async (raw: Buffer) => classify(await parseMessage(raw));

// Warm both paths (JIT, chrono-node's and mailparser's lazy tables) before timing.
for (const raw of corpus) {
  await parseOnly(raw);
  await parseAndClassify(raw);
}
const baseRates: number[] = [];
const inboxRates: number[] = [];
for (let t = 0; t < trials; t++) {
  baseRates.push(await timeRounds(parseOnly));
  inboxRates.push(await timeRounds(parseAndClassify));
}
const baseRate = median(baseRates);
const inboxRate = median(inboxRates);
const classes: Record<string, number> = {};
for (const raw of corpus) {
  const c = classify(await parseMessage(raw)).class;
  classes[c] = (classes[c] ?? 0) + 1;
}

const throughput = {
  messages: corpus.length,
  rounds,
  trials,
  classes,
  mailparser: { messagesPerSecond: round(baseRate, 0), msPerMessage: round(1000 / baseRate, 3) },
  inbox: { messagesPerSecond: round(inboxRate, 0), msPerMessage: round(1000 / inboxRate, 3) },
  classifyMsPerMessage: round(1000 / inboxRate - 1000 / baseRate, 3),
  ratio: round(inboxRate / baseRate, 2),
};

// ---------------------------------------------------------------------------------------------
// 2. APPEND → queue, on a running server

async function latency() {
  const { startDovecot } = await import('../tests/inbox/dovecot.ts');
  const { ensureSampleBuild, aircoverCli, benchSecret } = await import('./lib.ts');
  const { spawn } = await import('node:child_process');
  const { createServer } = await import('node:net');
  const { openStore } = await import('../src/lib/store/index.ts');
  const { loadFollowupCampaigns, loadCampaignStates } = await import('../src/lib/followup/index.ts');

  const outDir = join(benchDir('inbox'), 'dist');
  await ensureSampleBuild(outDir, 'inbox');
  const dovecot = await startDovecot();
  const dataDir = mkdtempSync(join(tmpdir(), 'aircover-bench-inbox-'));
  const port = await new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
  const child = spawn(
    process.execPath,
    [aircoverCli, 'serve', '--host', '127.0.0.1', '--port', String(port), '--outDir', outDir],
    {
      cwd: projectRoot,
      env: {
        ...process.env,
        NO_COLOR: '1',
        AIRCOVER_SECRET: benchSecret,
        AIRCOVER_DATA_DIR: dataDir,
        AIRCOVER_IMAP_URL: dovecot.url,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  process.once('exit', () => child.kill('SIGKILL'));
  let log = '';
  child.stdout?.on('data', (c: Buffer) => {
    log += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    log += c.toString();
  });
  const client = (name: string) =>
    new ImapFlow({
      host: dovecot.host,
      port: dovecot.port,
      secure: false,
      auth: { user: dovecot.user, pass: dovecot.pass },
      logger: false,
      clientInfo: { name },
    });
  const appender = client('bench-appender');
  const watcher = client('bench-baseline');
  try {
    const deadline = Date.now() + 60_000;
    while (!/inbox: watching/.test(log)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`server did not watch:\n${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const store = await openStore({ dataDir });
    // The server writes its partners on start; wait for them.
    let partners = await store.listPartners('sample');
    while (partners.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      partners = await store.listPartners('sample');
    }
    partners = partners.slice(0, wantReplies);
    const [sample] = loadFollowupCampaigns({ only: 'sample' });
    if (!sample) throw new Error('no sample campaign');
    const sentId = (id: string) => `<bench-touch-${id}@aircover.bench>`;
    await store.recordSentMessages(
      partners.map((p) => ({
        messageId: sentId(p.partnerId),
        kind: 'touch' as const,
        campaign: 'sample',
        partnerId: p.partnerId,
        touch: 'advance-notice',
        recipient: p.email,
      })),
    );
    await appender.connect();
    await watcher.connect();
    await watcher.mailboxOpen('INBOX');
    let exists = 0;
    const waiting: { count: number; resolve: (at: number) => void }[] = [];
    watcher.on('exists', (e: { count: number }) => {
      exists = e.count;
      const at = performance.now();
      for (const w of waiting.splice(0)) if (exists >= w.count) w.resolve(at);
    });
    void watcher.idle().catch(() => undefined);
    // Warm-up, not measured: one stranger's message, until both the baseline client and the
    // server's store have it (connections settled, IDLE running, the server's code paths warm).
    let n = 1;
    const warm = new Promise<number>((resolve) => waiting.push({ count: n, resolve }));
    await appender.append(
      'INBOX',
      `From: someone@stranger.bench\r\nTo: marketing@aircover.bench\r\nSubject: hello\r\nMessage-ID: <warm-${Date.now()}@stranger.bench>\r\n\r\nHello.\r\n`,
    );
    await warm;
    while ((await store.listInbound({})).length === 0) {
      if (Date.now() > deadline) throw new Error(`the server stored nothing:\n${log}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const queueMs: number[] = [];
    const idleMs: number[] = [];
    for (const p of partners) {
      n += 1;
      const heard = new Promise<number>((resolve) => waiting.push({ count: n, resolve }));
      const raw = [
        `From: Partner <${p.email}>`,
        'To: marketing@aircover.bench',
        'Subject: Re: Your advance copy',
        `Message-ID: <bench-reply-${p.partnerId}-${Date.now()}@partner.bench>`,
        `In-Reply-To: ${sentId(p.partnerId)}`,
        `Date: ${new Date().toUTCString()}`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Thanks, this is useful. Please send the full paper.',
        '',
      ].join('\r\n');
      const t0 = performance.now();
      await appender.append('INBOX', raw);
      let t1 = 0;
      while (!t1) {
        const { states } = await loadCampaignStates(store, sample);
        if (states.get(p.partnerId)?.status === 'replied') t1 = performance.now();
        else if (performance.now() - t0 > 60_000) throw new Error(`no change for ${p.partnerId}:\n${log}`);
        else await new Promise((r) => setTimeout(r, 20));
      }
      queueMs.push(t1 - t0);
      idleMs.push((await heard) - t0);
    }
    await store.close();
    const q = median(queueMs);
    const b = median(idleMs);
    return {
      replies: partners.length,
      pollMs: 20,
      baselineImapIdle: { medianMs: round(b, 1), maxMs: round(Math.max(...idleMs), 1) },
      appendToQueue: {
        medianMs: round(q, 1),
        p90Ms: round(percentile(queueMs, 90), 1),
        maxMs: round(Math.max(...queueMs), 1),
      },
      ratio: round(q / Math.max(b, 1), 1),
      within60s: queueMs.every((ms) => ms < 60_000),
    };
  } finally {
    await appender.logout().catch(() => undefined);
    await watcher.logout().catch(() => undefined);
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
    await dovecot.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

printJson({
  bench: 'inbox',
  loadAverage: loadavg().map((l) => round(l, 1)),
  throughput,
  ...(values['no-server'] ? {} : { appendToQueue: await latency() }),
});
