import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { defineCommand } from 'citty';
import { campaignArg, campaignFolder } from '../args.ts';
import { CliError, out } from '../output.ts';

export default defineCommand({
  meta: {
    name: 'preview',
    description: "A local gallery of every partner's page and every email, to review before sending.",
  },
  args: {
    campaign: campaignArg,
    port: { type: 'string', default: '4322', description: 'Port on 127.0.0.1 (0 for any free port)' },
    outDir: {
      type: 'string',
      default: process.env.AIRCOVER_OUT_DIR ?? 'dist',
      description: 'Build with the personal pages',
    },
  },
  async run({ args }) {
    // The campaign and the gallery (MJML, Liquid) load only when it runs, so `--help` stays fast.
    const { loadCampaign } = await import('../../lib/campaign/load.ts');
    const { formatProblem, hasErrors } = await import('../../lib/campaign/problems.ts');
    const { campaignsDir } = await import('../../lib/campaign/site.ts');
    const { startGallery } = await import('../../lib/preview/gallery.ts');
    const result = loadCampaign(campaignFolder(args.campaign, campaignsDir()));
    if (!result.ok || hasErrors(result.problems)) {
      for (const problem of result.problems) out.error(formatProblem(problem));
      throw new CliError(
        `The campaign has errors; fix them (see \`aircover check ${args.campaign}\`) to preview it.`,
      );
    }
    const clientDir = join(args.outDir, 'client');
    if (!existsSync(join(clientDir, 'p'))) {
      out.warn(`No personal pages in ${clientDir}: run \`aircover build\` to preview them too.`);
    }
    const server = await startGallery({ campaign: result.campaign, clientDir }, Number(args.port));
    const { port } = server.address() as AddressInfo;
    out.success(`Preview of ${result.campaign.def.name} on http://127.0.0.1:${port}/  (Ctrl+C to stop)`);
  },
});
