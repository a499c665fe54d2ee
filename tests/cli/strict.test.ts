/**
 * A wrong command line does nothing: every command checks its flags strictly, state-changing
 * commands honour --dry-run, the ones that email everyone ask first, and failures are one line
 * (or one JSON object under --json) with the exit code from the one mapping in src/cli/errors.ts.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArgsDef, CommandDef } from 'citty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands, main } from '../../src/cli/main.ts';
import { UsageError } from '../../src/cli/output.ts';
import { checkCommandLine, takesMany } from '../../src/cli/strict.ts';
import { openStore } from '../../src/lib/store/index.ts';
import { registerForWebinar } from '../../src/lib/webinar/index.ts';
import { projectRoot, runCli } from '../helpers/site-build.ts';

const resolveValue = async <T>(v: unknown): Promise<T> =>
  (typeof v === 'function' ? await v() : await v) as T;

/** Every runnable (sub)command, as its path and definition. */
async function leaves(): Promise<{ path: string[]; def: CommandDef }[]> {
  const found: { path: string[]; def: CommandDef }[] = [];
  async function walk(path: string[], def: CommandDef) {
    const subs = await resolveValue<Record<string, unknown> | undefined>(def.subCommands);
    if (subs && Object.keys(subs).length > 0) {
      for (const [name, sub] of Object.entries(subs)) await walk([...path, name], await resolveValue(sub));
    } else found.push({ path, def });
  }
  for (const [name, load] of Object.entries(commands)) await walk([name], await load());
  return found;
}

/** Commands that change the store, files or anyone's inbox. */
const stateChanging = [
  'send',
  'webinar reschedule',
  'webinar cancel',
  'import attendance',
  'mark',
  'db sync',
  'db migrate',
  'digest',
  'inbox sync',
  'inbox correct',
];
/** Those that email everyone or cannot be undone: they ask unless --yes. */
const asking = ['send', 'webinar reschedule', 'webinar cancel'];

describe('strict command line', () => {
  it('every command refuses an unknown flag with a usage error naming the closest valid one', async () => {
    const all = await leaves();
    expect(all.length).toBeGreaterThan(15);
    for (const { path, def } of all) {
      const args = await resolveValue<ArgsDef>(def.args ?? {});
      const positionals = Object.values(args).filter((a) => a.type === 'positional' && a.required !== false);
      const line = [...path, ...positionals.map(() => 'x')];
      await expect(checkCommandLine(main, [...line, '--no-such-flag']), path.join(' ')).rejects.toThrow(
        UsageError,
      );
      // A command that takes many (`inbox classify FILE.eml…`) accepts more arguments by design.
      if (!takesMany(args))
        await expect(checkCommandLine(main, [...line, 'x', 'y', 'z']), path.join(' ')).rejects.toThrow(
          /unexpected/,
        );
      await expect(checkCommandLine(main, line), path.join(' ')).resolves.toEqual(path);
    }
  });

  it('every state-changing command declares --dry-run, and the ones that email everyone --yes', async () => {
    const all = new Map((await leaves()).map((l) => [l.path.join(' '), l.def]));
    for (const name of stateChanging) {
      const def = all.get(name);
      expect(def, name).toBeDefined();
      const args = await resolveValue<ArgsDef>(def?.args ?? {});
      expect(args.dryRun?.type, `${name} --dry-run`).toBe('boolean');
      if (asking.includes(name)) expect(args.yes?.type, `${name} --yes`).toBe('boolean');
    }
  });

  it('names the closest flag and the closest command', async () => {
    await expect(checkCommandLine(main, ['send', 'sample', '--dry-rnu'])).rejects.toThrow(
      /unknown flag --dry-rnu .*did you mean --dry-run\?/,
    );
    await expect(checkCommandLine(main, ['sned', 'sample'])).rejects.toThrow(/did you mean "send"/);
    await expect(checkCommandLine(main, ['send', 'sample', '--touch'])).rejects.toThrow(
      /--touch needs a value/,
    );
    await expect(checkCommandLine(main, ['check', '--strict=maybe'])).rejects.toThrow(/is a switch/);
    // Both spellings citty accepts, and --no-<switch>.
    await expect(
      checkCommandLine(main, ['send', 'sample', '--dryRun', '--campaigns-dir', 'c']),
    ).resolves.toEqual(['send']);
    await expect(checkCommandLine(main, ['check', '--no-strict'])).resolves.toEqual(['check']);
  });
});

describe('a wrong command line changes nothing', () => {
  const WEBINAR = 'integrators-share-live';
  const root = mkdtempSync(join(tmpdir(), 'aircover-strict-'));
  const env = {
    AIRCOVER_CONTENT_DIR: join(root, 'content'),
    AIRCOVER_CAMPAIGNS_DIR: join(root, 'campaigns'),
    AIRCOVER_DATA_DIR: join(root, 'data'),
    AIRCOVER_OUTBOX_DIR: join(root, 'outbox'),
    AIRCOVER_STATE_DIR: join(root, 'state'),
    AIRCOVER_TRANSPORT: 'outbox',
    RESEND_API_KEY: '',
    AIRCOVER_SECRET: 'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz',
  };
  const webinarFile = join(env.AIRCOVER_CONTENT_DIR, 'webinars', `${WEBINAR}.md`);
  const outboxFiles = () =>
    existsSync(env.AIRCOVER_OUTBOX_DIR)
      ? (readdirSync(env.AIRCOVER_OUTBOX_DIR, { recursive: true }) as string[])
      : [];

  beforeAll(async () => {
    cpSync(join(projectRoot, 'content'), env.AIRCOVER_CONTENT_DIR, { recursive: true });
    cpSync(join(projectRoot, 'campaigns'), env.AIRCOVER_CAMPAIGNS_DIR, { recursive: true });
    const store = await openStore({ dataDir: env.AIRCOVER_DATA_DIR });
    await registerForWebinar(store, { webinar: WEBINAR, email: 'ann@example.org', source: 'form' });
    await store.close();
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('webinar cancel --dry-run emails nobody and leaves the frontmatter as it was', async () => {
    const before = readFileSync(webinarFile, 'utf8');
    const r = await runCli(['webinar', 'cancel', WEBINAR, '--dry-run'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/dry run: 1 registrant\(s\) would get METHOD:CANCEL/);
    expect(readFileSync(webinarFile, 'utf8')).toBe(before);
    expect(outboxFiles()).toEqual([]);
  });

  it('webinar cancel without a terminal and without --yes refuses with exit 2', async () => {
    const before = readFileSync(webinarFile, 'utf8');
    const r = await runCli(['webinar', 'cancel', WEBINAR], env);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/no terminal to ask on/);
    expect(r.stderr).toMatch(/--yes/);
    expect(readFileSync(webinarFile, 'utf8')).toBe(before);
    expect(outboxFiles()).toEqual([]);
  });

  it('send with a misspelled --dry-run exits 2 naming --dry-run and sends nothing', async () => {
    const r = await runCli(['send', 'sample', '--touch', 'advance-notice', '--dry-rnu'], env);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('unknown flag --dry-rnu');
    expect(r.stderr).toContain('did you mean --dry-run?');
    expect(outboxFiles()).toEqual([]);
  });

  it('under --json a usage error is one JSON object on stdout', async () => {
    const r = await runCli(['send', 'sample', '--touch', 'advance-notice', '--dry-rnu', '--json'], env);
    expect(r.code).toBe(2);
    const body = JSON.parse(r.stdout) as { error: Record<string, unknown> };
    expect(body.error).toMatchObject({ code: 'unknown-flag', field: 'dry-rnu', file: null, line: null });
    expect(Object.keys(body.error).sort()).toEqual(['code', 'field', 'file', 'hint', 'line', 'message']);
    expect(body.error.message).toMatch(/did you mean --dry-run/);
  });

  it('with the store down, feedback and webinar status print one line (or one JSON error), no stack', async () => {
    const down = { ...env, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere' };
    for (const line of [
      ['feedback', 'sample'],
      ['webinar', 'status', WEBINAR],
    ]) {
      const r = await runCli(line, down);
      expect(r.code, line.join(' ')).toBe(1);
      expect(r.stderr).toMatch(/^error .*unavailable/m);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      const j = await runCli([...line, '--json'], down);
      expect(j.code).toBe(1);
      expect(JSON.parse(j.stdout).error).toMatchObject({ code: 'store-unavailable' });
      expect(j.stderr).not.toMatch(/^\s+at /m);
    }
  });
});
