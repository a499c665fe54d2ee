/**
 * Problems found while loading, rendering or linting a campaign. Every problem says where
 * it is (file and line, or CSV row and column) and what is wrong, so a marketer can fix all
 * of them in one pass: loaders collect problems rather than stopping at the first.
 */
import type { Document, LineCounter } from 'yaml';
import { isMap, isNode, isPair, isScalar, isSeq } from 'yaml';

export type Severity = 'error' | 'warning';

export interface Problem {
  severity: Severity;
  /** A stable identifier for scripts and tests, e.g. `csv.bad-email`, `yaml.field`, `lint.nagging`. */
  code: string;
  message: string;
  /** Path of the file, as given to the loader (relative paths stay relative). */
  file?: string;
  line?: number;
  column?: number;
  /** The yaml field path (`touches.2.when`) or the CSV column. */
  field?: string;
  /** 1-based CSV record number (the header is row 1). */
  row?: number;
  campaign?: string;
  partner?: string;
  touch?: string;
  /** The template file that failed. */
  template?: string;
  /** The template variable at fault, e.g. `partner.pain`. */
  variable?: string;
}

export function error(
  code: string,
  message: string,
  where: Omit<Problem, 'severity' | 'code' | 'message'> = {},
) {
  return { severity: 'error', code, message, ...where } satisfies Problem;
}

export function warning(
  code: string,
  message: string,
  where: Omit<Problem, 'severity' | 'code' | 'message'> = {},
) {
  return { severity: 'warning', code, message, ...where } satisfies Problem;
}

/** `campaigns/x/partners.csv:7 row 6 [email] partner acme: bad email "x"`. */
export function formatProblem(p: Problem): string {
  let where = p.file ?? '';
  if (p.line !== undefined) where += `:${p.line}${p.column !== undefined ? `:${p.column}` : ''}`;
  const parts = [where];
  if (p.row !== undefined) parts.push(`row ${p.row}`);
  if (p.field) parts.push(`[${p.field}]`);
  if (p.touch) parts.push(`touch ${p.touch}`);
  if (p.partner) parts.push(`partner ${p.partner}`);
  return `${parts.filter(Boolean).join(' ')}: ${p.message}`;
}

export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}

/**
 * The line and column of a field in a parsed yaml document. A missing field points at the
 * nearest existing parent, so "sender.email is required" lands on the `sender:` line.
 */
export function locate(
  doc: Document,
  counter: LineCounter,
  path: readonly PropertyKey[],
): { line: number; column: number } | undefined {
  let node: unknown = doc.contents;
  let best: { line: number; column: number } | undefined = position(node, counter);
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === key);
      if (!pair) break;
      best = position(pair.key, counter) ?? best;
      node = pair.value;
      // A key with a value points at the value, unless the value is a block collection.
      if (isScalar(node)) best = position(node, counter) ?? best;
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key];
      if (node === undefined) break;
      best = position(node, counter) ?? best;
    } else {
      break;
    }
  }
  return best;
}

function position(node: unknown, counter: LineCounter): { line: number; column: number } | undefined {
  if (!isNode(node) || !node.range) return undefined;
  const { line, col } = counter.linePos(node.range[0]);
  return { line, column: col };
}
