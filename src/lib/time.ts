/** Times are stored as instants with an IANA zone and always shown with their zone. */

const formats = new Map<string, Intl.DateTimeFormat>();

/**
 * A cached `Intl.DateTimeFormat`: building one costs far more than formatting with it, and
 * rendering a campaign formats the same few patterns for thousands of partners.
 */
export function dateTimeFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}\0${JSON.stringify(options)}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, options);
    formats.set(key, format);
  }
  return format;
}

/** "Thursday 21 January 2027, 16:00 CET" in the given zone. */
export function formatInZone(instant: Date, timeZone: string, locale = 'en-GB'): string {
  const date = dateTimeFormat(locale, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone,
  }).format(instant);
  const time = dateTimeFormat(locale, {
    hour: '2-digit',
    minute: '2-digit',
    timeZone,
    timeZoneName: 'short',
  }).format(instant);
  return `${date}, ${time}`;
}

/** "21 January 2027" for publish dates, which are calendar days (read as UTC). */
export function formatDay(day: Date, locale = 'en-GB'): string {
  return dateTimeFormat(locale, {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(day);
}

export function addMinutes(instant: Date, minutes: number): Date {
  return new Date(instant.getTime() + minutes * 60_000);
}
