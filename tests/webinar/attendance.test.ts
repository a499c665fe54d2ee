import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/lib/store/types.ts';
import {
  AttendanceFormatError,
  importAttendance,
  parseAttendance,
  parseMinutes,
} from '../../src/lib/webinar/index.ts';
import { fixture, sampleWebinar, tempStore } from './helpers.ts';

const read = (name: string) => parseAttendance(readFileSync(fixture(name)), name);
const emails = (name: string) =>
  read(name)
    .attendees.map((a) => a.email)
    .sort();

describe('attendance exports', () => {
  it('Zoom meeting participants: header block read for the host, rejoins merged', () => {
    const report = read('zoom-participants.csv');
    expect(report.vendor).toBe('zoom');
    // The meeting's owner from the summary block: the importer leaves them out.
    expect(report.hosts).toEqual(['maren.holt@kestrel-sensing.example.com']);
    expect(emails('zoom-participants.csv')).toEqual([
      'ingrid.bakke@nordlys-integrasjon.example.com',
      'j.weiss@kuehlhaus-technik.example.com',
      'maren.holt@kestrel-sensing.example.com',
      'walk.in@newcomer.example.org',
    ]);
    const ingrid = report.attendees.find((a) => a.email.startsWith('ingrid'));
    expect(ingrid?.minutes).toBe(43);
    expect(ingrid?.line).toBe(6);
    expect(report.attendees.find((a) => a.email.startsWith('j.weiss'))?.name).toBe('Weiss, Jonas');
    expect(report.skipped).toEqual([{ line: 10, reason: 'no email for Dial-in user' }]);
  });

  it('Zoom webinar attendee report: only "Attendee Details" rows that attended', () => {
    const report = read('zoom-webinar-attendees.csv');
    expect(report.vendor).toBe('zoom-webinar');
    expect(report.attendees.map((a) => a.email)).toEqual([
      'pawel.zielinski@vistula-wms.example.com',
      'femke@dockside-systems.example.com',
    ]);
    expect(report.attendees[0]?.name).toBe('Paweł Zieliński');
    expect(report.skipped.map((s) => s.reason)).toEqual(['did not attend']);
  });

  it('Microsoft Teams: UTF-16 LE, tab separated, summary section, organizer left out, UPN as fallback', () => {
    const bytes = readFileSync(fixture('teams-attendance.csv'));
    expect([bytes[0], bytes[1]]).toEqual([0xff, 0xfe]);
    const report = read('teams-attendance.csv');
    expect(report.vendor).toBe('teams');
    expect(report.attendees.map((a) => a.email)).toEqual([
      'declan.murphy@coldline-service.example.com',
      'priya.raman@harbourgate.example.com',
      'lukas.brenner@alpenfrost.example.at',
    ]);
    expect(report.attendees[0]?.minutes).toBeCloseTo(45.92, 1);
    expect(report.attendees[1]?.name).toBe('Priya Raman');
    expect(report.skipped.map((s) => s.reason)).toEqual(['organizer, not an attendee']);
  });

  it('Google Meet attendance report', () => {
    const report = read('meet-attendance.csv');
    expect(report.vendor).toBe('meet');
    expect(report.attendees.map((a) => [a.email, a.name, a.minutes])).toEqual([
      ['soren.lykke@oresund-wms.example.com', 'Søren Lykke', 44],
      ['aino.virtanen@frostline-it.example.com', 'Aino Virtanen', 62],
      ['guest.participant@outside.example.net', 'Guest Participant', 12],
    ]);
  });

  it('malformed files fail with the file and line', () => {
    expect(() => read('malformed.csv')).toThrow(AttendanceFormatError);
    expect(() => read('malformed.csv')).toThrow(/^malformed\.csv:3: not a readable CSV/);
    expect(() => read('bad-email.csv')).toThrow(
      /^bad-email\.csv:3: "not-an-address" in the email column is not an email address/,
    );
    expect(() => read('not-attendance.csv')).toThrow(/^not-attendance\.csv:1: no attendance table found/);
    expect(() => parseAttendance(new Uint8Array(), 'empty.csv')).toThrow(/^empty\.csv:1: the file is empty/);
  });

  it('durations in every vendor format', () => {
    expect(parseMinutes('45')).toBe(45);
    expect(parseMinutes('44m 12s')).toBeCloseTo(44.2, 1);
    expect(parseMinutes('1h 2m')).toBe(62);
    expect(parseMinutes('1 hr 2 min')).toBe(62);
    expect(parseMinutes('00:44:30')).toBeCloseTo(44.5, 1);
    expect(parseMinutes('--')).toBeNull();
  });
});

describe('attendance import into the store', () => {
  let store: Store;
  afterAll(async () => {
    await store?.close();
  });

  it('matches partners by email, records new people, and is idempotent', async () => {
    ({ store } = await tempStore());
    await store.upsertPartners('sample', [
      {
        partnerId: 'nordlys-integrasjon',
        token: 't'.repeat(32),
        email: 'ingrid.bakke@nordlys-integrasjon.example.com',
      },
      {
        partnerId: 'kuehlhaus-technik',
        token: 'u'.repeat(32),
        email: 'j.weiss@kuehlhaus-technik.example.com',
      },
    ]);
    await store.addResponse({
      kind: 'registration',
      webinar: 'integrators-share-live',
      email: 'walk.in@newcomer.example.org',
      source: 'form',
    });
    const webinar = sampleWebinar();
    const report = read('zoom-participants.csv');
    const summary = await importAttendance(store, webinar, report, 'zoom-participants.csv');
    // The host (the meeting's owner, also the campaign's sender) is not an attendee.
    expect(summary).toMatchObject({ vendor: 'zoom', attendees: 3, created: 3, partners: 2, registrants: 1 });
    expect(summary.newPeople).toEqual([]);
    expect(summary.skipped).toContainEqual({ line: 5, reason: "the meeting's host, not an attendee" });
    const rows = await store.listResponses({ webinar: webinar.slug, kind: 'attendance' });
    expect(rows).toHaveLength(3);
    const ingrid = rows.find((r) => r.partnerId === 'nordlys-integrasjon');
    expect(ingrid?.campaign).toBe('sample');
    expect(ingrid?.data).toMatchObject({ vendor: 'zoom', minutes: 43, line: 6 });
    const newcomer = rows.find((r) => r.email === 'walk.in@newcomer.example.org');
    expect(newcomer?.campaign).toBeNull();
    expect(rows.some((r) => r.email === 'maren.holt@kestrel-sensing.example.com')).toBe(false);

    const again = await importAttendance(store, webinar, report, 'zoom-participants.csv');
    expect(again.created).toBe(0);
    expect(await store.listResponses({ webinar: webinar.slug, kind: 'attendance' })).toHaveLength(3);
  });

  it("leaves out the campaign's sender even when the export names no host", async () => {
    const { store: own } = await tempStore();
    try {
      const report = { ...read('zoom-participants.csv'), hosts: [] };
      const summary = await importAttendance(own, sampleWebinar(), report, 'zoom-participants.csv', {
        dryRun: true,
      });
      expect(summary.attendees).toBe(3);
      expect(summary.skipped).toContainEqual({ line: 5, reason: "the campaign's sender, not an attendee" });
    } finally {
      await own.close();
    }
  });
});
