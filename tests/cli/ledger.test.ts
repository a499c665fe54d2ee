/**
 * The ledger as an operator sees and recovers it: a mistyped key stops the run with exit 3 and
 * leaves every row to send (it used to fail them all for good); `aircover sends` lists the rows
 * with their last errors (table, CSV, JSON); `send --retry-failed` sends a burnt ledger's rows
 * again. The real Resend SDK against tests/fake-resend/, a real SQLite store.
 */
import { rmSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/lib/store/index.ts';
import { type FakeResend, startFakeResend } from '../fake-resend/server.ts';
import { runCli } from '../helpers/site-build.ts';
import { type Fixture, makeFixture } from '../send/fixture.ts';

const fixtures: Fixture[] = [];
const fakes: FakeResend[] = [];
afterAll(async () => {
  for (const fake of fakes) await fake.close();
  for (const f of fixtures) rmSync(f.root, { recursive: true, force: true });
});

async function setup(count: number) {
  const f = makeFixture({ count, touches: ['advance-notice'] });
  fixtures.push(f);
  const fake = await startFakeResend({ rateLimit: 0 });
  fakes.push(fake);
  const env = (key: string) => ({ ...f.env, RESEND_API_KEY: key, RESEND_BASE_URL: fake.url });
  const args = [f.campaign, '--touch', 'advance-notice', '--yes'];
  return { f, fake, env, args };
}

async function ledger(f: Fixture) {
  const store = await openStore({ dataDir: f.env.AIRCOVER_DATA_DIR as string });
  try {
    return await store.listLedger({ campaign: f.campaign });
  } finally {
    await store.close();
  }
}

describe('a refused API key', () => {
  it('stops the run at once with exit 3; every row stays to send; the right key then sends them all', async () => {
    const { f, fake, env, args } = await setup(150);
    const wrong = await runCli(['send', ...args], env('re_mistyped'));
    expect(wrong.code, wrong.stderr).toBe(3);
    expect(wrong.stderr).toMatch(/Resend refused the API key/);
    expect(wrong.stderr).toMatch(/RESEND_API_KEY/);
    // One call was made, none after it; nothing failed for good.
    expect(fake.requests).toHaveLength(1);
    const rows = await ledger(f);
    expect(rows.filter((r) => r.state === 'failed' && !r.retryable)).toHaveLength(0);
    expect(rows.filter((r) => r.state === 'sent')).toHaveLength(0);

    const right = await runCli(['send', ...args, '--json'], env(fake.apiKey));
    expect(right.code, right.stderr).toBe(0);
    expect(JSON.parse(right.stdout).plan[0].counts).toMatchObject({ failed: 0 });
    expect(new Set(fake.received.map((e) => e.to[0])).size).toBe(150);
    expect((await ledger(f)).every((r) => r.state === 'sent')).toBe(true);
  }, 120_000);

  it('under --json the stop is one JSON error with exit 3', async () => {
    const { env, args } = await setup(3);
    const r = await runCli(['send', ...args, '--json'], env('re_mistyped'));
    expect(r.code, r.stderr).toBe(3);
    const body = JSON.parse(r.stdout);
    expect(body.error).toMatchObject({ code: 'provider-refused-key', field: 'RESEND_API_KEY' });
    expect(body.result.results[0]).toMatchObject({ sent: 0, failed: 0, stopped: { reason: 'unauthorized' } });
  }, 60_000);
});

describe('aircover sends and send --retry-failed', () => {
  it('lists failed rows with their last error, and --retry-failed sends them under the same rules', async () => {
    const { f, fake, env, args } = await setup(4);
    // A ledger burnt the old way: planned by a dry-run-free plan, then every row failed for good.
    const plan = await runCli(['send', ...args], env('re_mistyped'));
    expect(plan.code).toBe(3);
    const store = await openStore({ dataDir: f.env.AIRCOVER_DATA_DIR as string });
    for (const row of await store.listLedger({ campaign: f.campaign }))
      await store.markFailed(row.idempotencyKey, 'invalid_api_key (403): API key is invalid.', false);
    // A partner-typed error text must reach neither a terminal nor a spreadsheet as code.
    const first = (await store.listLedger({ campaign: f.campaign }))[0];
    if (first)
      await store.markFailed(first.idempotencyKey, '=HYPERLINK("http://x") \u001b]52;c;aGk=\u0007', false);
    await store.close();

    const table = await runCli(['sends', f.campaign, '--state', 'failed'], env(fake.apiKey));
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain('invalid_api_key (403): API key is invalid.');
    expect(table.stdout).not.toContain('\u001b');
    expect(table.stderr).toMatch(/4 rows: 4 failed/);

    const csv = await runCli(['sends', f.campaign, '--csv'], env(fake.apiKey));
    const records = parse(csv.stdout, { columns: true }) as Record<string, string>[];
    expect(records).toHaveLength(4);
    expect(records.every((r) => r.state === 'failed')).toBe(true);
    expect(records.some((r) => r.lastError?.startsWith(`'=HYPERLINK`))).toBe(true);

    const json = JSON.parse((await runCli(['sends', f.campaign, '--json'], env(fake.apiKey))).stdout);
    expect(json.rows).toHaveLength(4);

    expect((await runCli(['sends', f.campaign, '--state', 'faild'], env(fake.apiKey))).code).toBe(2);

    // Without --retry-failed the plan says so and sends nothing.
    const again = await runCli(['send', ...args], env(fake.apiKey));
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/4 failed earlier: .*--retry-failed/);
    expect(fake.received).toHaveLength(0);

    // --dry-run --retry-failed changes nothing.
    const dry = await runCli(['send', ...args, '--retry-failed', '--dry-run'], env(fake.apiKey));
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toMatch(/Would requeue 4 failed row/);
    expect((await ledger(f)).every((r) => r.state === 'failed')).toBe(true);

    const retried = await runCli(['send', ...args, '--retry-failed'], env(fake.apiKey));
    expect(retried.code, retried.stderr).toBe(0);
    expect(fake.received).toHaveLength(4);
    expect(fake.duplicates().size).toBe(0);
    expect((await ledger(f)).every((r) => r.state === 'sent')).toBe(true);

    // A second --retry-failed has nothing left to send.
    const twice = await runCli(['send', ...args, '--retry-failed'], env(fake.apiKey));
    expect(twice.code, twice.stderr).toBe(0);
    expect(fake.received).toHaveLength(4);
  }, 120_000);
});
