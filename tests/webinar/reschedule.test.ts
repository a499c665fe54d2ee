/**
 * `aircover webinar reschedule` and `cancel` on copies of the sample content and campaigns:
 * every registrant gets an update through the transport (the outbox here) with the same UID and
 * a higher SEQUENCE, then METHOD:CANCEL; the frontmatter follows.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import ical, { type VEvent } from 'node-ical';
import { beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/lib/store/index.ts';
import { invitationUid, registerForWebinar } from '../../src/lib/webinar/index.ts';
import { projectRoot, runCli } from '../helpers/site-build.ts';

const WEBINAR = 'integrators-share-live';
const people = ['ann@example.org', 'bo@example.net'];

async function invitations(dir: string, touchPart: string) {
  const files = (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.eml') && f.includes(touchPart))
    .map((f) => join(dir, f));
  return Promise.all(
    files.map(async (f) => {
      const mail = await simpleParser(readFileSync(f));
      const text = mail.attachments.find((a) => a.filename === 'invite.ics')?.content.toString('utf8') ?? '';
      const event = Object.values(ical.sync.parseICS(text)).find((c) => c?.type === 'VEVENT') as VEvent;
      const to = mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : undefined;
      return { to, subject: mail.subject, text, event, method: /^METHOD:(\w+)/m.exec(text)?.[1] };
    }),
  );
}

describe('reschedule and cancel', () => {
  const root = mkdtempSync(join(tmpdir(), 'aircover-reschedule-'));
  const env = {
    AIRCOVER_CONTENT_DIR: join(root, 'content'),
    AIRCOVER_CAMPAIGNS_DIR: join(root, 'campaigns'),
    AIRCOVER_DATA_DIR: join(root, 'data'),
    AIRCOVER_OUTBOX_DIR: join(root, 'outbox'),
    AIRCOVER_TRANSPORT: 'outbox',
    AIRCOVER_SECRET: 'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz',
  };
  const frontmatter = () => readFileSync(join(root, 'content', 'webinars', `${WEBINAR}.md`), 'utf8');

  beforeAll(async () => {
    cpSync(join(projectRoot, 'content'), env.AIRCOVER_CONTENT_DIR, { recursive: true });
    cpSync(join(projectRoot, 'campaigns'), env.AIRCOVER_CAMPAIGNS_DIR, { recursive: true });
    const store = await openStore({ dataDir: env.AIRCOVER_DATA_DIR });
    for (const email of people) await registerForWebinar(store, { webinar: WEBINAR, email, source: 'form' });
    await store.close();
  });

  it('rejects a start without offset', async () => {
    const r = await runCli(['webinar', 'reschedule', WEBINAR, '--start', '2027-01-28 15:00'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--start must be an ISO 8601 instant with offset');
  });

  it('reschedule: same UID, SEQUENCE 1, new time, for everyone registered; frontmatter updated', async () => {
    const r = await runCli(
      [
        'webinar',
        'reschedule',
        WEBINAR,
        '--start',
        '2027-01-28T15:00:00+01:00',
        '--zone',
        'Europe/Berlin',
        '--yes',
      ],
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('2 of 2 registrant(s) sent SEQUENCE 1');
    const sent = await invitations(env.AIRCOVER_OUTBOX_DIR, 'update-1');
    expect(sent.map((s) => s.to).sort()).toEqual(people);
    for (const s of sent) {
      expect(s.method).toBe('REQUEST');
      expect(s.event.uid).toBe(invitationUid(WEBINAR, s.to ?? ''));
      expect(Number(s.event.sequence)).toBe(1);
      expect(new Date(s.event.start).toISOString()).toBe('2027-01-28T14:00:00.000Z');
      expect(s.subject).toMatch(/^New time: /);
    }
    expect(frontmatter()).toContain("start: '2027-01-28T14:00:00Z'");
    expect(frontmatter()).toContain('timeZone: Europe/Berlin');
  });

  it('cancel: METHOD:CANCEL, same UID, SEQUENCE 2; registration closed', async () => {
    const r = await runCli(['webinar', 'cancel', WEBINAR, '--yes'], env);
    expect(r.code, r.stderr).toBe(0);
    const sent = await invitations(env.AIRCOVER_OUTBOX_DIR, 'cancellation-2');
    expect(sent).toHaveLength(2);
    for (const s of sent) {
      expect(s.method).toBe('CANCEL');
      expect(s.event.uid).toBe(invitationUid(WEBINAR, s.to ?? ''));
      expect(Number(s.event.sequence)).toBe(2);
      expect(String(s.event.status)).toBe('CANCELLED');
    }
    expect(frontmatter()).toMatch(/^registration: closed$/m);
    const status = await runCli(['webinar', 'status', WEBINAR, '--json'], env);
    expect(JSON.parse(status.stdout)).toMatchObject({ status: 'cancelled', sequence: 2, registrations: 2 });
  });
});
