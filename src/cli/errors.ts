/**
 * The one place a failure becomes an exit code and what the operator reads. Expected failures
 * (a wrong command line, bad input, the store down, a refused key) are one line, or under
 * `--json` one object on stdout: `{ "error": { code, message, file, line, field, hint } }`.
 * Only a bug (an error nobody anticipated) prints its stack, on stderr.
 */
import { CliError, color, ExitCode, out, terminalSafe } from './output.ts';

export interface Failure {
  exitCode: number;
  code: string;
  message: string;
  file: string | null;
  line: number | null;
  field: string | null;
  hint: string | null;
  /** Set for unexpected errors only: a bug to report. */
  stack: string | null;
  /** What the command did before it failed (CliError's `result`), for the JSON envelope. */
  result?: unknown;
}

/** Errors the domain raises for conditions a user can meet and fix, by class name (no imports). */
const expected: Record<string, { code: string; hint?: string }> = {
  StoreUnavailableError: {
    code: 'store-unavailable',
    hint: 'Check DATABASE_URL (or the SQLite folder, AIRCOVER_DATA_DIR) and that the database is running.',
  },
  StoreMigrationsPendingError: {
    code: 'store-migrations-pending',
    hint: 'Run `aircover db migrate` to apply them (`serve` and the commands that write apply them too).',
  },
  SecretError: { code: 'secret' },
  WebinarError: { code: 'webinar' },
  MarkError: { code: 'mark' },
  PdfError: { code: 'pdf' },
  AttendanceFormatError: { code: 'attendance-format' },
  RenderError: { code: 'render' },
};

/** File-system errors about a path the user gave: one line, not a stack. */
const fileCodes = new Set(['ENOENT', 'EACCES', 'EISDIR', 'ENOTDIR', 'EPERM']);

// biome-ignore lint/suspicious/noControlCharactersInRegex: citty colours its messages
const stripColour = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '');

export function describeFailure(error: unknown): Failure {
  const base = { file: null, line: null, field: null, hint: null, stack: null };
  if (error instanceof CliError) {
    return {
      ...base,
      exitCode: error.exitCode,
      code:
        error.place.code ??
        (error.exitCode === ExitCode.usage
          ? 'usage'
          : error.exitCode === ExitCode.stopped
            ? 'stopped'
            : 'failed'),
      message: error.message,
      file: error.place.file ?? null,
      line: error.place.line ?? null,
      field: error.place.field ?? null,
      hint: error.place.hint ?? null,
      ...(error.place.result === undefined ? {} : { result: error.place.result }),
    };
  }
  if (error instanceof Error) {
    // citty's own command-line errors (a missing required argument).
    if (error.name === 'CLIError') {
      return {
        ...base,
        exitCode: ExitCode.usage,
        code: 'usage',
        message: stripColour(error.message),
        hint: 'add --help to see what the command takes',
      };
    }
    const known = expected[error.name];
    if (known)
      return {
        ...base,
        exitCode: ExitCode.failure,
        code: known.code,
        message: error.message,
        hint: known.hint ?? null,
      };
    const errno = (error as NodeJS.ErrnoException).code;
    if (errno && fileCodes.has(errno)) {
      const path = (error as NodeJS.ErrnoException).path ?? null;
      return { ...base, exitCode: ExitCode.failure, code: 'file', message: error.message, file: path };
    }
    return {
      ...base,
      exitCode: ExitCode.failure,
      code: 'internal',
      message: error.message,
      stack: error.stack ?? null,
    };
  }
  return { ...base, exitCode: ExitCode.failure, code: 'internal', message: String(error) };
}

/** `file:line field: ` in front of a message, for what has a place. */
export function placePrefix(f: { file: string | null; line: number | null; field: string | null }): string {
  if (!f.file) return '';
  return `${[`${f.file}${f.line ? `:${f.line}` : ''}`, f.field].filter(Boolean).join(' ')}: `;
}

/** Prints the failure (JSON envelope on stdout under --json) and exits with its code. */
export function exitWithFailure(error: unknown, json: boolean): never {
  const failure = describeFailure(error);
  if (json) {
    const { code, message, file, line, field, hint, stack, result } = failure;
    out.json({
      error: { code, message, file, line, field, hint },
      ...(result === undefined ? {} : { result }),
    });
    if (stack) out.info(terminalSafe(stack));
  } else {
    if (failure.stack) out.error(failure.stack);
    else out.error(`${placePrefix(failure)}${failure.message}`);
    if (failure.hint) out.info(color.dim(`  ${failure.hint}`));
  }
  process.exit(failure.exitCode);
}

/** `--json` anywhere before `--` asks for JSON, errors included. */
export const wantsJson = (rawArgs: string[]) => {
  const end = rawArgs.indexOf('--');
  return (end === -1 ? rawArgs : rawArgs.slice(0, end)).some((a) => a === '--json' || a === '--json=true');
};
