/**
 * `aircover schedule` and the report's subject-test section through the real CLI, on fixture
 * campaigns: the schedule shows each partner's touch at the next opening of the send window on
 * their own clock (five zones, one still on winter time days before its DST change), with the
 * offset and in UTC, skipping a partner who declined; the report, after a real send through the
 * outbox and seeded events, prints per variant who visited, read and replied (opens never count)
 * and says whether the difference means anything.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/lib/store/index.ts';
import { runCli } from '../helpers/site-build.ts';
import { type Fixture, makeFixture } from '../send/fixture.ts';
import { windowFixture, zones } from './fixture.ts';

const fixtures: Fixture[] = [];
afterAll(() => {
  for (const f of fixtures) rmSync(f.root, { recursive: true, force: true });
});

interface ScheduleJson {
  campaign: string;
  touches: {
    touch: string;
    at: string;
    partners: { partner: string; timeZone: string; dueAt: string; dueUtc: string; category: string }[];
  }[];
}

describe('aircover schedule', () => {
  it("shows every partner's touch on their own clock, in their zone and the campaign's", async () => {
    const f = windowFixture();
    fixtures.push(f);
    // One partner said no: the schedule shows it is not sent.
    const store = await openStore({ dataDir: f.env.AIRCOVER_DATA_DIR as string });
    await store.addResponse({
      kind: 'decline',
      idempotencyKey: 'schedule-decline',
      campaign: f.campaign,
      partnerId: f.ids[2] as string,
      source: 'form',
    });
    await store.close();

    const json = await runCli(['schedule', f.campaign, '--touch', 'advance-notice', '--json'], f.env);
    expect(json.code, json.stderr).toBe(0);
    const result = JSON.parse(json.stdout) as ScheduleJson;
    expect(result.touches.map((t) => t.touch)).toEqual(['advance-notice']);
    const byZone = Object.fromEntries(
      (result.touches[0]?.partners ?? []).map((p) => [p.timeZone, [p.dueAt, p.dueUtc, p.category]]),
    );
    // The touch is Wednesday 2027-03-10 12:00 UTC; the window weekdays 08:30–10:30 local.
    expect(byZone).toEqual({
      // 02:00 there: later that morning.
      'Pacific/Honolulu': ['2027-03-10T08:30:00-10:00', '2027-03-10T18:30:00.000Z', 'scheduled'],
      // 07:00 there, still on EST (DST starts 14 March): 08:30 the same day.
      'America/New_York': ['2027-03-10T08:30:00-05:00', '2027-03-10T13:30:00.000Z', 'scheduled'],
      // Declined: not sent (shown at the touch's own time).
      'Europe/Berlin': [expect.any(String), expect.any(String), 'declined'],
      // 23:00 there (summer time): Thursday morning.
      'Australia/Sydney': ['2027-03-11T08:30:00+11:00', '2027-03-10T21:30:00.000Z', 'scheduled'],
      // 17:30 there: the window has closed, Thursday.
      'Asia/Kolkata': ['2027-03-11T08:30:00+05:30', '2027-03-11T03:00:00.000Z', 'scheduled'],
    });
    expect(zones).toHaveLength(5);

    const table = await runCli(['schedule', f.campaign, '--touch', 'advance-notice'], f.env);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/window: mon,tue,wed,thu,fri 08:30–10:30 on each partner's clock/);
    // Each partner's time in their zone, and the team's in the campaign's zone, both named.
    expect(table.stdout).toMatch(
      /partner\s+zone\s+their time\s+campaign time \(Europe\/Copenhagen\)\s+status/,
    );
    expect(table.stdout).toMatch(
      /Pacific\/Honolulu\s+10 Mar 2027, 08:30 GMT-10\s+10 Mar 2027, 19:30 CET\s+scheduled/,
    );
    expect(table.stdout).toMatch(
      /Asia\/Kolkata\s+11 Mar 2027, 08:30 GMT\+5:30\s+11 Mar 2027, 04:00 CET\s+scheduled/,
    );

    // A wrong command line does nothing: an unknown touch or flag exits 2.
    expect((await runCli(['schedule', f.campaign, '--touch', 'nope'], f.env)).code).toBe(2);
    expect((await runCli(['schedule', f.campaign, '--zone', 'UTC'], f.env)).code).toBe(2);
  });
});

describe('aircover report: the subject test', () => {
  it('per variant after a real send and seeded events; the verdict at this sample size', async () => {
    const f = makeFixture({
      count: 20,
      touches: ['advance-notice'],
      when: { 'advance-notice': '2026-01-05T09:00:00Z' },
    });
    fixtures.push(f);
    const file = join(f.dir, 'emails', 'advance-notice.md');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(/^---\n/, '---\nsubjects:\n  - "North star"\n  - "South wind"\n'),
    );
    const sent = await runCli(['send', f.campaign, '--touch', 'advance-notice', '--yes'], f.env);
    expect(sent.code, sent.stderr).toBe(0);

    // The ledger says who got which variant; seed what they did.
    const store = await openStore({ dataDir: f.env.AIRCOVER_DATA_DIR as string });
    const rows = await store.listLedger({ campaign: f.campaign, touch: 'advance-notice', state: 'sent' });
    expect(rows).toHaveLength(20);
    const a = rows.filter((r) => r.subjectVariant === 'A').map((r) => r.partnerId);
    const b = rows.filter((r) => r.subjectVariant === 'B').map((r) => r.partnerId);
    expect([a.length, b.length]).toEqual([10, 10]);
    const at = new Date('2026-01-06T10:00:00Z');
    const ev = (partnerId: string, type: string, verdict: 'human' | 'bot' = 'human') => ({
      campaign: f.campaign,
      partnerId,
      touch: 'advance-notice',
      type,
      source: type.startsWith('email.') ? ('webhook' as const) : ('page' as const),
      occurredAt: at,
      verdict,
      metadata: type === 'read_progress' ? { page: 'advance', section: 'h2', index: 2, of: 6 } : {},
    });
    await store.appendEvents([
      ...a.slice(0, 3).flatMap((id) => [ev(id, 'page_view'), ev(id, 'read_progress')]),
      ev(b[0] as string, 'page_view'),
      ev(b[0] as string, 'read_progress'),
      // Opens and a scanner's reading count nowhere.
      ...b.map((id) => ev(id, 'email.opened')),
      ev(b[1] as string, 'read_progress', 'bot'),
    ]);
    await store.addResponse({
      kind: 'replied',
      idempotencyKey: 'report-reply',
      campaign: f.campaign,
      partnerId: b[2] as string,
      source: 'cli',
    });
    await store.close();

    const text = await runCli(['report', f.campaign], f.env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/Subject test: advance-notice \(human evidence only; opens never count\)/);
    expect(text.stdout).toMatch(/variant\s+subject\s+sent\s+visited\s+read the paper\s+replied/);
    expect(text.stdout).toMatch(/A\s+North star\s+10\s+3\s+3\s+0/);
    expect(text.stdout).toMatch(/B\s+South wind\s+10\s+1\s+1\s+1/);
    expect(text.stdout).toMatch(
      /A 30% of 10 read the paper, B 10% of 10 \(Fisher's exact test, p = 0\.\d{3}\): at this sample size the difference may well be chance; do not pick a winner on it\./,
    );

    const json = await runCli(['report', f.campaign, '--json'], f.env);
    const report = JSON.parse(json.stdout) as {
      campaigns: { subjectTests: { touch: string; pValue: number; variants: { sent: number }[] }[] }[];
    };
    expect(report.campaigns[0]?.subjectTests[0]?.variants.map((v) => v.sent)).toEqual([10, 10]);
    expect(report.campaigns[0]?.subjectTests[0]?.pValue).toBeCloseTo(0.582, 3);
  });
});
