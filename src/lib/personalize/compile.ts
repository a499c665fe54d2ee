/**
 * Compiles a campaign's templates (email subjects, preheaders, bodies and landing copy) once,
 * and checks statically that every variable they read exists: a `partner.<column>` that
 * partners.csv lacks, or an unknown root, is an error naming the template, line and variable.
 */

import { gatekeeperColumn, standardColumns } from '../campaign/columns.ts';
import { type LandingField, landingFields } from '../campaign/kinds.ts';
import type { Campaign, Touch } from '../campaign/load.ts';
import { error, type Problem } from '../campaign/problems.ts';
import { derivedPartnerFields, templateRoots } from './context.ts';
import { type CompiledTemplate, compile, variablesOf } from './engine.ts';

export interface TemplateSource {
  file: string;
  /** Line of the template's first line in the file. */
  line: number;
  /** For problems: `subject`, `preheader`, `body`, `landing.intro`, ... */
  field: string;
  touch?: string;
}

export interface CompiledTouch {
  subject: CompiledTemplate;
  /** A subject test's variants (frontmatter `subjects:`), in order. */
  subjects?: CompiledTemplate[];
  preheader?: CompiledTemplate;
  body: CompiledTemplate;
  /** Referrer nudges: the introduction's subject and body (plain text). */
  intro?: { subject: CompiledTemplate; body: CompiledTemplate };
}

export interface CompiledLanding {
  /** Markdown → HTML. */
  html: CompiledTemplate;
  /** Plain text. */
  text: CompiledTemplate;
}

export interface CompiledCampaign {
  touches: Map<string, CompiledTouch>;
  landing: Partial<Record<LandingField, CompiledLanding>>;
  problems: Problem[];
}

/** Turns a liquidjs error into a problem at the right line of the right file. */
export function liquidProblem(cause: unknown, source: TemplateSource, extra: Partial<Problem> = {}): Problem {
  const message = cause instanceof Error ? (cause.message.split('\n')[0] ?? cause.message) : String(cause);
  const position = /, line:(\d+), col:(\d+)$/.exec(message);
  const variable = /^undefined variable: ([^,]+)/.exec(message)?.[1];
  const text = message.replace(/, line:\d+, col:\d+$/, '');
  const line = position ? source.line + Number(position[1]) - 1 : source.line;
  return error(variable ? 'template.missing-variable' : 'template.liquid', text, {
    file: source.file,
    line,
    ...(position ? { column: Number(position[2]) } : {}),
    field: source.field,
    template: source.file,
    ...(source.touch ? { touch: source.touch } : {}),
    ...(variable ? { variable } : {}),
    ...extra,
  });
}

/** One touch's templates compiled, or the problems that kept them from compiling. */
export interface TouchCompilation {
  compiled?: CompiledTouch;
  problems: Problem[];
}

const cache = new WeakMap<Campaign, CompiledCampaign>();
const touchCache = new WeakMap<Campaign, Map<string, TouchCompilation>>();

/** A template compiled and its variables checked against the campaign; its problems into `problems`. */
function compiler(campaign: Campaign, problems: Problem[]) {
  const columns = new Set<string>([...campaign.columns, ...derivedPartnerFields]);
  return (source: string, mode: 'text' | 'markdown', where: TemplateSource): CompiledTemplate | undefined => {
    try {
      const compiled = compile(source, mode);
      problems.push(...checkVariables(compiled, where, columns, Boolean(campaign.webinar)));
      return compiled;
    } catch (cause) {
      problems.push(liquidProblem(cause, where));
      return undefined;
    }
  };
}

/**
 * One touch's templates, compiled once per campaign: what a message of that touch needs, so a
 * send of one touch compiles only its own (`compileCampaign` compiles them all).
 */
export function compileTouch(campaign: Campaign, touch: Touch): TouchCompilation {
  let touches = touchCache.get(campaign);
  if (!touches) {
    touches = new Map();
    touchCache.set(campaign, touches);
  }
  const cached = touches.get(touch.id);
  if (cached) return cached;
  const problems: Problem[] = [];
  const try_ = compiler(campaign, problems);
  const { email } = touch;
  const base = { file: email.file, touch: touch.id };
  const subject = try_(email.subject, 'text', { ...base, line: email.subjectLine, field: 'subject' });
  const preheader =
    email.preheader === undefined
      ? undefined
      : try_(email.preheader, 'text', { ...base, line: email.preheaderLine, field: 'preheader' });
  const body = try_(email.body, 'markdown', { ...base, line: email.bodyLine, field: 'body' });
  const subjects = (email.subjects ?? []).map((source, i) =>
    try_(source, 'text', {
      ...base,
      line: email.subjectsLine ?? email.subjectLine,
      field: `subjects.${i}`,
    }),
  );
  const subjectsOk = subjects.every((t) => t !== undefined);
  const introSubject = email.intro
    ? try_(email.intro.subject, 'text', { ...base, line: email.intro.subjectLine, field: 'introSubject' })
    : undefined;
  const introBody = email.intro
    ? try_(email.intro.body, 'text', { ...base, line: email.intro.bodyLine, field: 'introBody' })
    : undefined;
  const introOk = !email.intro || (introSubject && introBody);
  const result: TouchCompilation = { problems };
  if (subject && body && subjectsOk && introOk && (email.preheader === undefined || preheader)) {
    result.compiled = {
      subject,
      body,
      ...(introSubject && introBody ? { intro: { subject: introSubject, body: introBody } } : {}),
      ...(preheader ? { preheader } : {}),
      ...(subjects.length > 0 ? { subjects: subjects as CompiledTemplate[] } : {}),
    };
  }
  touches.set(touch.id, result);
  return result;
}

/** Every touch's templates and the landing copy, compiled once per campaign. */
export function compileCampaign(campaign: Campaign): CompiledCampaign {
  const cached = cache.get(campaign);
  if (cached) return cached;
  const problems: Problem[] = [];
  const touches = new Map<string, CompiledTouch>();
  for (const touch of campaign.touches) {
    const { compiled, problems: own } = compileTouch(campaign, touch);
    problems.push(...own);
    if (compiled) touches.set(touch.id, compiled);
  }
  const try_ = compiler(campaign, problems);
  const landing: CompiledCampaign['landing'] = {};
  for (const field of landingFields) {
    const source = campaign.def.landing[field];
    if (source === undefined) continue;
    const where = { file: campaign.file, line: campaign.landingLines[field] ?? 1, field: `landing.${field}` };
    const html = try_(source, 'markdown', where);
    if (!html) continue;
    landing[field] = { html, text: compile(source, 'text') };
  }
  const result = { touches, landing, problems };
  cache.set(campaign, result);
  return result;
}

function isKnownColumn(name: string, columns: ReadonlySet<string>): boolean {
  return (
    columns.has(name) || (standardColumns as readonly string[]).includes(name) || gatekeeperColumn.test(name)
  );
}

function checkVariables(
  template: CompiledTemplate,
  where: TemplateSource,
  columns: ReadonlySet<string>,
  hasWebinar: boolean,
): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const segments of variablesOf(template)) {
    const [root, field] = segments;
    if (root === undefined) continue;
    const name = segments.slice(0, 2).join('.');
    if (seen.has(name)) continue;
    seen.add(name);
    const at = {
      file: where.file,
      line: where.line,
      field: where.field,
      template: where.file,
      variable: name,
      ...(where.touch ? { touch: where.touch } : {}),
    };
    if (!(templateRoots as readonly string[]).includes(root)) {
      problems.push(
        error(
          'template.unknown-variable',
          `unknown variable "${root}" (known: ${templateRoots.join(', ')})`,
          at,
        ),
      );
    } else if (root === 'partner' && field !== undefined && !isKnownColumn(field, columns)) {
      problems.push(
        error(
          'template.unknown-column',
          `uses partner.${field}, but partners.csv has no column "${field}"`,
          at,
        ),
      );
    } else if (root === 'webinar' && !hasWebinar) {
      problems.push(error('template.no-webinar', 'uses webinar, but the campaign has no webinar', at));
    }
  }
  return problems;
}
