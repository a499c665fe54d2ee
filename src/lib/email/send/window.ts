/**
 * Send windows: a touch reaches each partner at the next opening of the window (e.g. weekdays
 * 08:30–10:30) in the partner's own time zone, never on a holiday.
 * The date math (wall times in a zone, across DST) is src/lib/time/zone.ts.
 */
import type { SendWindowDef, SendWindowOverride, Weekday } from '../../campaign/schema.ts';
import { instantOfWallTime, isoDate, wallTimeIn } from '../../time/zone.ts';

const weekdays: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** `08:30` → minutes after midnight. */
export function minutesOf(clock: string): number {
  const [h, m] = clock.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/**
 * The first instant at or after `from` that lies inside `window` in `zone`: `from` itself when it
 * is inside, else the window's next opening. Looks at most a year ahead (a window whose days are
 * all holidays has no opening: that is an error, not a hang).
 */
export function nextOpening(from: Date, window: SendWindowDef, zone: string): Date {
  const days = new Set(window.days);
  const holidays = new Set(window.holidays);
  const open = minutesOf(window.start);
  const close = minutesOf(window.end);
  const local = wallTimeIn(from, zone);
  // Walk calendar days in the zone; Date.UTC normalises day overflow into the next month.
  for (let offset = 0; offset <= 366; offset++) {
    const civil = new Date(Date.UTC(local.year, local.month - 1, local.day + offset));
    const y = civil.getUTCFullYear();
    const m = civil.getUTCMonth() + 1;
    const d = civil.getUTCDate();
    if (!days.has(weekdays[civil.getUTCDay()] as Weekday)) continue;
    if (holidays.has(isoDate(y, m, d))) continue;
    const opens = instantOfWallTime(zone, y, m, d, Math.floor(open / 60), open % 60);
    const closes = instantOfWallTime(zone, y, m, d, Math.floor(close / 60), close % 60);
    if (from.getTime() < opens.getTime()) return opens;
    if (from.getTime() < closes.getTime()) return from;
  }
  throw new Error(`the send window has no opening within a year in ${zone}`);
}

/**
 * The window a touch uses: the campaign's `sendWindow` with the touch's fields over it, none
 * when the touch says `false` or neither defines one. A merged window that is incomplete or
 * closes before it opens is reported with the field to fix.
 */
export function effectiveWindow(
  campaignWindow: SendWindowDef | undefined,
  override: SendWindowOverride | undefined,
): { window?: SendWindowDef; problem?: { field: string; message: string } } {
  if (override === false) return {};
  if (!override) return campaignWindow ? { window: campaignWindow } : {};
  const defined = Object.fromEntries(Object.entries(override).filter(([, v]) => v !== undefined));
  const merged: Partial<SendWindowDef> = {
    days: ['mon', 'tue', 'wed', 'thu', 'fri'] as Weekday[],
    holidays: [] as string[],
    ...campaignWindow,
    ...defined,
  };
  if (merged.start === undefined || merged.end === undefined) {
    const field = merged.start === undefined ? 'start' : 'end';
    return { problem: { field, message: 'is needed: the campaign has no sendWindow to take it from' } };
  }
  if (merged.start >= merged.end) return { problem: { field: 'end', message: 'must be after start' } };
  return { window: merged as SendWindowDef };
}
