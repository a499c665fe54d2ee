#!/usr/bin/env node
/**
 * Sending at scale: 10,000 messages of a synthetic campaign (the sample's templates, 10,000
 * partners) through the real Resend SDK to the fake Resend server limited to 10 requests per
 * second, with a real SQLite ledger. The floor the limit sets: 10,000 / 100 per batch / 10 per
 * second = 10 s. Reports the plan (a content version per message from its inputs, no rendering;
 * write the ledger) and the send (claim, re-check suppressions, call, record; the rows of the next
 * calls rendered ahead on render threads, or in the sending thread on one core) separately, the
 * send's ratio to the floor, its CPU (all threads), and memory sampled as the send progresses
 * (flat is the goal; RSS includes the render threads). JSON out.
 *
 *   npx node bench/send.ts [--partners 10000] [--rate 10]
 *   AIRCOVER_RENDER_THREADS=0 npx node bench/send.ts     # render in the sending thread
 */
import { rmSync } from 'node:fs';
import { loadCampaign } from '../src/lib/campaign/load.ts';
import { tryRenderMessage } from '../src/lib/email/render/index.ts';
import { planTouch, sendTouch } from '../src/lib/email/send/index.ts';
import { renderThreadsFor } from '../src/lib/email/send/render-pool.ts';
import { createResendTransport } from '../src/lib/email/transport/index.ts';
import { openStore } from '../src/lib/store/index.ts';
import { startFakeResend } from '../tests/fake-resend/server.ts';
import { contentDir, FIXTURE_SECRET, makeFixture } from '../tests/send/fixture.ts';
import { printJson, round } from './lib.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const PARTNERS = arg('partners', 10_000);
const RATE = arg('rate', 10);
const MB = 1024 * 1024;

const fixture = makeFixture({ count: PARTNERS, touches: ['advance-notice'] });
const fake = await startFakeResend({ rateLimit: RATE, keepBodies: false });
const store = await openStore({ dataDir: fixture.env.AIRCOVER_DATA_DIR as string });
try {
  const loaded = loadCampaign(fixture.dir, { contentDir });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const campaign = loaded.campaign;
  const touch = campaign.touches[0] as (typeof campaign.touches)[number];
  const render = { secret: FIXTURE_SECRET };

  // Rendering alone, for reference: the CPU the plan and the send each spend on it.
  const sample = campaign.partners.slice(0, 500);
  let started = performance.now();
  for (const p of sample) await tryRenderMessage(campaign, touch, p, render);
  const renderMs = (performance.now() - started) / sample.length;

  started = performance.now();
  const plan = await planTouch({ store, campaign, render }, touch, { write: true });
  const planSeconds = (performance.now() - started) / 1000;

  const transport = createResendTransport({ apiKey: fake.apiKey, baseUrl: fake.url });
  const threads = renderThreadsFor();
  const samples: { done: number; rssMB: number; heapMB: number }[] = [];
  let done = 0;
  let peakRss = 0;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    samples.push({ done, rssMB: Math.round(m.rss / MB), heapMB: Math.round(m.heapUsed / MB) });
  }, 250);
  started = performance.now();
  const cpuBefore = process.cpuUsage();
  const summary = await sendTouch(
    {
      store,
      transport,
      campaign,
      render,
      total: plan.toSend,
      onProgress: (p) => {
        done = p.sent + p.failed + p.skipped;
      },
    },
    touch,
  );
  const sendSeconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(timer);

  const floor = PARTNERS / 100 / RATE;
  // Memory at each tenth of the list: flat means the send holds one batch, not the list.
  const byTenth = Array.from({ length: 10 }, (_, k) => {
    const at = samples.find((s) => s.done >= ((k + 1) * PARTNERS) / 10) ?? samples.at(-1);
    return { done: at?.done ?? 0, rssMB: at?.rssMB ?? 0, heapMB: at?.heapMB ?? 0 };
  });
  printJson({
    bench: 'send',
    partners: PARTNERS,
    rateLimitPerSecond: RATE,
    renderMsPerMessage: round(renderMs, 2),
    plan: { seconds: round(planSeconds, 2), counts: plan.counts },
    send: {
      seconds: round(sendSeconds, 2),
      floorSeconds: floor,
      ratioToFloor: round(sendSeconds / floor, 2),
      renderThreads: threads,
      // CPU of every thread of the process (sender, render threads, the fake server) during the send.
      cpuSeconds: round((cpu.user + cpu.system) / 1e6, 2),
      sent: summary.sent,
      failed: summary.failed + summary.retryable + summary.unresolved,
      requests: fake.requests.length,
      rateLimited: fake.requests.filter((r) => r.status === 429).length,
      duplicates: fake.duplicates().size,
    },
    memory: { peakRssMB: Math.round(peakRss / MB), byTenth },
    totalSeconds: round(planSeconds + sendSeconds, 2),
  });
} finally {
  await store.close();
  await fake.close();
  rmSync(fixture.root, { recursive: true, force: true });
}
