/**
 * The campaigns as the site builds them: loaded once per build, refused when any has an
 * error (a broken personal page is a broken first impression), and flattened into one entry
 * per partner page.
 */

import type { CardContent } from '../og/card.ts';
import { partnerToken } from '../personalize/token.ts';
import { campaignsDir } from './dirs.ts';
import type { Campaign } from './load.ts';
import { loadAllCampaigns } from './load.ts';
import type { Partner } from './partners.ts';
import { formatProblem, hasErrors } from './problems.ts';

// A type alias rather than an interface: Astro's page props need an implicit index signature.
export type PartnerPage = {
  token: string;
  campaign: Campaign;
  partner: Partner;
};

let cached: Campaign[] | undefined;

// Where the campaigns are, in a module of its own: commands that only need the folder load no loader.
export { campaignsDir } from './dirs.ts';

export function siteCampaigns(): Campaign[] {
  if (cached) return cached;
  const { campaigns, problems } = loadAllCampaigns({ campaignsDir: campaignsDir() });
  if (hasErrors(problems)) {
    const errors = problems.filter((p) => p.severity === 'error').map(formatProblem);
    throw new Error(
      `The campaigns have errors; run \`aircover check\` for the full report.\n${errors.join('\n')}`,
    );
  }
  cached = campaigns;
  return campaigns;
}

export function partnerPages(): PartnerPage[] {
  return siteCampaigns().flatMap((campaign) =>
    campaign.partners.map((partner) => ({ token: partnerToken(campaign.id, partner.id), campaign, partner })),
  );
}

/** The card a partner's page shares: "Prepared for <company>", so it looks made for them. */
export function partnerCard({ campaign, partner }: PartnerPage, siteName: string): CardContent {
  return {
    eyebrow: `Prepared for ${partner.company}`,
    title: campaign.paper.data.title,
    subtitle: campaign.paper.data.subtitle,
    footer: siteName,
    accent: '#b45309',
  };
}
