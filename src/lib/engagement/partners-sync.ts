/**
 * How the server knows tokens: every campaign's partners, with their HMAC tokens, are upserted
 * into the store (at server start, and by anything else that calls `syncPartners`). Endpoints then
 * resolve a token with `findPartnerByToken`, which works the same on a serverless host sharing a
 * Postgres database as on one machine.
 */
import { type Campaign, loadAllCampaigns } from '../campaign/load.ts';
import { campaignsDir } from '../campaign/site.ts';
import { partnerToken } from '../personalize/token.ts';
import type { PartnerInput, Store } from '../store/types.ts';

export interface SyncResult {
  campaigns: number;
  partners: number;
  inserted: number;
  updated: number;
  /** Campaigns left out because they have errors (`aircover check` explains). */
  skipped: string[];
}

export async function syncPartners(
  store: Store,
  options: { campaignsDir?: string; secret?: string } = {},
): Promise<SyncResult> {
  const { campaigns, problems } = loadAllCampaigns({ campaignsDir: options.campaignsDir ?? campaignsDir() });
  const errorFiles = problems.filter((p) => p.severity === 'error' && p.file).map((p) => p.file as string);
  const skipped = [...new Set(errorFiles.map((file) => file.split(/[\\/]/).at(-2) ?? file))].filter(
    (name) => !campaigns.some((c) => c.id === name),
  );
  const result: SyncResult = { campaigns: 0, partners: 0, inserted: 0, updated: 0, skipped };
  for (const campaign of campaigns) {
    const counts = await syncCampaignPartners(store, campaign, options);
    result.campaigns += 1;
    result.partners += campaign.partners.length;
    result.inserted += counts.inserted;
    result.updated += counts.updated;
  }
  return result;
}

/** One campaign's partners into the store (`aircover send` does this before it sends). */
export function syncCampaignPartners(
  store: Store,
  campaign: Campaign,
  options: { secret?: string } = {},
): Promise<{ inserted: number; updated: number }> {
  return store.upsertPartners(campaign.id, partnerRows(campaign, options.secret));
}

/** A campaign's partners as the store keeps them: token, contact, and the rest under `data`. */
export function partnerRows(campaign: Campaign, secret?: string): PartnerInput[] {
  return campaign.partners.map((p) => ({
    partnerId: p.id,
    token: partnerToken(campaign.id, p.id, secret),
    email: p.email,
    company: p.company,
    firstName: p.firstName,
    lastName: p.lastName ?? null,
    owner: p.owner ?? null,
    referrerEmail: p.referrer?.email ?? null,
    data: {
      fields: p.fields,
      timeZone: p.timeZone,
      tags: p.tags,
      webinar: campaign.webinar?.id ?? null,
      paper: campaign.paper.id,
    },
  }));
}
