import { readdirSync, readFileSync } from 'node:fs';
import { type CommandDef, defineCommand, runCommand, showUsage } from 'citty';
import { CliError, ExitCode, out } from './output.ts';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
  description: string;
};

type Lazy = () => Promise<CommandDef>;

/**
 * Every file in ./commands is one command, named after the file. Discovering them keeps
 * adding a command to one new file; each loads only when it runs or when `--help` lists it.
 */
const commandsDir = new URL('./commands/', import.meta.url);
export const commands: Record<string, Lazy> = Object.fromEntries(
  readdirSync(commandsDir)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .sort()
    .map((file) => [
      file.slice(0, -3),
      () => import(new URL(file, commandsDir).href).then((m: { default: CommandDef }) => m.default),
    ]),
);

export const main = defineCommand({
  meta: { name: 'aircover', version: pkg.version, description: pkg.description },
  subCommands: commands,
});

/**
 * citty's own runMain prints every error with its stack and exits 1. Ours keeps its
 * handling of --help and --version but gives each failure its meaning: a wrong command line
 * exits 2 with the usage, an expected failure (CliError) prints one clear line.
 */
export async function runMain(rawArgs = process.argv.slice(2)): Promise<void> {
  process.on('unhandledRejection', (error) => fail(error));
  try {
    if (rawArgs.some((arg) => arg === '--help' || arg === '-h')) {
      await showUsage(...(await resolveSubCommand(main, rawArgs)));
      return;
    }
    if (rawArgs.length === 1 && (rawArgs[0] === '--version' || rawArgs[0] === '-v')) {
      out.print(pkg.version);
      return;
    }
    if (rawArgs.length === 0) {
      await showUsage(main);
      process.exit(ExitCode.usage);
    }
    await runCommand(main, { rawArgs });
  } catch (error) {
    if (isUsageError(error)) {
      await showUsage(...(await resolveSubCommand(main, rawArgs)));
      out.error(error.message);
      process.exit(ExitCode.usage);
    }
    fail(error);
  }
}

/** Finds the (sub)command a command line names, for its usage text. */
async function resolveSubCommand(
  cmd: CommandDef,
  rawArgs: string[],
  parent?: CommandDef,
): Promise<[CommandDef, CommandDef | undefined]> {
  const subCommands = (await resolveValue(cmd.subCommands)) as Record<string, unknown> | undefined;
  const index = rawArgs.findIndex((arg) => !arg.startsWith('-'));
  const name = rawArgs[index];
  const sub = name && subCommands?.[name];
  if (sub) return resolveSubCommand((await resolveValue(sub)) as CommandDef, rawArgs.slice(index + 1), cmd);
  return [cmd, parent];
}

async function resolveValue(value: unknown): Promise<unknown> {
  return typeof value === 'function' ? await value() : await value;
}

/** citty signals a bad command line with errors whose code starts with E_. */
function isUsageError(error: unknown): error is Error {
  return error instanceof Error && error.name === 'CLIError';
}

function fail(error: unknown): never {
  if (error instanceof CliError) {
    out.error(error.message);
    process.exit(error.exitCode);
  }
  out.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(ExitCode.failure);
}
