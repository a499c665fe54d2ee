/** Business days in a time zone: Saturday and Sunday are skipped. */

const weekdayFormat = new Map<string, Intl.DateTimeFormat>();

function weekday(date: Date, timeZone: string): number {
  let format = weekdayFormat.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short' });
    weekdayFormat.set(timeZone, format);
  }
  return ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(format.format(date));
}

export function isWeekend(date: Date, timeZone: string): boolean {
  const day = weekday(date, timeZone);
  return day === 0 || day === 6;
}

/** `date` plus `days` business days (a Friday afternoon + 1 is Monday afternoon). */
export function addBusinessDays(date: Date, days: number, timeZone: string): Date {
  let at = new Date(date.getTime());
  let left = days;
  while (left > 0) {
    at = new Date(at.getTime() + 86_400_000);
    if (!isWeekend(at, timeZone)) left -= 1;
  }
  while (isWeekend(at, timeZone)) at = new Date(at.getTime() + 86_400_000);
  return at;
}

/** The last instant of `date`'s day in the time zone (for "due today"). */
export function endOfDay(date: Date, timeZone: string): Date {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(date);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const elapsed = ((get('hour') * 60 + get('minute')) * 60 + get('second')) * 1000 + date.getMilliseconds();
  return new Date(date.getTime() - elapsed + 86_400_000 - 1);
}

/** `2027-01-14` in the time zone. */
export function dayIn(date: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(date);
}
