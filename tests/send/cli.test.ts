/**
 * `aircover send` as a user runs it: a child process, the real SDK against the fake Resend server,
 * a real SQLite store, a synthetic campaign in a temp folder.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { simpleParser } from 'mailparser';
import { afterAll, describe, expect, test } from 'vitest';
import { openStore } from '../../src/lib/store/index.ts';
import { type FakeResend, startFakeResend } from '../fake-resend/server.ts';
import { projectRoot, runCli } from '../helpers/site-build.ts';
import { type Fixture, makeFixture } from './fixture.ts';

const fixtures: Fixture[] = [];
const fakes: FakeResend[] = [];
afterAll(async () => {
  for (const fake of fakes) await fake.close();
  for (const f of fixtures) rmSync(f.root, { recursive: true, force: true });
});

function fixture(count: number, touches?: string[]): Fixture {
  const f = makeFixture({ count, ...(touches ? { touches } : {}) });
  fixtures.push(f);
  return f;
}

async function fakeResend(options: Parameters<typeof startFakeResend>[0]): Promise<FakeResend> {
  const fake = await startFakeResend(options);
  fakes.push(fake);
  return fake;
}

const resendEnv = (fake: FakeResend) => ({ RESEND_API_KEY: fake.apiKey, RESEND_BASE_URL: fake.url });

function spawnSend(
  args: string[],
  env: Record<string, string>,
): { child: ChildProcess; done: Promise<number | null> } {
  const child = spawn(process.execPath, [join(projectRoot, 'scripts/aircover.mjs'), 'send', ...args], {
    cwd: projectRoot,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.resume();
  const done = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, done };
}

async function ledgerCounts(f: Fixture) {
  const store = await openStore({ dataDir: f.env.AIRCOVER_DATA_DIR as string });
  try {
    return await store.countLedger(f.campaign);
  } finally {
    await store.close();
  }
}

const partnerOf = (e: { tags: { name: string; value: string }[] }) =>
  e.tags.find((t) => t.name === 'partner')?.value;

describe('aircover send through Resend (fake)', () => {
  test('killed with SIGKILL at random points of a 1,000-message send and run again: zero duplicates, zero missing', async () => {
    const f = fixture(1000, ['advance-notice']);
    const fake = await fakeResend({ rateLimit: 0, latencyMs: 10, keepBodies: false });
    const env = { ...f.env, ...resendEnv(fake) };
    const args = [f.campaign, '--touch', 'advance-notice', '--yes'];
    const kills: string[] = [];
    for (let round = 0; round < 3; round++) {
      const before = fake.requests.length;
      const target = before + 1 + Math.floor(Math.random() * 3);
      if (round % 2 === 1) fake.inject({ type: 'slow', count: 1, delayMs: 400 });
      const { child, done } = spawnSend(args, env);
      let finished = false;
      void done.then(() => {
        finished = true;
      });
      while (!finished && fake.requests.length < target) await sleep(5);
      if (finished) break;
      await sleep(Math.floor(Math.random() * 40));
      child.kill('SIGKILL');
      await done;
      kills.push(`after ${fake.requests.length - before} calls, ${fake.received.length} accepted`);
    }
    fake.clearFaults();
    const last = await runCli(['send', ...args], env);
    expect(last.code, `${kills.join('; ')}\n${last.stderr}`).toBe(0);
    expect(kills.length).toBeGreaterThanOrEqual(2);
    const got = fake.received.map(partnerOf);
    expect(fake.duplicates().size, kills.join('; ')).toBe(0);
    expect(new Set(got).size).toBe(1000);
    expect(got.length).toBe(1000);
    expect(await ledgerCounts(f)).toMatchObject({ sent: 1000, sending: 0, planned: 0, failed: 0 });
  }, 150_000);

  test('a quota error stops with exit 3 and a resumable ledger; the rerun sends exactly the rest', async () => {
    const f = fixture(300, ['advance-notice']);
    const first = await fakeResend({ rateLimit: 0, dailyQuota: 150 });
    const args = [f.campaign, '--touch', 'advance-notice', '--yes'];
    const stopped = await runCli(['send', ...args], { ...f.env, ...resendEnv(first) });
    expect(stopped.code, stopped.stderr).toBe(3);
    expect(stopped.stderr).toMatch(/daily quota/);
    expect(stopped.stderr).toMatch(/run the same command again/i);
    expect(first.received).toHaveLength(100);
    expect(await ledgerCounts(f)).toMatchObject({ sent: 100, sending: 0 });

    // The next day (a fresh quota): exactly the 200 that were missing.
    const second = await fakeResend({ rateLimit: 0 });
    const resumed = await runCli(['send', ...args, '--json'], { ...f.env, ...resendEnv(second) });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout).plan[0].counts).toMatchObject({ send: 100, retry: 100, sent: 100 });
    const all = [...first.received, ...second.received].map(partnerOf);
    expect(all).toHaveLength(300);
    expect(new Set(all).size).toBe(300);
  }, 60_000);
});

describe('aircover send with the outbox (no RESEND_API_KEY)', () => {
  test('writes parseable .eml files with one-click unsubscribe; a second run sends nothing', async () => {
    const f = fixture(6);
    const run = await runCli(['send', f.campaign, '--touch', 'advance-notice', '--yes'], f.env);
    expect(run.code, run.stderr).toBe(0);
    const dir = join(f.env.AIRCOVER_OUTBOX_DIR as string, f.campaign, 'advance-notice');
    const emls = readdirSync(dir).filter((n) => n.endsWith('.eml'));
    expect(emls).toHaveLength(6);
    const mail = await simpleParser(readFileSync(join(dir, emls[0] as string)));
    expect(mail.subject).toBeTruthy();
    expect(mail.from?.text).toContain('maren.holt@kestrel-sensing.example.com');
    expect(mail.html).toContain('Unsubscribe');
    expect(mail.text).toBeTruthy();
    // mailparser folds both List-Unsubscribe headers into one structured `list` header.
    const list = mail.headers.get('list') as {
      unsubscribe?: { url?: string };
      'unsubscribe-post'?: { name?: string };
    };
    expect(list.unsubscribe?.url).toMatch(/\/api\/unsubscribe\/[\w-]+/);
    expect(list['unsubscribe-post']?.name).toBe('List-Unsubscribe=One-Click');
    expect(await ledgerCounts(f)).toMatchObject({ sent: 6 });
    // The .eml's Message-ID is the one the store remembers, so a reply's In-Reply-To finds the partner.
    const store = await openStore({ dataDir: f.env.AIRCOVER_DATA_DIR as string });
    try {
      const [known] = await store.findSentMessages([mail.messageId ?? '']);
      expect(known).toMatchObject({ kind: 'touch', campaign: f.campaign, touch: 'advance-notice' });
    } finally {
      await store.close();
    }

    const again = await runCli(['send', f.campaign, '--touch', 'advance-notice', '--yes', '--json'], f.env);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).plan[0].counts).toMatchObject({ send: 0, sent: 6 });
  }, 60_000);

  test('--dry-run shows the plan and writes nothing', async () => {
    const f = fixture(5);
    const run = await runCli(['send', f.campaign, '--touch', 'advance-notice', '--dry-run'], f.env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/5\s+to send/);
    expect(existsSync(f.env.AIRCOVER_OUTBOX_DIR as string)).toBe(false);
    expect(await ledgerCounts(f)).toMatchObject({ planned: 0, sent: 0, skipped: 0 });
  }, 60_000);

  test('--to sends every message to one inbox, naming the partner, and leaves the ledger alone', async () => {
    const f = fixture(4);
    const run = await runCli(
      ['send', f.campaign, '--touch', 'advance-notice', '--to', 'qa@example.net', '--yes'],
      f.env,
    );
    expect(run.code, run.stderr).toBe(0);
    const dir = join(f.env.AIRCOVER_OUTBOX_DIR as string, f.campaign, 'advance-notice-test');
    const emls = readdirSync(dir).filter((n) => n.endsWith('.eml'));
    expect(emls).toHaveLength(4);
    for (const name of emls) {
      const mail = await simpleParser(readFileSync(join(dir, name)));
      expect(mail.to && !Array.isArray(mail.to) ? mail.to.value.map((a) => a.address) : []).toEqual([
        'qa@example.net',
      ]);
      expect(mail.subject).toMatch(/^\[test for .+@example\d\.com>?\] /);
    }
    expect(await ledgerCounts(f)).toMatchObject({ planned: 0, sent: 0 });
  }, 60_000);

  test('refuses to send a campaign the preflight rejects', async () => {
    const f = fixture(3);
    appendFileSync(join(f.dir, 'emails', 'advance-notice.md'), '\n{{ partner.no_such_column }}\n');
    const run = await runCli(['send', f.campaign, '--touch', 'advance-notice', '--yes'], f.env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/preflight error/);
    expect(existsSync(f.env.AIRCOVER_OUTBOX_DIR as string)).toBe(false);
  }, 60_000);
});
