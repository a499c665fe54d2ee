/** What the follow-up commands (followups, report, mark, digest) share: the store and the campaigns. */
import type { FollowupCampaign } from '../lib/followup/model.ts';
import type { Store } from '../lib/store/index.ts';
import { CliError } from './output.ts';

export const storeArgs = {
  url: {
    type: 'string',
    description: 'Database URL (postgres://… or sqlite:/path); default DATABASE_URL, else the SQLite file',
  },
} as const;

export async function withFollowup<T>(
  args: { url?: string | undefined; campaign?: string | undefined; dryRun?: boolean | undefined },
  fn: (store: Store, campaigns: FollowupCampaign[]) => Promise<T>,
): Promise<T> {
  // Loaded when a command runs, not when `--help` lists it.
  const { loadFollowupCampaigns } = await import('../lib/followup/campaign.ts');
  const { isStoreUnavailable, openStore } = await import('../lib/store/index.ts');
  let campaigns: FollowupCampaign[];
  try {
    campaigns = loadFollowupCampaigns(args.campaign ? { only: args.campaign } : {});
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
    return await fn(store, campaigns);
  } finally {
    await store.close();
  }
}

/** `2027-01-14 09:30` in UTC, or `—`. */
export function shortTime(iso: string | null): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : '—';
}
