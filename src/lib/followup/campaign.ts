/** The follow-up view of a loaded campaign (src/lib/campaign), and loading all of them. */
import { type Campaign, loadAllCampaigns } from '../campaign/load.ts';
import { formatProblem, hasErrors } from '../campaign/problems.ts';
import type { FollowupCampaign } from './model.ts';

export function fromCampaign(c: Campaign): FollowupCampaign {
  const webinar = c.webinar;
  const start = webinar ? new Date(webinar.data.start) : undefined;
  return {
    id: c.id,
    name: c.def.name,
    timeZone: c.def.timeZone,
    locale: c.def.locale,
    webinar:
      webinar && start
        ? {
            id: webinar.id,
            title: webinar.data.title,
            start,
            end: new Date(start.getTime() + webinar.data.durationMinutes * 60_000),
            status: webinar.data.status === 'cancelled' ? 'cancelled' : 'confirmed',
          }
        : undefined,
    touches: c.touches.map((t) => ({
      id: t.id,
      kind: t.kind,
      audience: t.audience,
      at: t.at,
      template: t.template,
      subject: t.email.subject,
    })),
    partners: c.partners.map((p) => ({
      id: p.id,
      email: p.email,
      company: p.company,
      firstName: p.firstName,
      lastName: p.lastName,
      owner: p.owner,
      tags: p.tags,
      gatekeepers: p.gatekeepers,
      referrer: p.referrer,
    })),
    scoring: c.def.scoring,
    sameCompany: c.def.sameCompany,
    paperTitle: c.paper.data.title,
    posts: c.posts.map((p) => p.data.title),
    sender: { name: c.def.sender.name, email: c.def.sender.email },
  };
}

export interface LoadFollowupOptions {
  campaignsDir?: string;
  contentDir?: string;
  /** Only this campaign (its folder name). */
  only?: string;
}

/** Every campaign in the campaigns folder, converted; a campaign with errors throws. */
export function loadFollowupCampaigns(options: LoadFollowupOptions = {}): FollowupCampaign[] {
  const { campaigns, problems } = loadAllCampaigns({
    campaignsDir: options.campaignsDir ?? process.env.AIRCOVER_CAMPAIGNS_DIR ?? 'campaigns',
    ...(options.contentDir ? { contentDir: options.contentDir } : {}),
  });
  if (hasErrors(problems)) {
    const errors = problems.filter((p) => p.severity === 'error').map(formatProblem);
    throw new Error(`The campaigns have errors; run \`aircover check\`.\n${errors.slice(0, 10).join('\n')}`);
  }
  const list = campaigns.map(fromCampaign);
  if (options.only) {
    const one = list.filter((c) => c.id === options.only);
    if (!one.length)
      throw new Error(
        `no campaign "${options.only}" (campaigns: ${list.map((c) => c.id).join(', ') || 'none'})`,
      );
    return one;
  }
  return list;
}
