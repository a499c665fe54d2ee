/**
 * Argument definitions the commands share, so a flag reads and defaults the same everywhere,
 * and the one way a campaign argument becomes a folder.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CliError, ExitCode } from './output.ts';

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
