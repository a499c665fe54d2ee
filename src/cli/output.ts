/**
 * The one place the CLI writes to the terminal. Colours are on only for a TTY and
 * never when NO_COLOR is set (https://no-color.org) or CI is set to a non-empty value.
 * Data (partner names, feedback, errors from providers) reaches the terminal only through
 * `terminalSafe`, so a partner cannot drive the operator's terminal (OSC 52 clipboard writes,
 * cursor moves, fake lines).
 */
import { stderr, stdout } from 'node:process';
import { terminalSafe } from '../lib/text/terminal.ts';

export { terminalSafe };

const colorEnabled = (stream: NodeJS.WriteStream) =>
  Boolean(stream.isTTY) && !('NO_COLOR' in process.env && process.env.NO_COLOR !== '') && !process.env.CI;

const paint = (code: number, reset: number) => (text: string) =>
  colorEnabled(stdout) ? `\u001b[${code}m${text}\u001b[${reset}m` : text;

export const color = {
  bold: paint(1, 22),
  dim: paint(2, 22),
  red: paint(31, 39),
  green: paint(32, 39),
  yellow: paint(33, 39),
  cyan: paint(36, 39),
};

/** Exit codes with a meaning a script can act on. src/cli/errors.ts maps every failure to one. */
export const ExitCode = {
  ok: 0,
  /** The work failed or the input is invalid (preflight errors, build errors, store down). */
  failure: 1,
  /** The command line itself is wrong. */
  usage: 2,
  /** Stopped on purpose before finishing, safe to resume (quota reached, key refused, user declined). */
  stopped: 3,
} as const;

/** Where an error is, when it is in a file: printed as `file:line field` and in the JSON envelope. */
export interface ErrorPlace {
  /** A short machine-readable name, e.g. `unknown-flag`, `store-unavailable`. */
  code?: string | undefined;
  file?: string | undefined;
  line?: number | undefined;
  field?: string | undefined;
  /** What to do about it, in a sentence. */
  hint?: string | undefined;
  /** Under --json: what the command did before it failed, printed beside the error. */
  result?: unknown;
}

/** Raised by commands for an expected failure: printed as one line, never with a stack trace. */
export class CliError extends Error {
  readonly exitCode: number;
  readonly place: ErrorPlace;
  constructor(message: string, exitCode: number = ExitCode.failure, place: ErrorPlace = {}) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.place = place;
  }
}

/** A wrong command line: exit 2. */
export class UsageError extends CliError {
  constructor(message: string, place: ErrorPlace = {}) {
    super(message, ExitCode.usage, { code: 'usage', ...place });
    this.name = 'UsageError';
  }
}

/** A line the CLI composed around data: its own colours stay, anything else that acts goes. */
const safeLine = (text: string) => terminalSafe(text, { keepColour: true });

/** A table cell: data, or the command's own word in a colour (`{ text: 'HOT', paint: color.red }`). */
export type Cell = string | number | { text: string; paint: (text: string) => string };

/** Nothing in a table cell may break the table: control characters and newlines become spaces. */
const cellText = (value: Cell) =>
  terminalSafe(typeof value === 'object' ? value.text : String(value)).replace(/\s/g, ' ');
const cellPaint = (value: Cell | undefined) =>
  typeof value === 'object' ? value.paint : (text: string) => text;

export const out = {
  /** Plain output on stdout: results and messages (escape sequences in data are dropped). */
  print(text = '') {
    stdout.write(`${safeLine(text)}\n`);
  },
  /** Progress and status lines go to stderr so stdout stays clean for --json and --csv. */
  info(text: string) {
    stderr.write(`${safeLine(text)}\n`);
  },
  success(text: string) {
    stderr.write(`${color.green('✔')} ${safeLine(text)}\n`);
  },
  warn(text: string) {
    stderr.write(`${color.yellow('warning')} ${safeLine(text)}\n`);
  },
  error(text: string) {
    stderr.write(`${color.red('error')} ${safeLine(text)}\n`);
  },
  json(value: unknown) {
    stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  },
  /** CSV text as is: the writer (src/lib/text/csv.ts) has already made every cell inert. */
  csv(text: string) {
    stdout.write(text);
  },
  /**
   * A plain left-aligned table; widths come from the content. Every cell is data: escape and
   * control sequences are stripped here, in the one place tables are printed.
   */
  table(headers: string[], rows: Cell[][]) {
    const cells = [headers.map(cellText), ...rows.map((row) => row.map(cellText))];
    const widths = headers.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
    const line = (row: string[], source?: Cell[]) =>
      row
        .map((value, i) => cellPaint(source?.[i])(value.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd();
    stdout.write(`${color.bold(line(cells[0] ?? []))}\n`);
    cells.slice(1).forEach((row, i) => {
      stdout.write(`${line(row, rows[i])}\n`);
    });
  },
};
