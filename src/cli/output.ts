/**
 * The one place the CLI writes to the terminal. Colours are on only for a TTY and
 * never when NO_COLOR is set (https://no-color.org) or CI is set to a non-empty value.
 */
import { stderr, stdout } from 'node:process';

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

/** Exit codes with a meaning a script can act on. */
export const ExitCode = {
  ok: 0,
  /** The work failed or the input is invalid (preflight errors, build errors). */
  failure: 1,
  /** The command line itself is wrong. */
  usage: 2,
  /** Stopped on purpose before finishing, safe to resume (quota reached, user declined). */
  stopped: 3,
} as const;

/** Raised by commands for an expected failure: printed without a stack trace. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = ExitCode.failure) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

export const out = {
  /** Plain output on stdout: results, tables, JSON. */
  print(text = '') {
    stdout.write(`${text}\n`);
  },
  /** Progress and status lines go to stderr so stdout stays clean for --json and --csv. */
  info(text: string) {
    stderr.write(`${text}\n`);
  },
  success(text: string) {
    stderr.write(`${color.green('✔')} ${text}\n`);
  },
  warn(text: string) {
    stderr.write(`${color.yellow('warning')} ${text}\n`);
  },
  error(text: string) {
    stderr.write(`${color.red('error')} ${text}\n`);
  },
  json(value: unknown) {
    stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  },
  /** A plain left-aligned table; widths come from the content. */
  table(headers: string[], rows: (string | number)[][]) {
    const cells = [headers, ...rows.map((row) => row.map(String))];
    const widths = headers.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
    const line = (row: string[]) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd();
    stdout.write(`${color.bold(line(headers))}\n`);
    for (const row of cells.slice(1)) stdout.write(`${line(row)}\n`);
  },
};
