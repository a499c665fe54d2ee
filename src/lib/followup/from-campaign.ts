/**
 * The follow-up view of a loaded campaign (src/lib/campaign). Apart from the loader (campaign.ts)
 * so that a command with the campaigns from the cache (campaign/load-cache.ts) loads no parser.
 */
import type { Campaign } from '../campaign/load.ts';
import { formatProblem, hasErrors, type Problem } from '../campaign/problems.ts';
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

/**
 * The campaigns as the follow-up commands use them: refused when any has an error (run
 * `aircover check`), only `only` when given (an unknown one is named with the ones there are).
 */
export function followupCampaigns(
  loaded: { campaigns: readonly Campaign[]; problems: readonly Problem[] },
  only?: string,
): FollowupCampaign[] {
  if (hasErrors(loaded.problems)) {
    const errors = loaded.problems.filter((p) => p.severity === 'error').map(formatProblem);
    throw new Error(`The campaigns have errors; run \`aircover check\`.\n${errors.slice(0, 10).join('\n')}`);
  }
  const list = loaded.campaigns.map(fromCampaign);
  if (only) {
    const one = list.filter((c) => c.id === only);
    if (!one.length)
      throw new Error(`no campaign "${only}" (campaigns: ${list.map((c) => c.id).join(', ') || 'none'})`);
    return one;
  }
  return list;
}
