/**
 * Send windows: a touch reaches each partner at the next opening of the window (e.g. weekdays
 * 08:30–10:30) in the partner's own time zone, never on a holiday.
 *
 * The date math uses Intl only (no Temporal, no library): a wall time in a zone is turned into an
 * instant by guessing with the zone's offset and correcting once more, which is exact across DST
 * changes. A wall time that does not exist (the hour skipped in spring) moves forward by the gap,
 * as every calendar does; one that exists twice (autumn) takes the first.
 */
import type { SendWindowDef, SendWindowOverride, Weekday } from '../../campaign/schema.ts';

const weekdays: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The wall-clock time in `zone` at `instant`. */
export function wallTimeIn(instant: Date, zone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(zone).formatToParts(instant)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** The zone's offset from UTC at `instant`, in milliseconds (east positive). */
export function offsetAt(instant: Date, zone: string): number {
  const w = wallTimeIn(instant, zone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The instant at which the clock in `zone` shows this wall time (see the module comment). */
export function instantOfWallTime(
  zone: string,
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
): Date {
  const wallAsUtc = Date.UTC(year, month - 1, day, hour, minute);
  // A day either side of any change, the zone has one offset each: try both.
  const before = wallAsUtc - offsetAt(new Date(wallAsUtc - 86_400_000), zone);
  const after = wallAsUtc - offsetAt(new Date(wallAsUtc + 86_400_000), zone);
  const shows = (t: number) => {
    const w = wallTimeIn(new Date(t), zone);
    return w.day === day && w.hour === hour && w.minute === minute;
  };
  const real = [before, after].filter(shows);
  // Autumn: both show it, the first is taken. Spring gap: neither does; the old offset lands
  // just after the gap (02:30 → 03:30).
  return new Date(real.length > 0 ? Math.min(...real) : before);
}

/** `08:30` → minutes after midnight. */
export function minutesOf(clock: string): number {
  const [h, m] = clock.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

function isoDate(y: number, m: number, d: number): string {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
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

/** An instant written with the zone's own offset: `2027-01-12T08:30:00-10:00`. */
export function isoInZone(instant: Date, zone: string): string {
  const w = wallTimeIn(instant, zone);
  const offsetMin = Math.round(offsetAt(instant, zone) / 60_000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${isoDate(w.year, w.month, w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
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
