import { defineCommand } from 'citty';
import { color, out } from '../output.ts';
import { buildSite } from './build.ts';
import { serve } from './serve.ts';

export default defineCommand({
  meta: {
    name: 'start',
    description:
      'The main job on the embedded defaults: build the site and the campaigns’ personal pages, then serve them with the collector and the dashboard.',
  },
  args: {
    host: { type: 'string', description: 'Interface to listen on', default: process.env.HOST ?? '127.0.0.1' },
    port: { type: 'string', description: 'Port to listen on', default: process.env.PORT ?? '4321' },
  },
  async run({ args }) {
    const outDir = process.env.AIRCOVER_OUT_DIR ?? 'dist';
    await buildSite(outDir);
    await serve({ ...args, outDir });
    await printEntryPoints(`http://${args.host}:${args.port}`);
  },
});

/** Where to look first, so a new user sees every part of the tool from one command. */
async function printEntryPoints(base: string): Promise<void> {
  const { partnerPages } = await import('../../lib/campaign/site.ts');
  const { adminPassword } = await import('../../lib/followup/admin.ts');
  const pages = partnerPages();
  const first = pages[0];
  const password = process.env.AIRCOVER_ADMIN_PASSWORD ? 'from AIRCOVER_ADMIN_PASSWORD' : adminPassword();
  out.info('');
  out.info(color.bold('Where to look'));
  out.info(`  Public site         ${base}/`);
  if (first) {
    out.info(
      `  A personal page     ${base}/p/${first.token}/  (${first.partner.company}; ${pages.length} pages in all)`,
    );
  }
  out.info(`  Dashboard           ${base}/admin/  (password: ${password ?? 'set AIRCOVER_ADMIN_PASSWORD'})`);
  out.info(color.bold('Then, in another terminal'));
  out.info('  ./aircover check sample                        preflight every message');
  out.info('  ./aircover preview sample                      review every email and page');
  out.info('  ./aircover send sample --touch advance-notice  send to the file outbox (outbox/)');
  out.info('  ./aircover followups sample                    who engaged, who is due');
}
