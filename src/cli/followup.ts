/** What the follow-up commands (followups, report, mark, digest) share: the store and the campaigns. */
import type { Campaign } from '../lib/campaign/load.ts';
import type { FollowupCampaign } from '../lib/followup/model.ts';
import type { Store } from '../lib/store/index.ts';
import { campaignCacheDir } from './args.ts';
import { CliError } from './output.ts';

export const storeArgs = {
  url: {
    type: 'string',
    description: 'Database URL (postgres://… or sqlite:/path); default DATABASE_URL, else the SQLite file',
  },
} as const;

export async function withFollowup<T>(
  args: {
    url?: string | undefined;
    campaign?: string | undefined;
    dryRun?: boolean | undefined;
    /** The command only reads (followups, report, inbox list): it opens the store as a dry run does. */
    readOnly?: boolean | undefined;
  },
  /** `loaded`: every campaign as loaded (for what the follow-up model does not carry). */
  fn: (store: Store, campaigns: FollowupCampaign[], loaded: Campaign[]) => Promise<T>,
): Promise<T> {
  // Loaded when a command runs, not when `--help` lists it. The campaigns come from the cache
  // when nothing they read has changed, so no parser or schema library loads; a dry run reads
  // the cache but does not write it (it changes nothing, not even the state folder).
  const { loadAllCampaignsCached } = await import('../lib/campaign/load-cache.ts');
  const { followupCampaigns } = await import('../lib/followup/from-campaign.ts');
  const { openStore } = await import('../lib/store/index.ts');
  let campaigns: FollowupCampaign[];
  let loaded: Campaign[];
  try {
    const all = await loadAllCampaignsCached({
      campaignsDir: process.env.AIRCOVER_CAMPAIGNS_DIR ?? 'campaigns',
      cacheDir: campaignCacheDir(),
      readOnly: args.dryRun === true,
    });
    campaigns = followupCampaigns(all, args.campaign);
    loaded = all.campaigns;
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error));
  }
  // A dry run neither creates the SQLite file nor applies migrations (src/lib/store/index.ts),
  // and neither does a command that only reads: it changes nothing either. A store that cannot
  // be opened, or needs migrations, fails as itself: src/cli/errors.ts gives its code and hint.
  const store: Store = await openStore({
    ...(args.url ? { url: args.url } : {}),
    ...(args.dryRun || args.readOnly ? { dryRun: true } : {}),
  });
  try {
    return await fn(store, campaigns, loaded);
  } finally {
    await store.close();
  }
}

/**
 * The zone and locale a campaign's team views read in, from its campaign.yaml alone (for the
 * commands that list the store without loading the whole campaign). The schema's defaults apply
 * to a missing or unreadable field, as the loader would apply them.
 */
export async function campaignClock(folder: string): Promise<{ timeZone: string; locale: string }> {
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { parse } = await import('yaml');
  const { campaignSchema } = await import('../lib/campaign/schema.ts');
  let def: Record<string, unknown> = {};
  try {
    def = (parse(readFileSync(join(folder, 'campaign.yaml'), 'utf8')) as Record<string, unknown>) ?? {};
  } catch {
    // An unreadable campaign.yaml is `aircover check`'s to report; the listing still reads.
  }
  const field = <T>(
    schema: { safeParse: (v: unknown) => { success: boolean; data?: T } },
    value: unknown,
  ): T => (schema.safeParse(value).data ?? schema.safeParse(undefined).data) as T;
  return {
    timeZone: field<string>(campaignSchema.shape.timeZone, def.timeZone),
    locale: field<string>(campaignSchema.shape.locale, def.locale),
  };
}
