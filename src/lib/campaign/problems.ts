/**
 * Problems found while loading, rendering or linting a campaign. Every problem says where
 * it is (file and line, or CSV row and column) and what is wrong, so a marketer can fix all
 * of them in one pass: loaders collect problems rather than stopping at the first.
 */

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
