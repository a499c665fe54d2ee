/** Times are stored as instants with an IANA zone and always shown with their zone. */

/** "Thursday 21 January 2027, 16:00 CET" in the given zone. */
export function formatInZone(instant: Date, timeZone: string, locale = 'en-GB'): string {
  const date = new Intl.DateTimeFormat(locale, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone,
  }).format(instant);
  const time = new Intl.DateTimeFormat(locale, {
    hour: '2-digit',
    minute: '2-digit',
    timeZone,
    timeZoneName: 'short',
  }).format(instant);
  return `${date}, ${time}`;
}

/** "21 January 2027" for publish dates, which are calendar days (read as UTC). */
export function formatDay(day: Date, locale = 'en-GB'): string {
  return new Intl.DateTimeFormat(locale, {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(day);
}

export function addMinutes(instant: Date, minutes: number): Date {
  return new Date(instant.getTime() + minutes * 60_000);
}
