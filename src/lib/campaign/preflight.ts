/**
 * The preflight behind `aircover check`: loads a campaign, renders every touch for every
 * partner and the landing copy for every partner, and lints the campaign against the rules
 * from the seeds (DESIGN.md). Reports every problem at once. Lints are warnings unless
 * `strict`, which makes them errors.
 */
import { siteUrl } from '../personalize/links.ts';
import { isAdvanceCopy } from '../publishing.ts';
import { getSecret } from '../secret.ts';
import { contentKey } from './lint-earn.ts';
import { hasRecording, linksRecording, missingRecordingProblems } from './lint-links.ts';
import { lintNagging } from './lint-nagging.ts';
import { referrerNoteProblems } from './lint-referrer.ts';
import type { Campaign, Touch } from './load.ts';
import type { Partner } from './partners.ts';
import {
  campaignInputs,
  digest,
  digestPair,
  digestPartner,
  type MessageFacts,
  PreflightCache,
  preflightCacheFile,
} from './preflight-cache.ts';
import { error, type Problem, warning } from './problems.ts';

export interface PreflightOptions {
  /** Lints become errors. */
  strict?: boolean;
  secret?: string;
  baseUrl?: string;
  now?: Date;
  contentDir?: string;
  /** Only these touches: their messages and the lints that concern them (a send). */
  touches?: string[];
  /** Results of earlier runs; none by default. */
  cache?: PreflightCache;
  /** The folder of the cache files (the state folder's cache/preflight): checkCampaign opens one. */
  cacheDir?: string;
  /** Read the cache in `cacheDir` but write nothing to it (`send --dry-run`). */
  readOnlyCache?: boolean;
  /**
   * checkCampaign: load the campaign through the load cache kept here (load-cache.ts): from it
   * when no file it reads has changed (a content hash of every one, and of the loader's code, so
   * a hit is the very result a fresh load gives, warnings included), else afresh, keeping the
   * result, so that a `send` after a `check` finds it there. A dry-run send reads that cache but
   * never fills it.
   */
  campaignCacheDir?: string;
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
  /** Messages, pages and templates whose result came from an earlier run (inputs unchanged). */
  reused: number;
  problems: Problem[];
}

export async function preflightCampaign(
  campaign: Campaign,
  options: PreflightOptions = {},
): Promise<PreflightReport> {
  const problems: Problem[] = [];
  const lint = (code: string, message: string, where: Omit<Problem, 'severity' | 'code' | 'message'>) =>
    problems.push(options.strict ? error(code, message, where) : warning(code, message, where));
  const only = options.touches ? new Set(options.touches) : undefined;
  const checked = campaign.touches.filter((t) => !only || only.has(t.id));
  const renderOptions = {
    ...(options.secret !== undefined ? { secret: options.secret } : {}),
    ...(options.baseUrl !== undefined ? { baseUrl: options.baseUrl } : {}),
    ...(options.now !== undefined ? { now: options.now } : {}),
  };
  const cache = options.cache ?? PreflightCache.none();
  const keys = cacheKeys(campaign, options);

  // The templates of the touches checked (all of them for a whole check) compile once; their
  // problems depend on nothing else.
  const compileKey = keys && digest(keys, 'compile', checked);
  let compileProblems = compileKey ? cache.get<Problem[]>(compileKey) : undefined;
  if (!compileProblems) {
    const { compileTouch } = await import('../personalize/compile.ts');
    compileProblems = checked.flatMap((touch) => compileTouch(campaign, touch).problems);
    if (compileKey) cache.set(compileKey, compileProblems);
  }
  problems.push(...compileProblems);

  // Every message, partner by partner, keeping facts, not messages: memory stays flat as
  // partners grow. A follow-up's lint needs the links of the touches before it, so those are
  // looked at (from the cache, or rendered) without reporting their problems.
  const followUps = checked.filter((t) => t.kind === 'follow-up');
  const earliest = Math.max(...followUps.map((t) => t.at.getTime()), Number.NEGATIVE_INFINITY);
  const looked = campaign.touches.filter(
    (t) => !only || only.has(t.id) || (t.kind !== 'referrer-nudge' && t.at.getTime() < earliest),
  );
  const stale = new Map<string, string[]>();
  const missingOptOut = new Map<string, string[]>();
  const linkingRecording = new Set<string>();
  const reportedOnce = new Set<string>();
  let messages = 0;
  // A message's key: its touch's (hashed once per touch, not once per message) and its partner's.
  const touchKeys = new Map(looked.map((touch) => [touch.id, keys && digest(keys, touch)]));
  for (const partner of campaign.partners) {
    const partnerKey = keys && digestPartner(partner);
    const linked = new Map<string, string[]>();
    for (const touch of looked) {
      if (touch.kind === 'referrer-nudge' && !partner.referrer) continue;
      const touchKey = touchKeys.get(touch.id);
      const key = touchKey && partnerKey && digestPair(touchKey, partnerKey);
      let facts = key ? cache.get<MessageFacts>(key) : undefined;
      if (!facts) {
        facts = await messageFacts(campaign, touch, partner, renderOptions);
        if (key) cache.set(key, facts);
      }
      if (facts.rendered) linked.set(touch.id, facts.rendered.keys);
      if (only && !only.has(touch.id)) continue;
      if (facts.rendered) {
        messages++;
        if (!facts.rendered.optOut) push(missingOptOut, touch.id, partner.id);
        if (facts.rendered.recording) linkingRecording.add(touch.id);
        continue;
      }
      for (const problem of facts.problems) {
        if (
          problem.variable &&
          !problem.variable.startsWith('partner.') &&
          !problem.variable.startsWith('recipient.')
        ) {
          const once = `${touch.id}|${problem.field}|${problem.variable}`;
          if (reportedOnce.has(once)) continue;
          reportedOnce.add(once);
          const { partner: _p, row: _r, ...general } = problem;
          problems.push(general);
        } else {
          problems.push(problem);
        }
      }
    }
    // Lint: a follow-up must link something no earlier touch linked.
    for (const touch of followUps) {
      const own = linked.get(touch.id);
      if (!own) continue;
      const before = new Set<string>();
      for (const t of campaign.touches) {
        if (t.at.getTime() < touch.at.getTime() && t.kind !== 'referrer-nudge')
          for (const k of linked.get(t.id) ?? []) before.add(k);
      }
      if (!own.some((k) => !before.has(k))) push(stale, touch.id, partner.id);
    }
  }

  // The personal pages' copy, for a whole check (a send checks its messages only).
  let pages = 0;
  if (!only) {
    const landingOnce = new Set<string>();
    for (const partner of campaign.partners) {
      const key = keys && digest(keys, 'landing', partner);
      let found = key ? cache.get<Problem[]>(key) : undefined;
      if (!found) {
        const { tryRenderLandingCopy } = await import('../personalize/landing.ts');
        const result = tryRenderLandingCopy(campaign, partner, renderOptions);
        found = result.ok ? [] : result.problems;
        if (key) cache.set(key, found);
      }
      if (found.length === 0) {
        pages++;
        continue;
      }
      for (const problem of found) {
        const once = `${problem.field}|${problem.message}`;
        if (!problem.partner) {
          if (landingOnce.has(once)) continue;
          landingOnce.add(once);
        }
        problems.push(problem);
      }
    }
  }
  cache.save({ keepUnused: only !== undefined });

  for (const touch of checked) lintNagging(touch, lint);
  // Links to nothing: the recording before there is one.
  problems.push(
    ...missingRecordingProblems(campaign, linkingRecording, {
      now: options.now ?? new Date(),
      sending: options.sending,
    }),
  );
  // One note per referrer per touch (lint-referrer.ts).
  problems.push(...referrerNoteProblems(campaign, checked));
  for (const touch of followUps) {
    const ids = stale.get(touch.id);
    if (!ids) continue;
    lint(
      'lint.earn-the-response',
      `this follow-up links nothing an earlier touch did not already link (a post, the webinar, the recording…) for ${describePartners(ids)}`,
      {
        file: campaign.file,
        line: touch.line,
        field: `touches.${touch.index}`,
        touch: touch.id,
        template: touch.email.file,
      },
    );
  }
  for (const touch of checked) {
    const ids = missingOptOut.get(touch.id);
    if (!ids) continue;
    lint(
      'lint.no-opt-out',
      `offers no "not now" and "no thanks" path (set optOutLinks: true or link {{ links.not_now }} and {{ links.no_thanks }}) for ${describePartners(ids)}`,
      { file: campaign.file, line: touch.line, field: `touches.${touch.index}.optOutLinks`, touch: touch.id },
    );
  }

  // Lint: a referred partner needs a note to the referrer after silence (a whole check only).
  const referred = only ? [] : campaign.partners.filter((p) => p.referrer);
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
    touches: checked.length,
    messages,
    pages,
    reused: cache.hits,
    problems: tagged,
  };
}

/** Renders one message and keeps what the lints need of it; the message itself is dropped. */
async function messageFacts(
  campaign: Campaign,
  touch: Touch,
  partner: Partner,
  renderOptions: { secret?: string; baseUrl?: string; now?: Date },
): Promise<MessageFacts> {
  // MJML, Liquid and Markdown load on the first message that is not in the cache.
  const { tryRenderLinks } = await import('../email/render/index.ts');
  const message = await tryRenderLinks(campaign, touch, partner, renderOptions);
  if (!message.ok) return { problems: message.problems };
  const optOut =
    message.recipient === 'referrer'
      ? touch.optOutLinks || message.links.filter((href) => href === message.unsubscribeUrl).length >= 2
      : message.links.some((href) => /\/p\/[^/]+\/[^#]*#not-now$/.test(href)) &&
        message.links.some((href) => /\/p\/[^/]+\/[^#]*#no-thanks$/.test(href));
  const recording = hasRecording(campaign);
  const keys = [
    ...new Set(
      message.links.map((href) => contentKey(href, recording)).filter((k): k is string => k !== undefined),
    ),
  ];
  return { problems: [], rendered: { keys, optOut, recording: message.links.some(linksRecording) } };
}

/**
 * What every key of this campaign's cache starts with: the campaign's own inputs and the options
 * that change a rendering. Undefined (no caching) when the secret cannot be read: the rendering
 * then reports why.
 */
function cacheKeys(campaign: Campaign, options: PreflightOptions): string | undefined {
  try {
    const secret = options.secret ?? getSecret(process.env, () => {});
    return digest(
      campaignInputs(campaign),
      digest(secret),
      options.baseUrl ?? siteUrl(),
      isAdvanceCopy(campaign.paper.data, options.now ?? new Date()),
    );
  } catch {
    return undefined;
  }
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function describePartners(ids: string[]): string {
  return ids.length <= 5 ? ids.join(', ') : `${ids.slice(0, 5).join(', ')} and ${ids.length - 5} more`;
}

/** Loads and checks one campaign folder. */
export async function checkCampaign(dir: string, options: PreflightOptions = {}): Promise<PreflightReport> {
  // The loader (yaml, csv-parse, zod) loads here, not with the preflight: `send` hands the
  // preflight a campaign it may have from the load cache (load-cache.ts).
  const contentDir = options.contentDir !== undefined ? { contentDir: options.contentDir } : {};
  const loaded = options.campaignCacheDir
    ? await (await import('./load-cache.ts')).loadCampaignCached(dir, {
        ...contentDir,
        cacheDir: options.campaignCacheDir,
      })
    : (await import('./load.ts')).loadCampaign(dir, contentDir);
  if (!loaded.ok) {
    if (!loaded.partial) return failedLoad(dir, loaded.problems);
    // What loaded is still rendered (uncached: it is not the whole campaign), so a bad CSV row
    // never hides a template's problems.
    const { cache: _cache, cacheDir: _cacheDir, ...uncached } = options;
    const report = await preflightCampaign(loaded.partial, uncached);
    return withProblems(report, loaded.problems);
  }
  const report = await preflightCampaign(loaded.campaign, withCache(loaded.campaign, options));
  return withProblems(report, loaded.problems);
}

/** Checks every campaign under `campaignsDir`. */
export async function checkAllCampaigns(
  campaignsDir: string,
  options: PreflightOptions = {},
): Promise<{ reports: PreflightReport[]; problems: Problem[] }> {
  // Each campaign folder on its own: one with errors is reported (with what still rendered),
  // never dropped from the run.
  const reports: PreflightReport[] = [];
  const { campaignFolders } = await import('./load.ts');
  for (const dir of campaignFolders(campaignsDir)) reports.push(await checkCampaign(dir, options));
  return { reports, problems: [] };
}

/** The options with the campaign's cache opened, when a cache folder is given. */
export function withCache(campaign: Campaign, options: PreflightOptions): PreflightOptions {
  if (options.cache || !options.cacheDir) return options;
  const file = preflightCacheFile(options.cacheDir, campaign.id);
  return { ...options, cache: new PreflightCache(file, { readOnly: options.readOnlyCache === true }) };
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
    reused: 0,
    problems,
  };
}

function withProblems(report: PreflightReport, extra: Problem[]): PreflightReport {
  if (extra.length === 0) return report;
  const problems = [...extra, ...report.problems];
  const errors = problems.filter((p) => p.severity === 'error').length;
  return { ...report, problems, errors, warnings: problems.length - errors, ok: errors === 0 };
}
