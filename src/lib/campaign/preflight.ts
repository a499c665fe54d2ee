/**
 * The preflight behind `aircover check`: loads a campaign, renders every touch for every
 * partner and the landing copy for every partner, and lints the campaign against the rules
 * from the seeds (DESIGN.md). Reports every problem at once. Lints are warnings unless
 * `strict`, which makes them errors.
 */
import { type RenderedMessage, tryRenderMessage } from '../email/render/index.ts';
import { compileCampaign } from '../personalize/compile.ts';
import { tryRenderLandingCopy } from '../personalize/landing.ts';
import { hasRecording, missingRecordingProblems } from './lint-links.ts';
import { type Campaign, loadAllCampaigns, loadCampaign, type Touch } from './load.ts';
import { error, type Problem, warning } from './problems.ts';

export interface PreflightOptions {
  /** Lints become errors. */
  strict?: boolean;
  secret?: string;
  baseUrl?: string;
  now?: Date;
  contentDir?: string;
  /** Touches about to be sent (`aircover send --touch`): checked as if due (lint-links.ts). */
  sending?: readonly string[];
}

export interface PreflightReport {
  campaign: string;
  ok: boolean;
  errors: number;
  warnings: number;
  partners: number;
  touches: number;
  /** Messages rendered (touch × partner, referrer nudges only for referred partners). */
  messages: number;
  /** Personal pages whose copy rendered. */
  pages: number;
  problems: Problem[];
}

/** Phrases that claim a response is owed instead of earning one (seed 002). */
export const naggingPhrases: { pattern: RegExp; label: string }[] = [
  {
    pattern: /did you (get|receive|see|read) my (last|previous|earlier) (e-?mail|message|note|mail)/i,
    label: 'did you get my last email',
  },
  { pattern: /\bjust (following|checking) (up|in)\b/i, label: 'just following up' },
  { pattern: /\bchecking in\b/i, label: 'checking in' },
  { pattern: /\bfollowing up on my (last|previous|earlier)\b/i, label: 'following up on my last' },
  { pattern: /\bas per my (last|previous) (e-?mail|message)/i, label: 'as per my last email' },
  { pattern: /\b(bumping|bump) (this|my)\b/i, label: 'bumping this' },
  { pattern: /\bcircling back\b/i, label: 'circling back' },
  { pattern: /\bhaven'?t heard back\b/i, label: "haven't heard back" },
];

const contentAnchors = new Set(['paper', 'webinar', 'recording']);

/**
 * What a link offers, for "earn the response": the paper, webinar, recording (on the personal
 * page or public), posts and any outside page. Navigation (the bare personal page, call,
 * feedback, not-now, no-thanks, unsubscribe, mail addresses) offers nothing new.
 */
export function contentKey(href: string, recording = true): string | undefined {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  url.searchParams.delete('t');
  const anchor = url.hash.replace(/^#/, '');
  // The recording is something new only once it exists (lint-links.ts).
  if (anchor === 'recording' && !recording) return undefined;
  if (url.pathname.startsWith('/p/')) return contentAnchors.has(anchor) ? `page#${anchor}` : undefined;
  if (url.pathname.startsWith('/unsubscribe/') || url.pathname.startsWith('/api/')) return undefined;
  return `${url.origin}${url.pathname}${url.search}`;
}

export async function preflightCampaign(
  campaign: Campaign,
  options: PreflightOptions = {},
): Promise<PreflightReport> {
  const problems: Problem[] = [];
  const lint = (code: string, message: string, where: Omit<Problem, 'severity' | 'code' | 'message'>) =>
    problems.push(options.strict ? error(code, message, where) : warning(code, message, where));
  const compiled = compileCampaign(campaign);
  problems.push(...compiled.problems.filter((p) => !p.field?.startsWith('landing.')));
  const renderOptions = {
    ...(options.secret !== undefined ? { secret: options.secret } : {}),
    ...(options.baseUrl !== undefined ? { baseUrl: options.baseUrl } : {}),
    ...(options.now !== undefined ? { now: options.now } : {}),
  };

  // Render everything. A variable that is not the partner's fails for everyone: report it once.
  const rendered = new Map<string, Map<string, RenderedMessage>>();
  const reportedOnce = new Set<string>();
  let messages = 0;
  for (const touch of campaign.touches) {
    const byPartner = new Map<string, RenderedMessage>();
    rendered.set(touch.id, byPartner);
    if (!compiled.touches.has(touch.id)) continue;
    for (const partner of campaign.partners) {
      if (touch.kind === 'referrer-nudge' && !partner.referrer) continue;
      const result = await tryRenderMessage(campaign, touch, partner, renderOptions);
      if (result.ok) {
        byPartner.set(partner.id, result.message);
        messages++;
        continue;
      }
      for (const problem of result.problems) {
        if (
          problem.variable &&
          !problem.variable.startsWith('partner.') &&
          !problem.variable.startsWith('recipient.')
        ) {
          const key = `${touch.id}|${problem.field}|${problem.variable}`;
          if (reportedOnce.has(key)) continue;
          reportedOnce.add(key);
          const { partner: _p, row: _r, ...general } = problem;
          problems.push(general);
        } else {
          problems.push(problem);
        }
      }
    }
  }
  let pages = 0;
  const landingOnce = new Set<string>();
  for (const partner of campaign.partners) {
    const result = tryRenderLandingCopy(campaign, partner, renderOptions);
    if (result.ok) {
      pages++;
      continue;
    }
    for (const problem of result.problems) {
      const key = `${problem.field}|${problem.message}`;
      if (!problem.partner) {
        if (landingOnce.has(key)) continue;
        landingOnce.add(key);
      }
      problems.push(problem);
    }
  }

  // Lint: nagging phrases, in the template sources.
  for (const touch of campaign.touches) {
    const { email } = touch;
    const sources: [string, string, number][] = [
      ['subject', email.subject, email.subjectLine],
      ['preheader', email.preheader ?? '', email.preheaderLine],
      ...email.body
        .split('\n')
        .map((line, i): [string, string, number] => ['body', line, email.bodyLine + i]),
    ];
    for (const [field, text, line] of sources) {
      for (const { pattern, label } of naggingPhrases) {
        if (pattern.test(text)) {
          lint('lint.nagging', `"${label}" claims a response is owed; earn it with something new instead`, {
            file: email.file,
            line,
            field,
            touch: touch.id,
          });
        }
      }
    }
  }

  // Links to nothing: the recording before there is one.
  problems.push(
    ...missingRecordingProblems(campaign, rendered, {
      now: options.now ?? new Date(),
      sending: options.sending,
    }),
  );
  const recording = hasRecording(campaign);

  // Lint: a follow-up must link something no earlier touch linked.
  for (const touch of campaign.touches) {
    if (touch.kind !== 'follow-up') continue;
    const earlier = campaign.touches.filter(
      (t: Touch) => t.at.getTime() < touch.at.getTime() && t.kind !== 'referrer-nudge',
    );
    const stale: string[] = [];
    for (const [partnerId, message] of rendered.get(touch.id) ?? []) {
      const before = new Set<string>();
      for (const t of earlier) {
        for (const href of rendered.get(t.id)?.get(partnerId)?.links ?? []) {
          const key = contentKey(href, recording);
          if (key) before.add(key);
        }
      }
      const fresh = message.links
        .map((href) => contentKey(href, recording))
        .filter((key): key is string => key !== undefined && !before.has(key));
      if (fresh.length === 0) stale.push(partnerId);
    }
    if (stale.length > 0) {
      lint(
        'lint.earn-the-response',
        `this follow-up links nothing an earlier touch did not already link (a post, the webinar, the recording…) for ${describePartners(stale)}`,
        {
          file: campaign.file,
          line: touch.line,
          field: `touches.${touch.index}`,
          touch: touch.id,
          template: touch.email.file,
        },
      );
    }
  }

  // Lint: every message offers a way to say "not now" and "no thanks".
  for (const touch of campaign.touches) {
    const missing: string[] = [];
    for (const [partnerId, message] of rendered.get(touch.id) ?? []) {
      const ok =
        message.recipient === 'referrer'
          ? touch.optOutLinks || message.links.filter((href) => href === message.unsubscribeUrl).length >= 2
          : message.links.some((href) => /\/p\/[^/]+\/[^#]*#not-now$/.test(href)) &&
            message.links.some((href) => /\/p\/[^/]+\/[^#]*#no-thanks$/.test(href));
      if (!ok) missing.push(partnerId);
    }
    if (missing.length > 0) {
      lint(
        'lint.no-opt-out',
        `offers no "not now" and "no thanks" path (set optOutLinks: true or link {{ links.not_now }} and {{ links.no_thanks }}) for ${describePartners(missing)}`,
        {
          file: campaign.file,
          line: touch.line,
          field: `touches.${touch.index}.optOutLinks`,
          touch: touch.id,
        },
      );
    }
  }

  // Lint: a referred partner needs a note to the referrer after silence.
  const referred = campaign.partners.filter((p) => p.referrer);
  if (referred.length > 0 && !campaign.touches.some((t) => t.kind === 'referrer-nudge')) {
    for (const partner of referred) {
      lint(
        'lint.no-referrer-nudge',
        `was referred by ${partner.referrer?.name ?? 'someone'}, but the campaign has no referrer-nudge touch to let them know when the partner stays silent`,
        {
          file: campaign.partnersFile,
          line: partner.line,
          row: partner.row,
          field: 'referrer_name',
          partner: partner.id,
        },
      );
    }
  }

  const tagged = problems.map((p) => ({ campaign: campaign.id, ...p }));
  const errors = tagged.filter((p) => p.severity === 'error').length;
  return {
    campaign: campaign.id,
    ok: errors === 0,
    errors,
    warnings: tagged.length - errors,
    partners: campaign.partners.length,
    touches: campaign.touches.length,
    messages,
    pages,
    problems: tagged,
  };
}

function describePartners(ids: string[]): string {
  return ids.length <= 5 ? ids.join(', ') : `${ids.slice(0, 5).join(', ')} and ${ids.length - 5} more`;
}

/** Loads and checks one campaign folder. */
export async function checkCampaign(dir: string, options: PreflightOptions = {}): Promise<PreflightReport> {
  const loaded = loadCampaign(
    dir,
    options.contentDir !== undefined ? { contentDir: options.contentDir } : {},
  );
  if (!loaded.ok) return failedLoad(dir, loaded.problems);
  const report = await preflightCampaign(loaded.campaign, options);
  return withProblems(report, loaded.problems);
}

/** Checks every campaign under `campaignsDir`. */
export async function checkAllCampaigns(
  campaignsDir: string,
  options: PreflightOptions = {},
): Promise<{ reports: PreflightReport[]; problems: Problem[] }> {
  const { campaigns, problems } = loadAllCampaigns({
    campaignsDir,
    ...(options.contentDir !== undefined ? { contentDir: options.contentDir } : {}),
  });
  const reports: PreflightReport[] = [];
  for (const campaign of campaigns) reports.push(await preflightCampaign(campaign, options));
  return { reports, problems };
}

function failedLoad(dir: string, problems: Problem[]): PreflightReport {
  const errors = problems.filter((p) => p.severity === 'error').length;
  return {
    campaign: dir.split(/[\\/]/).filter(Boolean).pop() ?? dir,
    ok: false,
    errors,
    warnings: problems.length - errors,
    partners: 0,
    touches: 0,
    messages: 0,
    pages: 0,
    problems,
  };
}

function withProblems(report: PreflightReport, extra: Problem[]): PreflightReport {
  if (extra.length === 0) return report;
  const problems = [...extra, ...report.problems];
  const errors = problems.filter((p) => p.severity === 'error').length;
  return { ...report, problems, errors, warnings: problems.length - errors, ok: errors === 0 };
}
