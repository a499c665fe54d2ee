/**
 * The date a message says its writer is back (or wants to hear from us again). chrono-node reads
 * English, German, French, Spanish, Dutch, Swedish and Finnish; Danish, Norwegian and Polish month
 * names and the numeric forms every language writes (4.1.2027, 04/01/2027, 2027-01-04) are read
 * here. Numeric dates are day first, as Europe writes them, unless that cannot be a date.
 */
import * as chrono from 'chrono-node';
import { extraMonths, type Language } from './phrases.ts';

const parsers: Partial<Record<Language, { parse: typeof chrono.parse }>> = {
  en: chrono.en.casual,
  de: chrono.de.casual,
  fr: chrono.fr.casual,
  es: chrono.es.casual,
  nl: chrono.nl.casual,
  sv: chrono.sv.casual,
  fi: chrono.fi.casual,
};

/** Every date the text names, resolved against `ref` (the message's own date). */
export function datesIn(text: string, ref: Date, language?: Language): { date: Date; text: string }[] {
  const found: { date: Date; text: string }[] = [];
  const seen = new Set<string>();
  const add = (date: Date, what: string) => {
    if (Number.isNaN(date.getTime())) return;
    const key = `${date.toISOString().slice(0, 10)}|${what}`;
    if (seen.has(key)) return;
    seen.add(key);
    found.push({ date, text: what });
  };
  const numeric = /\b(\d{4})-(\d{2})-(\d{2})\b|\b(\d{1,2})[./](\d{1,2})(?:[./](\d{2,4}))?\b\.?/g;
  for (const m of text.matchAll(numeric)) {
    if (m[1]) add(utcDay(Number(m[1]), Number(m[2]), Number(m[3])), m[0]);
    else {
      let day = Number(m[4]);
      let month = Number(m[5]);
      if (month > 12 && day <= 12) [day, month] = [month, day];
      if (month < 1 || month > 12 || day < 1 || day > 31) continue;
      // "10.30" in "at 10.30" is a time: a two-part form with a separator and no year needs a dot after.
      if (!m[6] && !m[0].endsWith('.') && m[0].includes('.')) continue;
      add(yearFor(day, month, m[6], ref), m[0]);
    }
  }
  const named = /\b(\d{1,2})\.?\s+([\p{L}]+)(?:\s+(\d{4}))?/gu;
  for (const m of text.matchAll(named)) {
    const month = extraMonths[(m[2] ?? '').toLowerCase()];
    if (month) add(yearFor(Number(m[1]), month, m[3], ref), m[0]);
  }
  const chosen = [language && parsers[language], parsers.en].filter(
    (p, i, all): p is NonNullable<typeof p> => Boolean(p) && all.indexOf(p) === i,
  );
  // Numeric dates are read above, day first; chrono's English would read 04/01 as April.
  const words = text.replace(numeric, ' ');
  for (const parser of chosen) {
    for (const r of parser.parse(words, ref, { forwardDate: true })) {
      // chrono's word boundaries are ASCII: "fr" inside Swedish "frånvarande" is not Friday.
      const before = words[r.index - 1] ?? ' ';
      const after = words[r.index + r.text.length] ?? ' ';
      if (/\p{L}/u.test(before) || /\p{L}/u.test(after)) continue;
      const d = r.start.date();
      add(utcDay(d.getFullYear(), d.getMonth() + 1, d.getDate()), r.text);
    }
  }
  return found;
}

/**
 * The return date: the latest date from the message's day to a year and a month after it
 * ("away from 1 to 4 January, back on the 5th" → the 5th). Null when none is named.
 */
export function returnDate(
  text: string,
  ref: Date,
  language?: Language,
): { date: Date; text: string } | null {
  const from = ref.getTime() - 86_400_000;
  const to = ref.getTime() + 400 * 86_400_000;
  let best: { date: Date; text: string } | null = null;
  for (const d of datesIn(text, ref, language)) {
    const t = d.date.getTime();
    if (t < from || t > to) continue;
    if (!best || t > best.date.getTime()) best = d;
  }
  return best;
}

function utcDay(year: number, month: number, day: number): Date {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 ? date : new Date(Number.NaN);
}

/** A date without a year is the next one on or after the reference day. */
function yearFor(day: number, month: number, year: string | undefined, ref: Date): Date {
  if (year) return utcDay(year.length === 2 ? 2000 + Number(year) : Number(year), month, day);
  const y = ref.getUTCFullYear();
  const thisYear = utcDay(y, month, day);
  return thisYear.getTime() >= ref.getTime() - 86_400_000 ? thisYear : utcDay(y + 1, month, day);
}
