import { defineCommand } from 'citty';
import { buildSite } from './build.ts';
import { serve } from './serve.ts';

export default defineCommand({
  meta: {
    name: 'start',
    description: 'The main job on the embedded defaults: build the sample site and serve it.',
  },
  args: {
    host: { type: 'string', description: 'Interface to listen on', default: process.env.HOST ?? '127.0.0.1' },
    port: { type: 'string', description: 'Port to listen on', default: process.env.PORT ?? '4321' },
  },
  async run({ args }) {
    const outDir = process.env.AIRCOVER_OUT_DIR ?? 'dist';
    await buildSite(outDir);
    await serve({ ...args, outDir });
  },
});
