/**
 * Frontmatter as every part of the project reads it: gray-matter (the user's choice of format)
 * with the project's `yaml` parser as its engine, so content, templates and campaign.yaml share
 * one YAML dialect (YAML 1.2: an unquoted `2027-13-05` is a string the schema then refuses,
 * where gray-matter's own js-yaml turned it into 2028-01-05). Problems come with their line.
 */
import { readFileSync } from 'node:fs';
import matter from 'gray-matter';
import { LineCounter, parseDocument, stringify } from 'yaml';
import { locate } from '../campaign/locate.ts';

/** Thrown for unreadable frontmatter, with the line in the file. */
export class FrontmatterError extends Error {
  override name = 'FrontmatterError';
  readonly line: number | undefined;
  constructor(message: string, line: number | undefined) {
    super(message);
    this.line = line;
  }
}

const engines = {
  yaml: {
    parse: (text: string): object => {
      const counter = new LineCounter();
      const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
      const first = doc.errors[0];
      if (first)
        throw new FrontmatterError(first.message.split('\n')[0] ?? '', counter.linePos(first.pos[0]).line);
      const data = doc.toJS() as unknown;
      return data !== null && typeof data === 'object' ? data : {};
    },
    stringify: (data: object): string => stringify(data),
  },
};

export interface Frontmatter {
  data: Record<string, unknown>;
  /** The text after the frontmatter. */
  content: string;
  /** Where a field (path as in zod issues) is in the file, 1-based; undefined when unknown. */
  lineOf(path: readonly PropertyKey[]): number | undefined;
}

export function readFrontmatter(text: string): Frontmatter {
  let parsed: matter.GrayMatterFile<string>;
  try {
    // Passing options also keeps gray-matter from caching a result across different engines.
    parsed = matter(text, { engines });
  } catch (cause) {
    // The frontmatter text starts with the newline of the opening `---`: its lines are the file's.
    if (cause instanceof FrontmatterError) throw cause;
    throw new FrontmatterError(String((cause as Error).message ?? cause).split('\n')[0] ?? '', undefined);
  }
  const counter = new LineCounter();
  const doc = parseDocument(parsed.matter ?? '', { lineCounter: counter, prettyErrors: false });
  return {
    data: parsed.data as Record<string, unknown>,
    content: parsed.content,
    lineOf: (path) => (parsed.matter ? locate(doc, counter, path)?.line : undefined),
  };
}

/** A YAML file (authors): its data, and where each field is. */
export function readYamlFile(text: string): Frontmatter {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  const first = doc.errors[0];
  if (first)
    throw new FrontmatterError(first.message.split('\n')[0] ?? '', counter.linePos(first.pos[0]).line);
  return {
    data: (doc.toJS() ?? {}) as Record<string, unknown>,
    content: '',
    lineOf: (path) => locate(doc, counter, path)?.line,
  };
}

/**
 * A content file's data, one dialect everywhere: frontmatter (.md, .mdx) and YAML files through
 * the project's `yaml`, JSON as JSON. Read by the CLI (read.ts) and by Astro's content loader
 * (loader.ts), so the site and `aircover check` never disagree about a value.
 */
export function readDataFile(file: string): Frontmatter {
  const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  if (file.endsWith('.json'))
    return { data: JSON.parse(text) as Record<string, unknown>, content: '', lineOf: () => undefined };
  if (/\.ya?ml$/.test(file)) return readYamlFile(text);
  return readFrontmatter(text);
}
