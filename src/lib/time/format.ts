/**
 * Every date and time a person reads is formatted here, and nowhere else.
 *
 * - The locale is always the caller's: the campaign's `locale` (campaign.yaml) for anything a
 *   campaign sends or shows, the site's (content/site.yaml `locale`, see `siteLocale`) for public
 *   pages no campaign owns. There is no default: a forgotten locale is a type error, not en-GB.
 * - The zone is always the caller's and always named: the partner's for what a partner reads
 *   (pages, emails, .ics text, confirmations), the campaign's for the team's views (CLI tables,
 *   dashboard, digest, notes, gallery). A bare day (`formatDate`) is a day in that zone; the view
 *   names the zone once (`zoneNote`).
 * - Machines get instants: JSON carries `Date#toISOString()` (UTC, `Z`), CSV the campaign zone's
 *   own offset (`isoInZone`, in zone.ts beside the zone arithmetic it uses).
 */

/** A BCP 47 locale such as `en-US` or `de-DE`. */
export type Locale = string;

const formats = new Map<string, Intl.DateTimeFormat>();

/**
 * A cached `Intl.DateTimeFormat`: building one costs far more than formatting with it, and
 * rendering a campaign formats the same few patterns for thousands of partners.
 */
export function dateTimeFormat(locale: Locale, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}\0${JSON.stringify(options)}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, options);
    formats.set(key, format);
  }
  return format;
}

const asDate = (instant: Date | string) => (typeof instant === 'string' ? new Date(instant) : instant);

const formatted = new Map<string, string>();
/**
 * One instant formatted one way, remembered: rendering a campaign formats the same few instants
 * (the touches, the webinar) in the same few zones for every partner, and each format call costs
 * more than this lookup. Bounded: emptied when full.
 */
function once(
  kind: string,
  instant: Date | string,
  timeZone: string,
  locale: Locale,
  make: (at: Date) => string,
): string {
  const at = asDate(instant);
  const key = `${kind}\0${locale}\0${timeZone}\0${at.getTime()}`;
  let text = formatted.get(key);
  if (text === undefined) {
    text = make(at);
    if (formatted.size >= 10_000) formatted.clear();
    formatted.set(key, text);
  }
  return text;
}

/** "Thursday 21 January 2027, 16:00 CET" (en-GB), "Thursday, January 21, 2027, 10:00 AM EST" (en-US). */
export function formatInZone(instant: Date | string, timeZone: string, locale: Locale): string {
  return once('zone', instant, timeZone, locale, (at) => {
    const date = dateTimeFormat(locale, {
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      timeZone,
    }).format(at);
    return `${date}, ${formatTime(at, timeZone, locale)}`;
  });
}

/** "Thursday 21 January" (en-GB), "Thursday, January 21" (en-US): the day in a zone, no year. */
export function formatWeekday(instant: Date | string, timeZone: string, locale: Locale): string {
  return once('weekday', instant, timeZone, locale, (at) =>
    dateTimeFormat(locale, { weekday: 'long', day: 'numeric', month: 'long', timeZone }).format(at),
  );
}

/** "16:00 CET" (en-GB), "04:00 PM GMT+1" (en-US): the time of day, hours in two digits. */
export function formatClock(instant: Date | string, timeZone: string, locale: Locale): string {
  return once('clock', instant, timeZone, locale, (at) =>
    dateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', timeZone, timeZoneName: 'short' }).format(
      at,
    ),
  );
}

/** "16:00 CET" (en-GB), "4:00 PM GMT+1" (en-US): the time of day with its zone's short name. */
export function formatTime(instant: Date | string, timeZone: string, locale: Locale): string {
  return once('time', instant, timeZone, locale, (at) =>
    dateTimeFormat(locale, { hour: 'numeric', minute: '2-digit', timeZone, timeZoneName: 'short' }).format(
      at,
    ),
  );
}

/** For tables and notes: "1 Dec 2026, 15:00 CET" (en-GB), "Dec 1, 2026, 3:00 PM GMT+1" (en-US). */
export function formatShort(instant: Date | string, timeZone: string, locale: Locale): string {
  return dateTimeFormat(locale, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZone,
    timeZoneName: 'short',
  }).format(asDate(instant));
}

/** The day of an instant in a zone: "1 Dec 2026" (en-GB), "Dec 1, 2026" (en-US), "1. Dez. 2026" (de-DE). */
export function formatDate(instant: Date | string, timeZone: string, locale: Locale): string {
  return dateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric', timeZone }).format(
    asDate(instant),
  );
}

/** "21 January 2027" for publish dates, which are calendar days (stored as UTC midnight). */
export function formatDay(day: Date, locale: Locale): string {
  return once('day', day, 'UTC', locale, (at) =>
    dateTimeFormat(locale, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(at),
  );
}

/** How a view names its zone once, under a table of days and times: "times in Europe/Berlin". */
export const zoneNote = (timeZone: string) => `times in ${timeZone}`;

/** `2027-01-14`: the calendar day of an instant in a zone (for keys and comparisons, not people). */
export function dayKey(instant: Date, timeZone: string): string {
  let format = dayFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    dayFormats.set(timeZone, format);
  }
  return format.format(instant);
}

/** `dayKey`'s formats by zone: queues key thousands of days, and a lookup by options costs more. */
const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The site's locale for public pages: content/site.yaml's Open Graph `en_GB` read as BCP 47 `en-GB`. */
export const localeFromOpenGraph = (ogLocale: string): Locale => ogLocale.replace('_', '-');

export function addMinutes(instant: Date, minutes: number): Date {
  return new Date(instant.getTime() + minutes * 60_000);
}
