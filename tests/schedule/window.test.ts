/**
 * Send windows: each partner gets a touch at the next opening of the window on their own clock.
 * Five zones: Honolulu (no DST), New York (DST starts 14 March 2027), Berlin (28 March),
 * Sydney (DST ends 4 April) and Kolkata (a half-hour offset, no DST). The campaign runs through
 * all three changes, so the same 08:30 is a different UTC instant before and after.
 */
import { describe, expect, test } from 'vitest';
import type { SendWindowDef } from '../../src/lib/campaign/schema.ts';
import { effectiveWindow, nextOpening } from '../../src/lib/email/send/window.ts';
import { instantOfWallTime, isoInZone, wallTimeIn } from '../../src/lib/time/zone.ts';

const weekdays: SendWindowDef = {
  days: ['mon', 'tue', 'wed', 'thu', 'fri'],
  start: '08:30',
  end: '10:30',
  holidays: [],
};

const zones = ['Pacific/Honolulu', 'America/New_York', 'Europe/Berlin', 'Australia/Sydney', 'Asia/Kolkata'];

describe('next opening of a send window', () => {
  test('one touch time, five zones: each partner at their own next 08:30 on a weekday', () => {
    // Wednesday 10 March 2027, 12:00 UTC.
    const at = new Date('2027-03-10T12:00:00Z');
    const due = Object.fromEntries(zones.map((z) => [z, isoInZone(nextOpening(at, weekdays, z), z)]));
    expect(due).toEqual({
      // 02:00 there: later the same morning.
      'Pacific/Honolulu': '2027-03-10T08:30:00-10:00',
      // 07:00 there: the same morning.
      'America/New_York': '2027-03-10T08:30:00-05:00',
      // 13:00 there, the window has closed: tomorrow.
      'Europe/Berlin': '2027-03-11T08:30:00+01:00',
      // 23:00 there: tomorrow morning, still summer time.
      'Australia/Sydney': '2027-03-11T08:30:00+11:00',
      // 17:30 there: tomorrow.
      'Asia/Kolkata': '2027-03-11T08:30:00+05:30',
    });
  });

  test('inside the window, the touch goes at once', () => {
    const at = new Date('2027-03-10T14:00:00Z'); // 09:00 in New York
    expect(nextOpening(at, weekdays, 'America/New_York').toISOString()).toBe(at.toISOString());
    // 10:30 is the close: no longer inside.
    const closing = new Date('2027-03-10T15:30:00Z');
    expect(isoInZone(nextOpening(closing, weekdays, 'America/New_York'), 'America/New_York')).toBe(
      '2027-03-11T08:30:00-05:00',
    );
  });

  test('a weekly campaign across three DST changes keeps 08:30 on every clock, and the UTC instant moves', () => {
    // Every Sunday 12:00 UTC from 28 February to 11 April 2027 (Sunday in every one of the zones).
    const mondays = Array.from({ length: 7 }, (_, i) => new Date(Date.UTC(2027, 1, 28 + 7 * i, 12)));
    for (const zone of zones) {
      const offsets = new Set<string>();
      for (const monday of mondays) {
        const due = nextOpening(monday, weekdays, zone);
        const wall = wallTimeIn(due, zone);
        expect([wall.hour, wall.minute], `${zone} ${monday.toISOString()}`).toEqual([8, 30]);
        offsets.add(isoInZone(due, zone).slice(-6));
      }
      const expected: Record<string, string[]> = {
        'Pacific/Honolulu': ['-10:00'],
        'America/New_York': ['-05:00', '-04:00'],
        'Europe/Berlin': ['+01:00', '+02:00'],
        'Australia/Sydney': ['+11:00', '+10:00'],
        'Asia/Kolkata': ['+05:30'],
      };
      expect([...offsets], zone).toEqual(expected[zone]);
    }
    // The week New York moved and Berlin did not yet: the gap between them is five hours, not six.
    const week = new Date('2027-03-14T12:00:00Z');
    const ny = nextOpening(week, weekdays, 'America/New_York');
    const berlin = nextOpening(week, weekdays, 'Europe/Berlin');
    expect(ny.toISOString()).toBe('2027-03-15T12:30:00.000Z');
    expect(berlin.toISOString()).toBe('2027-03-15T07:30:00.000Z');
    expect((ny.getTime() - berlin.getTime()) / 3_600_000).toBe(5);
  });

  test('weekends and holidays are skipped in the partner zone', () => {
    const friday = new Date('2027-12-31T16:00:00Z'); // Friday; in Berlin 17:00, closed
    const window = { ...weekdays, holidays: ['2028-01-03'] };
    // Saturday and Sunday are no days of the window, Monday 3 January is a holiday.
    expect(isoInZone(nextOpening(friday, window, 'Europe/Berlin'), 'Europe/Berlin')).toBe(
      '2028-01-04T08:30:00+01:00',
    );
    // Sydney is already on Saturday 1 January: Tuesday there too.
    expect(isoInZone(nextOpening(friday, window, 'Australia/Sydney'), 'Australia/Sydney')).toBe(
      '2028-01-04T08:30:00+11:00',
    );
  });

  test('wall times that do not exist or exist twice', () => {
    // 02:30 on 28 March 2027 does not exist in Berlin: the clock jumps from 02:00 to 03:00.
    expect(instantOfWallTime('Europe/Berlin', 2027, 3, 28, 2, 30).toISOString()).toBe(
      '2027-03-28T01:30:00.000Z',
    );
    // 02:30 on 31 October 2027 happens twice: the first (summer time) is taken.
    expect(instantOfWallTime('Europe/Berlin', 2027, 10, 31, 2, 30).toISOString()).toBe(
      '2027-10-31T00:30:00.000Z',
    );
    const night: SendWindowDef = { days: ['sun'], start: '02:30', end: '03:30', holidays: [] };
    const due = nextOpening(new Date('2027-03-27T12:00:00Z'), night, 'Europe/Berlin');
    expect(isoInZone(due, 'Europe/Berlin')).toBe('2027-03-28T03:30:00+02:00');
  });

  test('a window with no opening fails instead of looping', () => {
    const never: SendWindowDef = { days: ['mon'], start: '08:30', end: '08:31', holidays: [] };
    const mondays = Array.from({ length: 60 }, (_, i) => {
      const d = new Date(Date.UTC(2027, 0, 4 + 7 * i));
      return d.toISOString().slice(0, 10);
    });
    expect(() =>
      nextOpening(new Date('2027-01-01T00:00:00Z'), { ...never, holidays: mondays }, 'UTC'),
    ).toThrow(/no opening within a year/);
  });

  test("a touch's override replaces the campaign's fields; false sends at the touch's time", () => {
    expect(effectiveWindow(weekdays, { start: '14:00', end: '16:00' }).window).toEqual({
      ...weekdays,
      start: '14:00',
      end: '16:00',
    });
    expect(effectiveWindow(weekdays, false)).toEqual({});
    expect(effectiveWindow(undefined, { start: '09:00' }).problem).toEqual({
      field: 'end',
      message: 'is needed: the campaign has no sendWindow to take it from',
    });
    expect(effectiveWindow(weekdays, { start: '11:00' }).problem?.field).toBe('end');
  });
});
