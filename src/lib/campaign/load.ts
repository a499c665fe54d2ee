/**
 * Loads `campaigns/<id>/`: campaign.yaml, partners.csv and the email templates, checked
 * against content/. Returns a fully validated model, or every problem found (never just the
 * first), each naming its file and line (or row) and field.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import {
  type BlogData,
  type ContentEntry,
  readContent,
  type WebinarData,
  type WhitepaperData,
} from '../content/read.ts';
import { effectiveWindow } from '../email/send/window.ts';
import { checkLoosely, contentRefs, type EmailTemplate, loadTemplate } from './load-parts.ts';
import { locate } from './locate.ts';
import { type Partner, parsePartners } from './partners.ts';
import { error, hasErrors, type Problem } from './problems.ts';
import { resolveSchedule } from './schedule.ts';
import { type CampaignDef, campaignSchema, type SendWindowDef, type TouchDef } from './schema.ts';

export interface Touch extends TouchDef {
  /** When it goes out, resolved. */
  at: Date;
  /** Position in campaign.yaml's touches list (0-based). */
  index: number;
  /** Line of the touch in campaign.yaml. */
  line: number;
  email: EmailTemplate;
  /** When messages may arrive on the recipient's clock (campaign sendWindow + the touch's own). */
  window?: SendWindowDef;
}

export interface Campaign {
  /** The folder name: campaign id in tokens, the ledger and URLs. */
  id: string;
  dir: string;
  /** Path of campaign.yaml. */
  file: string;
  def: CampaignDef;
  /** Line of every landing field in campaign.yaml (for template errors). */
  landingLines: Partial<Record<keyof CampaignDef['landing'], number>>;
  paper: ContentEntry<WhitepaperData>;
  webinar?: ContentEntry<WebinarData>;
  posts: ContentEntry<BlogData>[];
  partnersFile: string;
  /** Normalized partners.csv header, in file order. */
  columns: string[];
  partners: Partner[];
  /** Sorted by time, then by their order in the file. */
  touches: Touch[];
}

export type LoadResult =
  | { ok: true; campaign: Campaign; problems: Problem[] }
  /**
   * `partial`: the campaign as far as it loaded (valid partners and touches only) when its
   * content is sound, so the preflight still renders the templates and reports their problems
   * beside the CSV's: one stage's problem never hides another's.
   */
  | { ok: false; problems: Problem[]; partial?: Campaign };

export interface LoadOptions {
  /** The content folder (papers, posts, webinars). Default: AIRCOVER_CONTENT_DIR or `content`. */
  contentDir?: string;
}

const defaultContentDir = () => process.env.AIRCOVER_CONTENT_DIR ?? 'content';

export function loadCampaign(
  dir: string,
  { contentDir = defaultContentDir() }: LoadOptions = {},
): LoadResult {
  const id = basename(dir);
  const file = join(dir, 'campaign.yaml');
  const problems: Problem[] = [];
  if (!/^[a-z0-9][a-z0-9-]*$/.test(id)) {
    problems.push(
      error('campaign.bad-id', `the folder name "${id}" must be lower-case letters, digits and dashes`, {
        file: dir,
      }),
    );
  }
  if (!existsSync(file)) {
    return {
      ok: false,
      problems: [...problems, error('campaign.missing', 'campaign.yaml not found', { file })],
    };
  }
  const counter = new LineCounter();
  const doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter: counter, prettyErrors: false });
  for (const e of doc.errors) {
    const { line, col } = counter.linePos(e.pos[0]);
    problems.push(error('yaml.syntax', e.message.split('\n')[0] ?? e.message, { file, line, column: col }));
  }
  if (doc.errors.length > 0) {
    // campaign.yaml is unreadable, but the partner list and the templates can still be checked.
    checkLoosely(dir, {}, problems, contentDir);
    return { ok: false, problems: problems.map((p) => ({ campaign: id, ...p })) };
  }
  const at = (path: readonly PropertyKey[]) => ({
    file,
    ...locate(doc, counter, path),
    field: path.map(String).join('.'),
  });

  const parsed = campaignSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
      for (const key of keys) {
        const path = key === undefined ? issue.path : [...issue.path, key];
        const message =
          issue.code === 'unrecognized_keys'
            ? `unknown field "${String(key)}"`
            : issue.code === 'invalid_union' && issue.path.at(-1) === 'when'
              ? 'must be an ISO time with offset, { after: <touch>, offset: 3d } or { webinar: -1d }'
              : issue.message;
        problems.push(error('yaml.field', message, at(path)));
      }
    }
    checkLoosely(dir, doc.toJS(), problems, contentDir, at);
    return { ok: false, problems: problems.map((p) => ({ campaign: id, ...p })) };
  }
  const def = parsed.data;

  // Content references: a missing entry is named; an invalid one is reported with its own
  // file, line and field (the cause), not as missing.
  const content = readContent(contentDir);
  const refs = contentRefs(content, contentDir, problems, {
    whitepaper: { slug: def.whitepaper, where: at(['whitepaper']) },
    ...(def.webinar ? { webinar: { slug: def.webinar, where: at(['webinar']) } } : {}),
    posts: def.posts.map((slug, i) => ({ slug, where: at(['posts', i]) })),
    ...(def.sender.author ? { author: { slug: def.sender.author, where: at(['sender', 'author']) } } : {}),
  });
  const paper = refs.paper;
  const webinar = refs.webinar;
  const posts = refs.posts;

  // Touches: unique ids, templates, schedule.
  const seen = new Map<string, number>();
  const emails = new Map<number, EmailTemplate>();
  def.touches.forEach((touch, i) => {
    const first = seen.get(touch.id);
    if (first !== undefined)
      problems.push(
        error(
          'touch.duplicate-id',
          `duplicate touch id "${touch.id}" (first at touches.${first})`,
          at(['touches', i, 'id']),
        ),
      );
    else seen.set(touch.id, i);
    const loaded = loadTemplate(join(dir, touch.template), at(['touches', i, 'template']));
    problems.push(...loaded.problems);
    if (loaded.template) emails.set(i, loaded.template);
  });
  const { times, problems: scheduleProblems } = resolveSchedule(
    def.touches.map((t, i) => ({ id: t.id, when: t.when, where: at(['touches', i, 'when']) })),
    webinar?.data.start,
  );
  // A webinar that is there but invalid is reported above; "no webinar" would only repeat it.
  problems.push(
    ...scheduleProblems.filter((p) => !(refs.webinarInvalid && p.code === 'schedule.no-webinar')),
  );
  const windows = new Map<number, SendWindowDef>();
  def.touches.forEach((touch, i) => {
    const { window, problem } = effectiveWindow(def.sendWindow, touch.sendWindow);
    if (window) windows.set(i, window);
    if (problem)
      problems.push(
        error('touch.send-window', problem.message, at(['touches', i, 'sendWindow', problem.field])),
      );
  });

  // Partners.
  const partnersFile = join(dir, def.partners);
  let partners: Partner[] = [];
  let columns: string[] = [];
  if (!existsSync(partnersFile)) {
    problems.push(
      error('csv.missing', `${def.partners} not found`, { ...at(['partners']), file: partnersFile }),
    );
  } else {
    const { list, problems: csvProblems } = parsePartners(
      readFileSync(partnersFile, 'utf8'),
      partnersFile,
      def.timeZone,
    );
    problems.push(...csvProblems.map((p) => ({ ...p, campaign: id })));
    partners = list.partners;
    columns = list.columns;
    if (partners.length === 0 && list.columns.length > 0) {
      problems.push(error('csv.no-partners', 'the partner list is empty', { file: partnersFile, line: 2 }));
    }
  }

  const failed = hasErrors(problems);
  if (!paper) return { ok: false, problems: problems.map((p) => ({ campaign: id, ...p })) };

  const landingLines: Campaign['landingLines'] = {};
  for (const key of Object.keys(def.landing) as (keyof CampaignDef['landing'])[]) {
    landingLines[key] = locate(doc, counter, ['landing', key])?.line ?? 1;
  }
  const touches: Touch[] = def.touches
    .map((touch, index) => ({
      ...touch,
      index,
      at: times.get(touch.id) as Date,
      line: locate(doc, counter, ['touches', index])?.line ?? 1,
      email: emails.get(index) as EmailTemplate,
      ...(windows.has(index) ? { window: windows.get(index) as SendWindowDef } : {}),
    }))
    // With errors, only the touches that loaded whole (a partial campaign for the preflight).
    .filter((t) => t.at !== undefined && t.email !== undefined)
    .sort((a, b) => a.at.getTime() - b.at.getTime() || a.index - b.index);
  const campaign: Campaign = {
    id,
    dir,
    file,
    def,
    landingLines,
    paper,
    ...(webinar ? { webinar } : {}),
    posts,
    partnersFile,
    columns,
    partners,
    touches,
  };
  const tagged = problems.map((p) => ({ campaign: id, ...p }));
  if (failed) {
    // Rendering a campaign whose content is broken would only add knock-on errors.
    const sound = !refs.contentInvalid && (def.webinar === undefined || webinar !== undefined);
    return { ok: false, problems: tagged, ...(sound ? { partial: campaign } : {}) };
  }
  return { ok: true, campaign, problems: tagged };
}

export interface LoadAllOptions extends LoadOptions {
  campaignsDir?: string;
}

/** The folders of `campaignsDir` that hold a campaign.yaml, sorted. */
export function campaignFolders(campaignsDir: string): string[] {
  if (!existsSync(campaignsDir)) return [];
  return readdirSync(campaignsDir)
    .sort()
    .map((name) => join(campaignsDir, name))
    .filter((dir) => statSync(dir).isDirectory() && existsSync(join(dir, 'campaign.yaml')));
}

/** Every folder of `campaignsDir` with a campaign.yaml. */
export function loadAllCampaigns({ campaignsDir = 'campaigns', ...options }: LoadAllOptions = {}): {
  campaigns: Campaign[];
  problems: Problem[];
} {
  const campaigns: Campaign[] = [];
  const problems: Problem[] = [];
  for (const dir of campaignFolders(campaignsDir)) {
    const result = loadCampaign(dir, options);
    problems.push(...result.problems);
    if (result.ok) campaigns.push(result.campaign);
  }
  return { campaigns, problems };
}
