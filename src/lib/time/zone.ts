/**
 * Wall times in a zone, with Intl only (no Temporal, no library): the clock a zone shows at an
 * instant, its offset, and the instant at which it shows a given wall time, found by guessing
 * with the zone's offset and correcting once more, which is exact across DST changes. A wall
 * time that does not exist (the hour skipped in spring) moves forward by the gap, as every
 * calendar does; one that exists twice (autumn) takes the first. The send windows
 * (email/send/window.ts) plan with it; the CSV writers write instants with it (`isoInZone`).
 */

export interface WallTime {
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

export function isoDate(y: number, m: number, d: number): string {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
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
