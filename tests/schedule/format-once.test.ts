/**
 * time/format.ts remembers what it formatted (an instant, a zone, a locale, a kind): a remembered
 * text must be exactly what Intl gives for that instant, zone and locale, never another's.
 */
import { describe, expect, it } from 'vitest';
import {
  formatClock,
  formatDay,
  formatInZone,
  formatTime,
  formatWeekday,
} from '../../src/lib/time/format.ts';

const at = new Date('2027-01-21T15:00:00Z');
const zones = ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo'];
const locales = ['en-GB', 'en-US', 'de-DE'];

describe('remembered formats', () => {
  it('give what Intl gives, for every zone and locale, asked twice', () => {
    for (const zone of zones) {
      for (const locale of locales) {
        const intl = (o: Intl.DateTimeFormatOptions) =>
          new Intl.DateTimeFormat(locale, { ...o, timeZone: zone }).format(at);
        const time = intl({ hour: 'numeric', minute: '2-digit', timeZoneName: 'short' });
        for (let round = 0; round < 2; round++) {
          expect(formatTime(at, zone, locale)).toBe(time);
          expect(formatClock(at, zone, locale)).toBe(
            intl({ hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }),
          );
          expect(formatWeekday(at, zone, locale)).toBe(
            intl({ weekday: 'long', day: 'numeric', month: 'long' }),
          );
          expect(formatInZone(at, zone, locale)).toBe(
            `${intl({ weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' })}, ${time}`,
          );
        }
      }
    }
    // Same instant, different zones: different days and times (Tokyo is already the 22nd).
    expect(formatWeekday(at, 'Asia/Tokyo', 'en-GB')).toBe('Friday 22 January');
    expect(formatWeekday(at, 'America/New_York', 'en-GB')).toBe('Thursday 21 January');
    // A string instant is the same instant.
    expect(formatTime(at.toISOString(), 'Europe/Berlin', 'en-GB')).toBe(
      formatTime(at, 'Europe/Berlin', 'en-GB'),
    );
    expect(formatDay(new Date('2027-01-21T00:00:00Z'), 'de-DE')).toBe('21. Januar 2027');
  });
});
