import { readdirSync, readFileSync } from 'node:fs';
import { type CommandDef, defineCommand, runCommand, showUsage } from 'citty';
import { exitWithFailure, wantsJson } from './errors.ts';
import { ExitCode, out } from './output.ts';
import { checkCommandLine } from './strict.ts';

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
 * citty's own runMain prints every error with its stack and exits 1, and citty reads any flag it
 * does not know as nothing at all. Ours keeps its handling of --help and --version, checks the
 * command line strictly first (src/cli/strict.ts: an unknown flag exits 2 before anything runs),
 * and hands every failure to the one place that maps it to an exit code (src/cli/errors.ts).
 */
export async function runMain(rawArgs = process.argv.slice(2)): Promise<void> {
  const json = wantsJson(rawArgs);
  process.on('unhandledRejection', (error) => exitWithFailure(error, json));
  try {
    const beforeEnd = rawArgs.indexOf('--') === -1 ? rawArgs : rawArgs.slice(0, rawArgs.indexOf('--'));
    if (beforeEnd.some((arg) => arg === '--help' || arg === '-h')) {
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
    await checkCommandLine(main, rawArgs);
    await runCommand(main, { rawArgs });
  } catch (error) {
    exitWithFailure(error, json);
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
