import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineCommand } from 'citty';
import { CliError, out } from '../output.ts';

export default defineCommand({
  meta: { name: 'serve', description: 'Serve the built site and its on-demand routes on one port.' },
  args: {
    host: { type: 'string', description: 'Interface to listen on', default: process.env.HOST ?? '127.0.0.1' },
    port: { type: 'string', description: 'Port to listen on', default: process.env.PORT ?? '4321' },
    outDir: {
      type: 'string',
      description: 'Build output folder',
      default: process.env.AIRCOVER_OUT_DIR ?? 'dist',
    },
  },
  async run({ args }) {
    await serve(args);
  },
});

export async function serve(args: { host: string; port: string; outDir: string }): Promise<void> {
  const entry = resolve(args.outDir, 'server/entry.mjs');
  if (!existsSync(entry)) {
    throw new CliError(`No build found at ${entry}. Run \`aircover build\` first.`);
  }
  const port = Number(args.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new CliError(`--port: not a port: ${args.port}`);
  // src/server/: the beacon fast path in front of the Astro adapter's handler, one port.
  // Loaded here, not at the top, so `--help` stays fast.
  const { startAircoverServer } = await import('../../server/index.ts');
  const running = await startAircoverServer({
    host: args.host,
    port,
    outDir: args.outDir,
    log: (line) => out.info(line),
  });
  // The mailbox, when AIRCOVER_IMAP_URL names one: replies are read as they arrive (IDLE).
  const { startInboxWatch } = await import('../../lib/inbox/watch.ts');
  const inbox = await startInboxWatch((line) => out.info(line)).catch((error: unknown) => {
    out.warn(`inbox: not watching: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  });
  // AIRCOVER_SCHEDULER=on: this instance also sends what is due (one runner across instances
  // through the store's lease; see src/lib/email/send/scheduler.ts).
  const scheduler = process.env.AIRCOVER_SCHEDULER === 'on' ? await startSchedulerHere() : undefined;
  const stop = () => {
    Promise.all([scheduler?.stop(), inbox?.stop()])
      .then(() => running.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  out.success(`Serving on ${running.url}/  (Ctrl+C to stop)`);
}

async function startSchedulerHere(): Promise<{ stop(): Promise<void> }> {
  const { loadAllCampaigns } = await import('../../lib/campaign/load.ts');
  const { startScheduler } = await import('../../lib/email/send/scheduler.ts');
  const { createTransport } = await import('../../lib/email/transport/index.ts');
  const { openStore } = await import('../../lib/store/index.ts');
  const store = await openStore();
  const campaignsDir = process.env.AIRCOVER_CAMPAIGNS_DIR ?? 'campaigns';
  const contentDir = process.env.AIRCOVER_CONTENT_DIR ?? 'content';
  const intervalMs = Number(process.env.AIRCOVER_SCHEDULER_INTERVAL_MS ?? 60_000);
  const scheduler = startScheduler({
    store,
    transport: createTransport(process.env),
    campaigns: () => loadAllCampaigns({ campaignsDir, contentDir }).campaigns,
    intervalMs: Number.isFinite(intervalMs) && intervalMs >= 1000 ? intervalMs : 60_000,
    log: (line) => out.info(line),
  });
  out.info('Scheduler on: due sends run here (AIRCOVER_SCHEDULER=on).');
  return {
    async stop() {
      await scheduler.stop();
      await store.close();
    },
  };
}
