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
