/**
 * The parts of loading a campaign that stand on their own, so each reports even when another
 * failed: the content a campaign names, its templates, and (when campaign.yaml is unreadable
 * or invalid) a loose check of its partner list and templates.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isValidTimeZone } from '../../schemas/helpers.ts';
import { FrontmatterError, readFrontmatter } from '../content/frontmatter.ts';
import { type BlogData, type ContentEntry, readContent } from '../content/read.ts';
import { parsePartners } from './partners.ts';
import { error, type Problem } from './problems.ts';
import { templateFrontmatterSchema } from './schema.ts';

/** One email template of a campaign, as read from emails/<name>.md. */
export interface EmailTemplate {
  /** Path of the template file. */
  file: string;
  subject: string;
  /** A subject test's variants (frontmatter `subjects:`), in file order; see email/send/variant.ts. */
  subjects?: string[];
  preheader?: string;
  /** Markdown with Liquid. */
  body: string;
  /** Line numbers in the file, to turn template errors into file:line. */
  subjectLine: number;
  subjectsLine?: number;
  preheaderLine: number;
  bodyLine: number;
  /** Referrer nudges: the introduction the referrer sends (frontmatter introSubject, introBody). */
  intro?: { subject: string; body: string; subjectLine: number; bodyLine: number };
}

export type Where = Omit<Problem, 'severity' | 'code' | 'message'>;

export /**
 * The content a campaign names, found or explained: missing (named), or invalid (its own
 * problems, with file, line and field, plus one line saying the campaign uses it).
 */
function contentRefs(
  content: ReturnType<typeof readContent>,
  contentDir: string,
  problems: Problem[],
  refs: {
    whitepaper?: { slug: string; where: Where };
    webinar?: { slug: string; where: Where };
    posts?: { slug: string; where: Where }[];
    author?: { slug: string; where: Where };
  },
) {
  let contentInvalid = false;
  let webinarInvalid = false;
  const reported = new Set<string>();
  function find<T>(
    map: Map<string, ContentEntry<T>>,
    invalid: Map<string, string>,
    folder: string,
    what: string,
    ref: { slug: string; where: Where } | undefined,
  ): ContentEntry<T> | undefined {
    if (!ref) return undefined;
    const entry = map.get(ref.slug);
    if (entry) return entry;
    const file = invalid.get(ref.slug);
    if (file === undefined) {
      problems.push(
        error('content.unknown', `no ${what} "${ref.slug}" in ${join(contentDir, folder)}`, ref.where),
      );
      return undefined;
    }
    contentInvalid = true;
    if (folder === 'webinars') webinarInvalid = true;
    problems.push(
      error(
        'content.invalid',
        `the ${what} "${ref.slug}" (${file}) is invalid; its problems follow`,
        ref.where,
      ),
    );
    if (!reported.has(file)) {
      reported.add(file);
      for (const p of content.problems) if (p.file === file) problems.push(p);
    }
    return undefined;
  }
  const paper = find(
    content.whitepapers,
    content.invalid.whitepapers,
    'whitepapers',
    'white paper',
    refs.whitepaper,
  );
  const webinar = find(content.webinars, content.invalid.webinars, 'webinars', 'webinar', refs.webinar);
  const posts: ContentEntry<BlogData>[] = [];
  for (const ref of refs.posts ?? []) {
    const post = find(content.blog, content.invalid.blog, 'blog', 'blog post', ref);
    if (post) posts.push(post);
  }
  find(content.authors, content.invalid.authors, 'authors', 'author', refs.author);
  return { paper, webinar, posts, contentInvalid, webinarInvalid };
}

export /**
 * When campaign.yaml is unreadable or invalid, the stages that do not depend on it still report:
 * the content it names (where readable), its templates (or every emails/*.md), partners.csv.
 */
function checkLoosely(
  dir: string,
  raw: unknown,
  problems: Problem[],
  contentDir: string,
  at?: (path: readonly PropertyKey[]) => Where,
): void {
  const def = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const where = (path: readonly PropertyKey[]): Where => at?.(path) ?? { file: join(dir, 'campaign.yaml') };
  const content = readContent(contentDir);
  const paperSlug = str(def.whitepaper);
  const webinarSlug = str(def.webinar);
  contentRefs(content, contentDir, problems, {
    ...(paperSlug ? { whitepaper: { slug: paperSlug, where: where(['whitepaper']) } } : {}),
    ...(webinarSlug ? { webinar: { slug: webinarSlug, where: where(['webinar']) } } : {}),
    posts: (Array.isArray(def.posts) ? def.posts : []).flatMap((slug, i) =>
      typeof slug === 'string' ? [{ slug, where: where(['posts', i]) }] : [],
    ),
  });
  const touches = Array.isArray(def.touches) ? (def.touches as Record<string, unknown>[]) : undefined;
  const templates = touches
    ? touches.flatMap((t, i) =>
        str(t?.template) ? [{ file: t.template as string, where: where(['touches', i, 'template']) }] : [],
      )
    : existsSync(join(dir, 'emails'))
      ? readdirSync(join(dir, 'emails'))
          .filter((f) => f.endsWith('.md'))
          .sort()
          .map((f) => ({ file: join('emails', f), where: { file: join(dir, 'campaign.yaml') } }))
      : [];
  for (const t of templates) problems.push(...loadTemplate(join(dir, t.file), t.where).problems);
  const partnersFile = join(dir, str(def.partners) ?? 'partners.csv');
  if (existsSync(partnersFile)) {
    const zone = str(def.timeZone);
    const valid = zone !== undefined && isValidTimeZone(zone);
    problems.push(
      ...parsePartners(readFileSync(partnersFile, 'utf8'), partnersFile, valid ? zone : 'UTC').problems,
    );
  }
}

export function loadTemplate(
  file: string,
  where: Omit<Problem, 'severity' | 'code' | 'message'>,
): { template?: EmailTemplate; problems: Problem[] } {
  if (!existsSync(file))
    return { problems: [error('template.missing', `template ${file} not found`, where)] };
  const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  let parsed: ReturnType<typeof readFrontmatter>;
  try {
    parsed = readFrontmatter(text);
  } catch (cause) {
    const line = cause instanceof FrontmatterError ? (cause.line ?? 1) : 1;
    return {
      problems: [
        error('template.frontmatter', `bad frontmatter: ${(cause as Error).message}`, { file, line }),
      ],
    };
  }
  const lines = text.split('\n');
  const lineOf = (key: string) => {
    const index = lines.findIndex((l) => l.startsWith(`${key}:`));
    return index >= 0 ? index + 1 : 1;
  };
  const result = templateFrontmatterSchema.safeParse(parsed.data);
  if (!result.success) {
    return {
      problems: result.error.issues.map((issue) => {
        const field =
          issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : issue.path.map(String).join('.');
        const message =
          issue.code === 'unrecognized_keys' ? `unknown frontmatter field "${field}"` : issue.message;
        return error('template.frontmatter', message, {
          file,
          line: lineOf(field.split('.')[0] ?? ''),
          field,
        });
      }),
    };
  }
  // The body starts after the closing `---` of the frontmatter.
  const bodyLine = text.startsWith('---') ? lines.findIndex((l, i) => i > 0 && l.trim() === '---') + 2 : 1;
  return {
    template: {
      file,
      subject: result.data.subject,
      ...(result.data.subjects ? { subjects: result.data.subjects, subjectsLine: lineOf('subjects') } : {}),
      ...(result.data.preheader !== undefined ? { preheader: result.data.preheader } : {}),
      ...(result.data.introSubject !== undefined && result.data.introBody !== undefined
        ? {
            intro: {
              subject: result.data.introSubject,
              body: result.data.introBody,
              subjectLine: lineOf('introSubject'),
              bodyLine: lineOf('introBody'),
            },
          }
        : {}),
      body: parsed.content.replace(/^\r?\n/, ''),
      subjectLine: lineOf('subject'),
      preheaderLine: lineOf('preheader'),
      bodyLine: bodyLine + (parsed.content.match(/^\r?\n/) ? 1 : 0),
    },
    problems: [],
  };
}
