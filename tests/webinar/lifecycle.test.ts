/**
 * The webinar's life reaches every part (src/lib/webinar/lifecycle.ts). On copies of the sample
 * content and campaigns, with the real CLI, the real build and the real server:
 * - `webinar reschedule` → the page says `EventRescheduled` with `previousStartDate`;
 * - `webinar cancel` → `send --touch reminder|webinar-invite` plans nothing and says why, the
 *   page says `EventCancelled`, the home page stops advertising it, the personal page offers no
 *   *Save my seat*, and both registration forms answer "closed" and store nothing.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partnerToken } from '../../src/lib/personalize/token.ts';
import { openStore } from '../../src/lib/store/index.ts';
import { lifecycleOf, schemaOrgEventStatus } from '../../src/lib/webinar/lifecycle.ts';
import { type RunningServer, startServer } from '../helpers/server.ts';
import { ensureBuild, projectRoot, runCli, type SiteBuild, TEST_SECRET } from '../helpers/site-build.ts';

const WEBINAR = 'integrators-share-live';
const SECOND = 'second-session';
const PARTNER = 'nordlys-integrasjon';

function jsonLdOf(html: string): Record<string, unknown> {
  const match = /<script type="application\/ld\+json"[^>]*>([\s\S]*?)<\/script>/.exec(html);
  return JSON.parse(match?.[1] ?? '{}') as Record<string, unknown>;
}

describe('lifecycleOf', () => {
  const front = {
    start: new Date('2027-01-21T15:00:00Z'),
    timeZone: 'Europe/Copenhagen',
    durationMinutes: 45,
    registration: 'open' as const,
  };
  const now = new Date('2026-12-01T12:00:00Z');

  it('scheduled, rescheduled with the previous start, cancelled, over', () => {
    expect(lifecycleOf(front, [], now)).toMatchObject({ state: 'scheduled', registrationOpen: true });
    const moved = lifecycleOf(
      front,
      [
        {
          sequence: 1,
          start: '2027-01-28T14:00:00.000Z',
          timeZone: 'Europe/Berlin',
          status: 'confirmed',
          at: '',
        },
      ],
      now,
    );
    expect(moved.state).toBe('rescheduled');
    expect(moved.previousStart?.toISOString()).toBe('2027-01-21T15:00:00.000Z');
    expect(schemaOrgEventStatus(moved)).toBe('https://schema.org/EventRescheduled');
    const cancelled = lifecycleOf({ ...front, status: 'cancelled' }, [], now);
    expect(cancelled).toMatchObject({
      state: 'cancelled',
      registrationOpen: false,
      closedBecause: 'cancelled',
    });
    expect(schemaOrgEventStatus(cancelled)).toBe('https://schema.org/EventCancelled');
    expect(lifecycleOf(front, [], new Date('2027-02-01T00:00:00Z'))).toMatchObject({
      registrationOpen: false,
      closedBecause: 'over',
    });
  });
});

describe('a cancelled webinar reaches every part', () => {
  const root = mkdtempSync(join(tmpdir(), 'aircover-lifecycle-'));
  const env = {
    AIRCOVER_CONTENT_DIR: join(root, 'content'),
    AIRCOVER_CAMPAIGNS_DIR: join(root, 'campaigns'),
    AIRCOVER_DATA_DIR: join(root, 'data'),
    AIRCOVER_OUTBOX_DIR: join(root, 'outbox'),
    AIRCOVER_TRANSPORT: 'outbox',
    AIRCOVER_SECRET: TEST_SECRET,
    AIRCOVER_WEBINAR_FROM: 'Kestrel <events@kestrel-sensing.example.com>',
  };
  let build: SiteBuild;
  let server: RunningServer;

  beforeAll(async () => {
    cpSync(join(projectRoot, 'content'), env.AIRCOVER_CONTENT_DIR, { recursive: true });
    cpSync(join(projectRoot, 'campaigns'), env.AIRCOVER_CAMPAIGNS_DIR, { recursive: true });
    // A second webinar, so one build shows a rescheduled one beside the cancelled one.
    const sample = readFileSync(join(env.AIRCOVER_CONTENT_DIR, 'webinars', `${WEBINAR}.md`), 'utf8');
    writeFileSync(
      join(env.AIRCOVER_CONTENT_DIR, 'webinars', `${SECOND}.md`),
      sample.replace(/^title: .*$/m, 'title: "A second session on the same findings"'),
    );
    const moved = await runCli(
      ['webinar', 'reschedule', SECOND, '--start', '2027-02-04T15:00:00+01:00', '--yes'],
      env,
    );
    expect(moved.code, moved.stderr).toBe(0);
    const cancelled = await runCli(['webinar', 'cancel', WEBINAR, '--yes'], env);
    expect(cancelled.code, cancelled.stderr).toBe(0);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('webinar status says rescheduled (with the previous start) and cancelled', async () => {
    const second = JSON.parse((await runCli(['webinar', 'status', SECOND, '--json'], env)).stdout);
    expect(second).toMatchObject({ status: 'rescheduled', previousStart: '2027-01-21T15:00:00.000Z' });
    const first = JSON.parse((await runCli(['webinar', 'status', WEBINAR, '--json'], env)).stdout);
    expect(first).toMatchObject({ status: 'cancelled', registration: 'closed (cancelled)' });
  });

  it('plans no reminder and no invitation, and says why', async () => {
    for (const touch of ['reminder', 'webinar-invite']) {
      const r = await runCli(['send', 'sample', '--touch', touch, '--dry-run', '--json'], env);
      expect(r.code, r.stderr).toBe(0);
      const plan = JSON.parse(r.stdout);
      const touchPlan = plan.plan[0] as {
        counts: Record<string, number>;
        toSend: number;
        blocked?: string;
      };
      expect(touchPlan.toSend).toBe(0);
      expect(touchPlan.counts['webinar-cancelled']).toBeGreaterThan(0);
      expect(touchPlan.blocked).toMatch(/webinar is cancelled/);
    }
    // Other touches plan as before.
    const r = await runCli(['send', 'sample', '--touch', 'advance-notice', '--dry-run', '--json'], env);
    expect(r.stdout).toMatch(/"toSend": ?[1-9]/);
  });

  it('the build shows EventCancelled and EventRescheduled, and the home page stops advertising it', async () => {
    build = await ensureBuild('webinar-lifecycle', {
      contentDir: env.AIRCOVER_CONTENT_DIR,
      campaignsDir: env.AIRCOVER_CAMPAIGNS_DIR,
    });
    const page = (slug: string) => readFileSync(join(build.client, 'webinars', slug, 'index.html'), 'utf8');
    const cancelled = page(WEBINAR);
    expect(jsonLdOf(cancelled).eventStatus).toBe('https://schema.org/EventCancelled');
    expect(cancelled).toContain('This webinar is cancelled');
    expect(cancelled).not.toContain('data-webinar-register');
    const moved = jsonLdOf(page(SECOND));
    expect(moved.eventStatus).toBe('https://schema.org/EventRescheduled');
    expect(moved.previousStartDate).toBe('2027-01-21T15:00:00.000Z');
    expect(moved.startDate).toBe('2027-02-04T14:00:00.000Z');
    const home = readFileSync(join(build.client, 'index.html'), 'utf8');
    expect(home).not.toContain(`/webinars/${WEBINAR}/`);
    const token = partnerToken('sample', PARTNER, TEST_SECRET);
    const personal = readFileSync(join(build.client, 'p', token, 'index.html'), 'utf8');
    expect(personal).not.toContain('action="/api/forms/register"');
    expect(personal).toContain('This webinar is cancelled');
  }, 400_000);

  it('both registration forms answer "closed" and store nothing', async () => {
    server = await startServer(build, env);
    const token = partnerToken('sample', PARTNER, TEST_SECRET);
    const headers = { origin: server.url, 'content-type': 'application/x-www-form-urlencoded' };
    const personal = await fetch(`${server.url}/api/forms/register`, {
      method: 'POST',
      headers: { ...headers, accept: 'application/json' },
      body: new URLSearchParams({ token, touch: '' }),
    });
    expect(personal.status).toBe(409);
    expect(await personal.json()).toMatchObject({ error: 'registration is closed', reason: 'cancelled' });
    const withoutJs = await fetch(`${server.url}/api/forms/register`, {
      method: 'POST',
      headers,
      body: new URLSearchParams({ token, touch: '' }),
      redirect: 'manual',
    });
    expect(withoutJs.headers.get('location')).toMatch(/#register-closed$/);
    const publicForm = await fetch(`${server.url}/api/webinars/${WEBINAR}/register`, {
      method: 'POST',
      headers: { ...headers, accept: 'application/json' },
      body: new URLSearchParams({ name: 'Ann Visitor', email: 'ann@example.org', company: 'Example' }),
    });
    expect(publicForm.status).toBe(409);
    await server.stop();
    const store = await openStore({ dataDir: env.AIRCOVER_DATA_DIR });
    try {
      expect(await store.listResponses({ webinar: WEBINAR, kind: 'registration' })).toEqual([]);
    } finally {
      await store.close();
    }
  }, 120_000);
});
