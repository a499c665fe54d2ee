import { defineCommand } from 'citty';
import { CliError, out } from '../output.ts';

export default defineCommand({
  meta: { name: 'build', description: 'Build the site: papers, posts, webinars, partner pages and cards.' },
  args: {
    outDir: { type: 'string', description: 'Output folder', default: process.env.AIRCOVER_OUT_DIR ?? 'dist' },
  },
  async run({ args }) {
    await buildSite(args.outDir);
  },
});

export async function buildSite(outDir: string): Promise<void> {
  process.env.ASTRO_TELEMETRY_DISABLED = '1';
  process.env.AIRCOVER_OUT_DIR = outDir;
  const started = performance.now();
  out.info('Building the site…');
  const { build } = await import('astro');
  try {
    await build({ root: process.cwd(), logLevel: 'warn' });
  } catch (error) {
    // Astro's errors already name the file and the field; keep them, drop our stack.
    throw new CliError(`Build failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  out.success(`Built into ${outDir}/ in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
