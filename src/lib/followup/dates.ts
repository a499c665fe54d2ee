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
