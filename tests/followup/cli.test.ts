/**
 * The follow-up commands as a user runs them, on the sample campaign with a seeded store:
 * the table (due today first), CSV that parses, JSON, filters, `mark` stopping a sequence,
 * the report, and the digest through the file outbox.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { neutralizeFormula } from '../../src/lib/followup/csv.ts';
import { type FollowUp, loadFollowupCampaigns } from '../../src/lib/followup/index.ts';
import { openStore } from '../../src/lib/store/index.ts';
import { runCli, TEST_SECRET } from '../helpers/site-build.ts';
import { ev, sent } from './helpers.ts';

let dir: string;
let env: Record<string, string>;
const cli = (...args: string[]) => runCli(args, env);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aircover-followup-cli-'));
  const dataDir = join(dir, 'data');
  env = {
    AIRCOVER_SECRET: TEST_SECRET,
    AIRCOVER_DATA_DIR: dataDir,
    AIRCOVER_OUTBOX_DIR: join(dir, 'outbox'),
    DATABASE_URL: '',
  };
  const store = await openStore({ dataDir });
  const [sample] = loadFollowupCampaigns({ only: 'sample' });
  if (!sample) throw new Error('no sample');
  const ids = ['nordlys-integrasjon', 'vistula-wms', 'coldline-service'];
  await sent(store, sample, 'advance-notice', ids);
  await store.appendEvents([
    ev('sample', 'nordlys-integrasjon', 'visible_time', new Date(Date.now() - 3_600_000), 'human', {
      ms: 300_000,
    }),
    ev('sample', 'vistula-wms', 'visible_time', new Date(Date.now() - 3_600_000), 'bot', { ms: 300_000 }),
  ]);
  await store.addResponse({
    kind: 'feedback',
    idempotencyKey: 'cli-feedback',
    campaign: 'sample',
    partnerId: 'coldline-service',
    text: '=HYPERLINK("http://evil.example")',
    consentToQuote: true,
    source: 'form',
  });
  await store.close();
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('aircover followups', () => {
  it('prints a table with the hot partners first', async () => {
    const { code, stdout, stderr } = await cli('followups', 'sample');
    expect(code, stderr).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/due\s+partner\s+campaign\s+owner\s+status/);
    expect(lines[1]).toMatch(/HOT.*Nordlys/);
    expect(lines).toHaveLength(13); // header + 12 partners, one line each (hostile names flattened)
    expect(stderr).toMatch(/12 partners, \d+ due today/);
  });

  it('prints JSON, with filters by status and owner', async () => {
    const { code, stdout } = await cli(
      'followups',
      'sample',
      '--json',
      '--status',
      'engaged-hot,no-response',
    );
    expect(code).toBe(0);
    const { followups } = JSON.parse(stdout) as { followups: FollowUp[] };
    expect(followups.map((f) => f.partnerId).sort()).toEqual(['nordlys-integrasjon', 'vistula-wms']);
    // Bot reading time counts for nothing.
    expect(followups.find((f) => f.partnerId === 'vistula-wms')?.score).toBe(0);
    const byOwner = JSON.parse((await cli('followups', '--json', '--owner', 'tomas')).stdout) as {
      followups: FollowUp[];
    };
    expect(byOwner.followups.length).toBeGreaterThan(0);
    expect(byOwner.followups.every((f) => f.owner === 'tomas')).toBe(true);
    expect((await cli('followups', '--status', 'warmish')).code).toBe(2);
  });

  it('prints CSV that parses, with partner text neutralised for spreadsheets', async () => {
    const { code, stdout } = await cli('followups', 'sample', '--csv');
    expect(code).toBe(0);
    const rows = parse(stdout, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(12);
    expect(rows[0]?.partnerId).toBe('nordlys-integrasjon');
    expect(rows[0]?.hot).toBe('yes');
    const coldline = rows.find((r) => r.partnerId === 'coldline-service');
    expect(coldline?.status).toBe('feedback-given');
    expect(coldline?.suggestion).toContain('HYPERLINK');
    expect(rows.every((r) => Object.values(r).every((v) => !/^[=+@]/.test(v)))).toBe(true);
    expect(neutralizeFormula('=HYPERLINK("x")')).toBe(`'=HYPERLINK("x")`);
    expect(rows.find((r) => r.partnerId === 'hostile-fields')?.name).toContain('\n');
  });
});

describe('aircover mark', () => {
  it('stops the sequence: the partner leaves the queue for follow-up touches', async () => {
    const before = JSON.parse((await cli('followups', 'sample', '--json')).stdout) as {
      followups: FollowUp[];
    };
    expect(before.followups.find((f) => f.partnerId === 'vistula-wms')?.action).toBe('next-touch');
    const marked = await cli(
      'mark',
      'vistula-wms',
      'called',
      '--note',
      'Paweł wants a pilot',
      '--campaign',
      'sample',
    );
    expect(marked.code, marked.stderr).toBe(0);
    expect(marked.stderr).toMatch(/sample\/vistula-wms: called/);
    // The same outcome with the same note on the same day is one outcome.
    const args = ['mark', 'vistula-wms', 'called', '--note', 'Paweł wants a pilot', '--campaign', 'sample'];
    const again = JSON.parse((await cli(...args, '--json')).stdout) as {
      marked: { id: number; created: boolean }[];
    };
    expect(again.marked).toMatchObject([{ created: false }]);
    const after = JSON.parse((await cli('followups', 'sample', '--json')).stdout) as {
      followups: FollowUp[];
    };
    const row = after.followups.find((f) => f.partnerId === 'vistula-wms');
    expect(row?.status).toBe('in-conversation');
    expect(row?.action).toBe('continue-conversation');
    expect(row?.reason).toMatch(/Paweł wants a pilot/);
    // A different note is another outcome.
    const other = JSON.parse(
      (await cli('mark', 'vistula-wms', 'called', '--note', 'second call', '--json')).stdout,
    );
    expect(other.marked[0].created).toBe(true);
    expect(other.marked[0].id).not.toBe(again.marked[0]?.id);
  });

  it('refuses an unknown outcome and an unknown partner', async () => {
    expect((await cli('mark', 'vistula-wms', 'won')).code).toBe(2);
    const unknown = await cli('mark', 'nobody', 'met');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no partner "nobody"/);
  });
});

describe('aircover report and digest', () => {
  it('reports the funnel and the numbers', async () => {
    const table = await cli('report', 'sample');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/sent\s+3\s+100%/);
    const { campaigns } = JSON.parse((await cli('report', 'sample', '--json')).stdout) as {
      campaigns: { funnel: { stage: string; partners: number }[]; numbers: Record<string, number> }[];
    };
    // Outbox mode, no delivery reported: the second stage is what was written, not "delivered 0".
    expect(campaigns[0]?.funnel.map((f) => f.partners)).toEqual([3, 3, 1, 0, 1, 0]);
    expect(campaigns[0]?.funnel[1]?.stage).toBe('written to the outbox');
    expect(table.stdout).toMatch(/written to the outbox\s+3/);
    expect(campaigns[0]?.numbers.botOrSuspectEvents).toBe(1);
  });

  it('emails the digest through the outbox', async () => {
    expect((await cli('digest')).code).toBe(2);
    const { code, stdout, stderr } = await cli('digest', '--to', 'team@kestrel.example.com', '--json');
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout) as { providerId: string; digest: { hot: FollowUp[] } };
    expect(result.digest.hot.map((h) => h.partnerId)).toContain('nordlys-integrasjon');
    const eml = readFileSync(join(dir, 'outbox', result.providerId.replace(/^outbox:/, '')), 'utf8');
    expect(eml).toMatch(/To: team@kestrel.example.com/);
    expect(eml).toMatch(/Hot since yesterday/);
  });
});
