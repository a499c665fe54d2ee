import { resolve } from 'node:path';
import { defineCommand } from 'citty';
import { withLock } from '../../lib/lock.ts';
import { CliError, ExitCode, out } from '../output.ts';

export default defineCommand({
  meta: { name: 'build', description: 'Build the site: papers, posts, webinars, partner pages and cards.' },
  args: {
    outDir: {
      type: 'string',
      description: 'Output folder, inside the project (the server resolves its packages from there)',
      default: process.env.AIRCOVER_OUT_DIR ?? 'dist',
    },
    verbose: { type: 'boolean', description: "Show Astro's own progress and warnings", default: false },
  },
  async run({ args }) {
    await buildSite(args.outDir, { verbose: args.verbose });
  },
});

export async function buildSite(outDir: string, options: { verbose?: boolean } = {}): Promise<void> {
  if (!outDir || typeof outDir !== 'string')
    throw new CliError('--outDir needs a folder name', ExitCode.usage);
  process.env.ASTRO_TELEMETRY_DISABLED = '1';
  process.env.AIRCOVER_OUT_DIR = outDir;
  const started = performance.now();
  out.info('Building the site…');
  const { build } = await import('astro');
  try {
    // Builds of one project share Astro's caches: one at a time.
    await withLock(
      resolve(process.env.AIRCOVER_STATE_DIR ?? '.aircover', 'build.lock'),
      async () => {
        // Astro's warn level is mostly bundler notes about its own modules; errors always show.
        await build({ root: process.cwd(), logLevel: options.verbose ? 'info' : 'error' });
      },
      { onWait: () => out.info('Another build of this project is running; waiting for it to finish…') },
    );
  } catch (error) {
    // Astro's errors already name the file and the field; keep them, drop our stack.
    throw new CliError(`Build failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  out.success(`Built into ${outDir}/ in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
