/**
 * Strict Liquid for campaign templates.
 *
 * - `strictVariables` and `strictFilters`: an unknown or missing variable is an error, never a
 *   blank (rule 2 of DESIGN.md). A deliberate fallback says so: `{{ partner.pain | default: "…" }}`
 *   (`lenientIf` lets `default`, `if` and `unless` look at a missing value).
 * - Partner data is data: Liquid parses only the template, and output values are never parsed
 *   again, so `{{ }}` or `{% %}` in a CSV cell stays literal text.
 * - Every output goes through one escaping function per context (plain text, HTML, Markdown);
 *   `raw` is redefined as a no-op so it cannot switch escaping off.
 *
 * Markdown bodies are rendered in three steps: Liquid writes each output as an opaque
 * placeholder, Markdown turns the template into HTML, then each placeholder becomes its
 * HTML-escaped value. So partner text can neither inject HTML nor Markdown (a `[link](…)` or
 * `**` in a cell shows as typed), and values are only ever placed where the template put them.
 */
import { randomBytes } from 'node:crypto';
import { Liquid, type Template } from 'liquidjs';
import { Marked } from 'marked';
import { escapeHtml, hasRtl, isSafeUrl, oneLine, stringify } from './escape.ts';

type Mode = 'text' | 'html' | 'markdown';

let collector: string[] | undefined;

function createEngine(mode: Mode): Liquid {
  const engine = new Liquid({
    strictVariables: true,
    strictFilters: true,
    lenientIf: true,
    ownPropertyOnly: true,
    cache: false,
    outputEscape: (value: unknown) => {
      const text = stringify(value);
      if (mode === 'text') return text;
      if (mode === 'html') return escapeHtml(text);
      if (!collector) throw new Error('markdown output outside renderMarkdown');
      collector.push(text);
      return `${marker}${collector.length - 1}${marker}`;
    },
  });
  engine.registerFilter('raw', (value: unknown) => value);
  return engine;
}

/** Letters only, so Markdown never splits or emphasizes it; random, so a template cannot forge it. */
const marker = `ZqX${randomBytes(6)
  .toString('hex')
  .replace(/\d/g, (d) => 'abcdefghij'[Number(d)] ?? 'a')}Xq`;
const markerPattern = new RegExp(`${marker}(\\d+)${marker}`, 'g');

export const engines: Record<Mode, Liquid> = {
  text: createEngine('text'),
  html: createEngine('html'),
  markdown: createEngine('markdown'),
};

const markdown = new Marked({ gfm: true, breaks: false, async: false });

export interface CompiledTemplate {
  mode: Mode;
  templates: Template[];
  source: string;
}

/** Parses once; throws liquidjs' ParseError (with line and column) on bad syntax. */
export function compile(source: string, mode: Mode): CompiledTemplate {
  return { mode, templates: engines[mode].parse(source), source };
}

/** Every variable path the template reads from outside (loop variables excluded). */
export function variablesOf(template: CompiledTemplate): string[][] {
  return engines[template.mode]
    .globalVariableSegmentsSync(template.templates)
    .map((segments) => segments.map((segment) => String(segment)));
}

/** Plain text on one line: subjects and preheaders. */
export function renderLine(template: CompiledTemplate, scope: object): string {
  return oneLine(engines.text.renderSync(template.templates, scope) as string);
}

/** Plain text, lines kept (for text copy a page puts into an escaping context itself). */
export function renderText(template: CompiledTemplate, scope: object): string {
  return (engines.text.renderSync(template.templates, scope) as string).trim();
}

/** Markdown with Liquid → HTML with every value escaped. `inline` drops the paragraph. */
export function renderMarkdown(template: CompiledTemplate, scope: object, { inline = false } = {}): string {
  const values: string[] = [];
  collector = values;
  let source: string;
  try {
    source = engines.markdown.renderSync(template.templates, scope) as string;
  } finally {
    collector = undefined;
  }
  return fillPlaceholders(markdownToHtml(source, inline), values);
}

/**
 * Markdown is parsed after Liquid wrote every value as a numbered placeholder, so partners whose
 * templates take the same branches produce the same Markdown source: it is parsed once. (Marked
 * is a pure function of the source here; the cache is bounded, and a miss parses as before.)
 */
const parsed = new Map<string, string>();
function markdownToHtml(source: string, inline: boolean): string {
  const key = `${inline ? 'i' : 'b'}${source}`;
  let html = parsed.get(key);
  if (html === undefined) {
    html = (inline ? markdown.parseInline(source) : markdown.parse(source)) as string;
    if (parsed.size >= 256) parsed.clear();
    parsed.set(key, html);
  }
  return html;
}

function fillPlaceholders(html: string, values: readonly string[]): string {
  const valueAt = (index: string) => values[Number(index)] ?? '';
  // In a link or image address, a value must be a whole web or mail URL; anything else is dropped.
  const withUrls = html.replace(/\b(href|src)="([^"]*)"/g, (attribute, name: string, url: string) => {
    if (!url.includes(marker)) return attribute;
    const filled = url.replace(markerPattern, (_, index: string) => valueAt(index));
    const decoded = filled.replace(/&amp;/g, '&');
    return `${name}="${isSafeUrl(decoded) ? escapeHtml(decoded) : '#'}"`;
  });
  // Elsewhere a value is escaped; in text, right-to-left text is isolated (<bdi>) so it cannot
  // reorder the sentence around it.
  return withUrls.replace(/(<[^>]*>)|([^<]+)/g, (_, tag: string | undefined, text: string | undefined) => {
    if (tag !== undefined)
      return tag.replace(markerPattern, (__, index: string) => escapeHtml(valueAt(index)));
    return (text ?? '').replace(markerPattern, (__, index: string) => {
      const value = valueAt(index);
      return hasRtl(value) ? `<bdi>${escapeHtml(value)}</bdi>` : escapeHtml(value);
    });
  });
}
