/**
 * The hand-off CSV through the real CLI (`aircover followups --csv`), on the sample campaign with a
 * seeded store: the one column list (csv.ts, also /admin/export.csv's), reading minutes, paper
 * progress and sections, last human visit, feedback with its consent, the registration that
 * counts (an unverified one does not) and attendance, replies, tags and the owner after a hand-off;
 * instants in the campaign's zone with its offset; partner text neutralised.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvColumns } from '../../src/lib/followup/csv.ts';
import { loadFollowupCampaigns } from '../../src/lib/followup/index.ts';
import { openStore } from '../../src/lib/store/index.ts';
import { runCli, TEST_SECRET } from '../helpers/site-build.ts';
import { ev, sent } from './helpers.ts';

const WEBINAR = 'integrators-share-live';
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aircover-handoff-csv-'));
  const dataDir = join(dir, 'data');
  env = { AIRCOVER_SECRET: TEST_SECRET, AIRCOVER_DATA_DIR: dataDir, DATABASE_URL: '' };
  const store = await openStore({ dataDir });
  const [sample] = loadFollowupCampaigns({ only: 'sample' });
  if (!sample) throw new Error('no sample');
  await sent(store, sample, 'advance-notice', ['nordlys-integrasjon', 'frostline-it', 'harbourgate']);
  await store.appendEvents([
    ev('sample', 'nordlys-integrasjon', 'page_view', new Date('2026-11-30T08:00:00Z')),
    ev('sample', 'nordlys-integrasjon', 'visible_time', new Date('2026-11-30T08:05:00Z'), 'human', {
      ms: 270_000,
    }),
    ev('sample', 'nordlys-integrasjon', 'read_progress', new Date('2026-11-30T08:06:00Z'), 'human', {
      index: 2,
      of: 6,
    }),
    // A scanner's "reading" counts for nothing.
    ev('sample', 'harbourgate', 'visible_time', new Date('2026-11-30T08:00:00Z'), 'bot', { ms: 900_000 }),
  ]);
  await store.addResponse({
    kind: 'feedback',
    idempotencyKey: 'handoff-feedback',
    campaign: 'sample',
    partnerId: 'nordlys-integrasjon',
    text: '=SUM(A1) the spoilage figures ring true',
    rating: 4,
    consentToQuote: true,
    source: 'form',
    occurredAt: new Date('2026-11-30T08:10:00Z'),
  });
  await store.addResponse({
    kind: 'registration',
    campaign: 'sample',
    partnerId: 'frostline-it',
    webinar: WEBINAR,
    email: 'frostline@example.com',
    source: 'form',
    occurredAt: new Date('2026-11-29T12:00:00Z'),
  });
  await store.addResponse({
    kind: 'attendance',
    campaign: 'sample',
    partnerId: 'frostline-it',
    webinar: WEBINAR,
    email: 'frostline@example.com',
    source: 'cli',
    occurredAt: new Date('2026-12-01T15:00:00Z'),
  });
  // Typed into the public form by someone else: not a registration until confirmed.
  await store.addResponse({
    kind: 'registration',
    campaign: 'sample',
    partnerId: 'harbourgate',
    webinar: WEBINAR,
    email: 'harbourgate@example.com',
    source: 'form',
    verified: false,
    occurredAt: new Date('2026-11-29T12:00:00Z'),
  });
  await store.addResponse({
    kind: 'replied',
    idempotencyKey: 'handoff-replied',
    campaign: 'sample',
    partnerId: 'harbourgate',
    source: 'cli',
    data: { by: 'Tomas' },
    occurredAt: new Date('2026-11-30T16:30:00Z'),
  });
  await store.addResponse({
    kind: 'handoff',
    idempotencyKey: 'handoff-owner',
    campaign: 'sample',
    partnerId: 'harbourgate',
    source: 'dashboard',
    data: { owner: 'maren', by: 'Tomas' },
    occurredAt: new Date('2026-11-30T17:00:00Z'),
  });
  await store.close();
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('followups --csv, the hand-off', () => {
  it('carries reading, feedback and consent, registration and attendance, replies, tags and owner', async () => {
    const { code, stdout, stderr } = await runCli(['followups', 'sample', '--csv'], env);
    expect(code, stderr).toBe(0);
    const [header] = parse(stdout, { to_line: 1 }) as string[][];
    expect(header).toEqual([...csvColumns]);
    const rows = parse(stdout, { columns: true }) as Record<string, string>[];
    const row = (id: string) => rows.find((r) => r.partnerId === id) as Record<string, string>;

    expect(row('nordlys-integrasjon')).toMatchObject({
      tags: 'integrator wms nordics',
      owner: 'maren',
      paperProgress: '50%',
      readingMinutes: '4.5',
      paperSections: '1',
      // Copenhagen in winter: UTC+1, written with its offset.
      lastHumanVisit: '2026-11-30T09:06:00+01:00',
      feedback: "'=SUM(A1) the spoilage figures ring true",
      feedbackRating: '4',
      feedbackAt: '2026-11-30T09:10:00+01:00',
      consentToQuote: 'yes',
      registered: 'no',
      registeredAt: '',
      attendance: '',
      replies: '0',
    });
    expect(row('frostline-it')).toMatchObject({
      registered: 'yes',
      registeredAt: '2026-11-29T13:00:00+01:00',
      attendance: 'attended',
      feedback: '',
      consentToQuote: '',
    });
    expect(row('harbourgate')).toMatchObject({
      owner: 'maren', // after the dashboard hand-off; partners.csv says tomas
      registered: 'no', // the unverified registration does not count
      replies: '1',
      lastReplyAt: '2026-11-30T17:30:00+01:00',
      readingMinutes: '0',
    });
    expect(rows.every((r) => Object.values(r).every((v) => !/^[=+@]/.test(v)))).toBe(true);
  });
});
