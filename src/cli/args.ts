/**
 * Argument definitions the commands share, so a flag reads and defaults the same everywhere,
 * and the one way a campaign argument becomes a folder.
 *
 * HOW TO DECLARE A COMMAND (one file in src/cli/commands/, named after the command; a command
 * with subcommands keeps them in that file or in a folder beside it):
 *
 *   export default defineCommand({
 *     meta: { name: 'thing', description: 'What it does, in a line.' },
 *     args: { campaign: campaignArg, dryRun: dryRunArg, yes: yesArg, json: jsonArg },
 *     async run({ args }) { ... },
 *   });
 *
 * - Declare EVERY flag and positional in `args`. The command line is checked strictly before
 *   `run` is called (src/cli/strict.ts): an undeclared flag, a flag without its value or an extra
 *   argument exits 2 naming the closest valid flag. `--dry-run` and `--dryRun` both reach
 *   `args.dryRun`.
 * - A command that changes anything (the store, files, anyone's inbox) declares `dryRun: dryRunArg`
 *   and, with it, changes nothing. One that emails everyone or cannot be undone also declares
 *   `yes: yesArg` and calls `await confirmOrRefuse(args.yes, 'Cancel … and email 40 people?')`
 *   before acting: it asks on a terminal, and without one refuses (exit 2) unless --yes.
 * - Fail with `throw new CliError(message, ExitCode.x, { code, file, line, field, hint })` (or
 *   `UsageError` for a wrong command line). Never print a stack or call process.exit: the one
 *   place that maps errors to exit codes and prints them (as JSON under --json) is src/cli/errors.ts.
 * - Print only through `out` (src/cli/output.ts): tables strip terminal escapes from data; CSV goes
 *   through `inertCsv` (src/lib/text/csv.ts) so no cell runs as a formula.
 * - Keep start-up light: import heavy modules (Astro, MJML, satori, resvg, playwright, pg) inside
 *   `run`, or through domain modules that load them lazily, never at the top of a CLI core file.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CliError, ExitCode, UsageError } from './output.ts';

/** `--campaignsDir`: the folder of campaigns (AIRCOVER_CAMPAIGNS_DIR, else `campaigns`). */
export const campaignsDirArg = {
  type: 'string',
  default: process.env.AIRCOVER_CAMPAIGNS_DIR ?? 'campaigns',
  description: 'Folder of campaigns',
} as const;

/** `--contentDir`: the folder of content (AIRCOVER_CONTENT_DIR, else `content`). */
export const contentDirArg = {
  type: 'string',
  default: process.env.AIRCOVER_CONTENT_DIR ?? 'content',
  description: 'Folder of papers, posts and webinars',
} as const;

/** The campaign a command works on: a folder name under the campaigns folder (or a path). */
export const campaignArg = {
  type: 'positional',
  required: true,
  description: 'Campaign folder name',
} as const;

/** An optional campaign that narrows a command to one campaign. */
export const onlyCampaignArg = {
  type: 'positional',
  required: false,
  description: 'Only this campaign (folder name)',
} as const;

/** The webinar a command works on. */
export const webinarArg = {
  type: 'positional',
  required: true,
  description: 'Webinar id (file name in content/webinars)',
} as const;

export const jsonArg = { type: 'boolean', description: 'Print JSON', default: false } as const;

export const csvArg = { type: 'boolean', description: 'Print CSV', default: false } as const;

/** `--dry-run`: show what would happen; change nothing (no store writes, no files, no email). */
export const dryRunArg = {
  type: 'boolean',
  default: false,
  description: 'Show what would happen; change nothing',
} as const;

/** `--yes`: do not ask before something that emails everyone or cannot be undone. */
export const yesArg = {
  type: 'boolean',
  default: false,
  description: 'Do not ask for confirmation',
} as const;

/** Whether a person can be asked: a terminal on both ends. */
export const canAsk = () => Boolean(process.stdin.isTTY) && Boolean(process.stderr.isTTY);

/**
 * Asks `question` on a terminal unless `yes`; without a terminal, refuses with exit 2 (a script
 * that wants this must say --yes). Declining stops with exit 3: nothing was done.
 */
export async function confirmOrRefuse(yes: boolean, question: string): Promise<void> {
  if (yes) return;
  if (!canAsk()) {
    throw new UsageError(`${question} This asks for confirmation and there is no terminal to ask on.`, {
      code: 'needs-confirmation',
      hint: 'Pass --yes to go ahead, or --dry-run to see what it would do.',
    });
  }
  const prompts = await import('@clack/prompts');
  const answer = await prompts.confirm({ message: question, output: process.stderr });
  if (answer !== true) throw new CliError('Nothing was done.', ExitCode.stopped, { code: 'declined' });
}

/**
 * The folder of campaign `name`: `<campaignsDir>/<name>` when that exists, else `name` read as a
 * path. A usage error when the folder has no campaign.yaml.
 */
export function campaignFolder(name: string, campaignsDir: string): string {
  const inFolder = join(campaignsDir, name);
  const dir = existsSync(inFolder) ? inFolder : name;
  if (!existsSync(join(dir, 'campaign.yaml'))) {
    const tried = [...new Set([join(inFolder, 'campaign.yaml'), join(dir, 'campaign.yaml')])];
    throw new CliError(`No campaign "${name}": ${tried.join(' or ')} not found.`, ExitCode.usage);
  }
  return dir;
}

/** Where `check` and `send` keep what the preflight found, to reuse it for unchanged inputs. */
export function preflightCacheDir(): string {
  return resolve(process.env.AIRCOVER_STATE_DIR ?? '.aircover', 'cache', 'preflight');
}

/** Where compiled email layouts are kept between runs (src/lib/email/render/layout.ts). */
export function layoutCacheDir(): string {
  return resolve(process.env.AIRCOVER_STATE_DIR ?? '.aircover', 'cache', 'layouts');
}

/** Where the loaded campaigns are kept between commands (src/lib/campaign/load-cache.ts). */
export function campaignCacheDir(): string {
  return resolve(process.env.AIRCOVER_STATE_DIR ?? '.aircover', 'cache', 'campaigns');
}
