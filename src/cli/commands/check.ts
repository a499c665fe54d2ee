import { defineCommand } from 'citty';
import type { PreflightReport } from '../../lib/campaign/preflight.ts';
import type { Problem } from '../../lib/campaign/problems.ts';
import {
  campaignCacheDir,
  campaignFolder,
  campaignsDirArg,
  contentDirArg,
  layoutCacheDir,
  preflightCacheDir,
} from '../args.ts';
import { CliError, color, ExitCode, out } from '../output.ts';

export default defineCommand({
  meta: {
    name: 'check',
    description: 'Preflight: validate campaigns and render every message and page for every partner.',
  },
  args: {
    campaign: { type: 'positional', required: false, description: 'Campaign folder name (default: all)' },
    strict: { type: 'boolean', default: false, description: 'Treat lint warnings as errors' },
    json: { type: 'boolean', default: false, description: 'Print the report as JSON' },
    campaignsDir: campaignsDirArg,
    contentDir: contentDirArg,
  },
  async run({ args }) {
    // Say so at once: the preflight (MJML, Liquid, Markdown) takes a moment to load, and loads
    // only when a check runs, so `--help` stays fast.
    out.info(`Checking ${args.campaign ?? `every campaign in ${args.campaignsDir}/`}…`);
    const { checkAllCampaigns, checkCampaign } = await import('../../lib/campaign/preflight.ts');
    const { formatProblem } = await import('../../lib/campaign/problems.ts');
    // The compiled email layout from the last run: MJML loads only when it changed.
    const { keepLayoutsIn } = await import('../../lib/email/render/layout.ts');
    keepLayoutsIn(layoutCacheDir());
    // Both caches a `send` reads: what the preflight found and the loaded campaign.
    const options = {
      strict: args.strict,
      contentDir: args.contentDir,
      cacheDir: preflightCacheDir(),
      campaignCacheDir: campaignCacheDir(),
    };
    let reports: PreflightReport[];
    let general: Problem[] = [];
    if (args.campaign) {
      reports = [await checkCampaign(campaignFolder(args.campaign, args.campaignsDir), options)];
    } else {
      const all = await checkAllCampaigns(args.campaignsDir, options);
      reports = all.reports;
      general = all.problems;
      if (reports.length === 0 && general.length === 0) {
        throw new CliError(`No campaigns under ${args.campaignsDir}/.`, ExitCode.usage);
      }
    }
    const problems = [...general, ...reports.flatMap((r) => r.problems)];
    const errors = problems.filter((p) => p.severity === 'error').length;
    const warnings = problems.length - errors;
    const firstError = problems.find((p) => p.severity === 'error');
    const failure = () =>
      new CliError(
        `${errors} error${errors === 1 ? '' : 's'}: nothing may be sent until they are fixed.`,
        ExitCode.failure,
        {
          code: 'preflight',
          file: firstError?.file,
          line: firstError?.line,
          field: firstError?.field,
        },
      );
    if (args.json) {
      const body = { ok: errors === 0, errors, warnings, strict: args.strict, reports, problems: general };
      // Under --json stdout holds one object: the report, or the error carrying it.
      if (errors > 0) {
        const e = failure();
        throw new CliError(e.message, e.exitCode, { ...e.place, result: body });
      }
      out.json(body);
    } else {
      for (const problem of problems) {
        const line = formatProblem(problem);
        if (problem.severity === 'error') out.error(line);
        else out.warn(line);
      }
      for (const r of reports) {
        const summary = `${r.campaign}: ${r.partners} partners, ${r.touches} touches, ${r.messages} messages and ${r.pages} pages rendered; ${r.errors} errors, ${r.warnings} warnings`;
        if (r.ok) out.success(summary);
        else out.info(`${color.red('✘')} ${summary}`);
      }
    }
    if (errors > 0) throw failure();
  },
});
