/** The follow-up view of a loaded campaign (src/lib/campaign), and loading all of them. */
import { loadAllCampaigns } from '../campaign/load.ts';
import { followupCampaigns } from './from-campaign.ts';
import type { FollowupCampaign } from './model.ts';

export { fromCampaign } from './from-campaign.ts';

export interface LoadFollowupOptions {
  campaignsDir?: string;
  contentDir?: string;
  /** Only this campaign (its folder name). */
  only?: string;
}

/** Every campaign in the campaigns folder, converted; a campaign with errors throws. */
export function loadFollowupCampaigns(options: LoadFollowupOptions = {}): FollowupCampaign[] {
  const loaded = loadAllCampaigns({
    campaignsDir: options.campaignsDir ?? process.env.AIRCOVER_CAMPAIGNS_DIR ?? 'campaigns',
    ...(options.contentDir ? { contentDir: options.contentDir } : {}),
  });
  return followupCampaigns(loaded, options.only);
}
