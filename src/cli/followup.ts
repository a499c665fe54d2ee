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
  args: { url?: string | undefined; campaign?: string | undefined; dryRun?: boolean | undefined },
  /** `loaded`: every campaign as loaded (for what the follow-up model does not carry). */
  fn: (store: Store, campaigns: FollowupCampaign[], loaded: Campaign[]) => Promise<T>,
): Promise<T> {
  // Loaded when a command runs, not when `--help` lists it. The campaigns come from the cache
  // when nothing they read has changed, so no parser or schema library loads.
  const { loadAllCampaignsCached } = await import('../lib/campaign/load-cache.ts');
  const { followupCampaigns } = await import('../lib/followup/from-campaign.ts');
  const { isStoreUnavailable, openStore } = await import('../lib/store/index.ts');
  let campaigns: FollowupCampaign[];
  let loaded: Campaign[];
  try {
    const all = await loadAllCampaignsCached({
      campaignsDir: process.env.AIRCOVER_CAMPAIGNS_DIR ?? 'campaigns',
      cacheDir: campaignCacheDir(),
    });
    campaigns = followupCampaigns(all, args.campaign);
    loaded = all.campaigns;
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error));
  }
  let store: Store;
  try {
    // A dry run neither creates the SQLite file nor applies migrations (src/lib/store/index.ts).
    store = await openStore({
      ...(args.url ? { url: args.url } : {}),
      ...(args.dryRun ? { dryRun: true } : {}),
    });
  } catch (error) {
    if (isStoreUnavailable(error)) throw new CliError(error.message);
    throw error;
  }
  try {
    return await fn(store, campaigns, loaded);
  } finally {
    await store.close();
  }
}

/** `2027-01-14 09:30` in UTC, or `—`. */
export function shortTime(iso: string | null): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : '—';
}
