import { readdirSync, readFileSync } from 'node:fs';
import { defineCommand, runMain as cittyRunMain, type CommandDef } from 'citty';
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

export async function runMain(): Promise<void> {
  process.on('unhandledRejection', (error) => fail(error));
  try {
    await cittyRunMain(main);
  } catch (error) {
    fail(error);
  }
}

function fail(error: unknown): never {
  if (error instanceof CliError) {
    out.error(error.message);
    process.exit(error.exitCode);
  }
  out.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(ExitCode.failure);
}
