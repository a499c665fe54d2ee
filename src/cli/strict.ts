/**
 * The strict reading of a command line that citty does not do: citty ignores unknown flags and
 * extra arguments, so `--dry-rnu` used to send for real. `checkCommandLine` walks from the root
 * command to the (sub)command the line names and refuses, as a UsageError (exit 2), anything that
 * command did not declare, naming the closest flag or command it did.
 */
import type { ArgDef, ArgsDef, CommandDef } from 'citty';
import { UsageError } from './output.ts';

const kebab = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
const camel = (name: string) => name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

async function resolve<T>(value: unknown): Promise<T> {
  return (typeof value === 'function' ? await value() : await value) as T;
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const here = row[j] ?? 0;
      row[j] = Math.min(here + 1, (row[j - 1] ?? 0) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = here;
    }
  }
  return row[b.length] ?? 0;
}

/** The closest of `options` to `word`, when close enough to be a likely typo. */
export function closest(word: string, options: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const option of options) {
    const d = distance(word.toLowerCase(), option.toLowerCase());
    if (d < bestDistance) {
      best = option;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}

interface Flag {
  name: string;
  def: ArgDef;
}

/** Every spelling of each declared flag citty would accept: name, kebab-case, camelCase, aliases. */
function flagTable(args: ArgsDef): Map<string, Flag> {
  const table = new Map<string, Flag>();
  for (const [name, def] of Object.entries(args)) {
    if (def.type === 'positional') continue;
    const aliases =
      def.type === 'string' || def.type === 'boolean' || def.type === 'enum' ? def.alias : undefined;
    const spellings = [
      name,
      kebab(name),
      camel(name),
      ...(Array.isArray(aliases) ? aliases : aliases ? [aliases] : []),
    ];
    for (const spelling of spellings) table.set(spelling, { name, def });
  }
  return table;
}

/** A last positional whose valueHint ends in "…" takes every remaining argument (`FILE.eml…`). */
export function takesMany(args: ArgsDef): boolean {
  const last = Object.values(args)
    .filter((def) => def.type === 'positional')
    .at(-1) as { valueHint?: string } | undefined;
  return /(…|\.\.\.)$/.test(last?.valueHint ?? '');
}

const usageOf = (path: string[]) => `aircover ${path.join(' ')}`.trim();

/**
 * Checks `rawArgs` against `root` and its subcommands. Returns the path of command names it
 * found (e.g. `['webinar', 'cancel']`). Throws UsageError for an unknown command or flag, a flag
 * without its value, a value given to a switch, or more arguments than the command takes.
 */
export async function checkCommandLine(root: CommandDef, rawArgs: string[]): Promise<string[]> {
  const path: string[] = [];
  let command = root;
  let rest = rawArgs;
  for (;;) {
    const args = await resolve<ArgsDef>(command.args ?? {});
    const subCommands = await resolve<Record<string, unknown> | undefined>(command.subCommands);
    const flags = flagTable(args);
    const positionals = Object.entries(args).filter(([, def]) => def.type === 'positional');
    const given: string[] = [];
    let next: { name: string; rest: string[] } | undefined;
    for (let i = 0; i < rest.length; i++) {
      const arg = rest[i] as string;
      if (arg === '--') {
        given.push(...rest.slice(i + 1));
        break;
      }
      if (arg.startsWith('-') && arg !== '-') {
        i += checkFlag(arg, rest[i + 1], flags, path);
        continue;
      }
      if (subCommands && Object.keys(subCommands).length > 0 && given.length === 0) {
        if (!(arg in subCommands)) {
          const names = Object.keys(subCommands);
          const guess = closest(arg, names);
          throw new UsageError(
            `unknown command "${arg}" for ${usageOf(path)}${guess ? `; did you mean "${guess}"?` : ''}`,
            { code: 'unknown-command', hint: `${usageOf(path)} --help lists ${names.join(', ')}` },
          );
        }
        next = { name: arg, rest: rest.slice(i + 1) };
        break;
      }
      given.push(arg);
    }
    if (next) {
      path.push(next.name);
      command = await resolve<CommandDef>(subCommands?.[next.name]);
      rest = next.rest;
      continue;
    }
    if (!takesMany(args) && given.length > positionals.length) {
      const extra = given.slice(positionals.length);
      throw new UsageError(
        `${usageOf(path)} takes ${positionals.length ? positionals.map(([n]) => `<${n}>`).join(' ') : 'no arguments'}; unexpected ${extra.map((e) => `"${e}"`).join(' ')}`,
        { code: 'unexpected-argument', hint: `${usageOf(path)} --help` },
      );
    }
    return path;
  }
}

/** Checks one flag; returns how many following arguments it consumed (its value). */
function checkFlag(
  arg: string,
  following: string | undefined,
  flags: Map<string, Flag>,
  path: string[],
): number {
  const body = arg.replace(/^--?/, '');
  const eq = body.indexOf('=');
  const name = eq === -1 ? body : body.slice(0, eq);
  const value = eq === -1 ? undefined : body.slice(eq + 1);
  let flag = flags.get(name);
  // --no-<switch> turns a boolean off.
  if (!flag && name.startsWith('no-')) {
    const negated = flags.get(name.slice(3));
    if (negated?.def.type === 'boolean' && value === undefined) return 0;
  }
  if (flag && arg.startsWith('-') && !arg.startsWith('--') && name.length > 1) flag = undefined;
  if (!flag) {
    const spellings = [...new Set([...flags.values()].map((f) => kebab(f.name)))];
    const guess = closest(name, [...spellings, ...[...flags.keys()]]);
    const shown = guess ? `--${kebab(flags.get(guess)?.name ?? guess)}` : undefined;
    throw new UsageError(
      `unknown flag ${arg.split('=')[0]} for ${usageOf(path)}${shown ? `; did you mean ${shown}?` : ''}`,
      {
        code: 'unknown-flag',
        field: name,
        hint: spellings.length
          ? `${usageOf(path)} takes ${spellings.map((s) => `--${s}`).join(', ')} (see --help)`
          : `${usageOf(path)} takes no flags`,
      },
    );
  }
  const shown = `--${kebab(flag.name)}`;
  if (flag.def.type === 'boolean') {
    if (value !== undefined && value !== 'true' && value !== 'false')
      throw new UsageError(`${shown} is a switch: give it alone, or as ${shown}=true / ${shown}=false`, {
        code: 'bad-value',
        field: flag.name,
      });
    return 0;
  }
  if (value !== undefined) {
    checkValue(flag, shown, value);
    return 0;
  }
  if (
    following === undefined ||
    (following.startsWith('-') && following.length > 1 && !/^-\d/.test(following))
  )
    throw new UsageError(`${shown} needs a value`, { code: 'missing-value', field: flag.name });
  checkValue(flag, shown, following);
  return 1;
}

function checkValue(flag: Flag, shown: string, value: string): void {
  if (flag.def.type === 'enum' && flag.def.options && !flag.def.options.includes(value))
    throw new UsageError(`${shown} must be one of ${flag.def.options.join(', ')} (got "${value}")`, {
      code: 'bad-value',
      field: flag.name,
    });
}
