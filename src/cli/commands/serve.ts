import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
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
  // The Node adapter's standalone server reads HOST and PORT when it starts.
  process.env.HOST = args.host;
  process.env.PORT = args.port;
  await import(pathToFileURL(entry).href);
  out.success(`Serving on http://${args.host}:${args.port}/  (Ctrl+C to stop)`);
}
