/**
 * Attendance exports from Zoom, Microsoft Teams and Google Meet, read as the vendors write them:
 *
 * - Zoom meeting participants (`participants_<id>.csv`): an optional header block (`Meeting ID,
 *   Topic, Start time, ..., Participants` and its values), a blank line, then `Name (original
 *   name), User Email, Join time, Leave time, Duration (minutes), Guest, ...`; one row per join.
 * - Zoom webinar attendee report: `Attendee Report` title lines, a summary table, then sections
 *   `Host Details`, `Panelist Details`, `Attendee Details`, each with its own header (`Attended,
 *   User Name (Original Name), First Name, Last Name, Email, ..., Join Time, Leave Time, Time in
 *   Session (minutes), ...`). Only `Attendee Details` rows with `Attended = Yes` count.
 * - Microsoft Teams attendance report: UTF-16 LE with a BOM, tab separated, in sections
 *   `1. Summary` (key/value lines), `2. Participants` (`Name, First Join, Last Leave, In-Meeting
 *   Duration, Email, Participant ID (UPN), Role`) and `3. In-Meeting Activities`. Older reports:
 *   `Full Name, Join Time, Leave Time, Duration, Email, Role, Participant ID (UPN)`.
 * - Google Meet attendance report: `First name, Last name, Email, Duration, Time joined, Time
 *   exited` (newer ones: `Participant name, Participant email, Duration, First seen, Last seen`).
 *
 * Any encoding (UTF-8 with or without BOM, UTF-16 LE/BE), comma, semicolon or tab separated.
 * Rows are matched by email; a person listed several times (rejoins) is one attendee. Organizers,
 * hosts and panelists are not attendees. A row without an email is reported, not guessed at.
 */
import { parse } from 'csv-parse/sync';
import { cleanLine } from '../input/clean.ts';

export type Vendor = 'zoom' | 'zoom-webinar' | 'teams' | 'meet' | 'generic';

export interface Attendee {
  email: string;
  name: string | null;
  /** As the export wrote them (vendors use local, unlabelled formats). */
  joined: string | null;
  left: string | null;
  /** Total minutes in the session, when the export says. */
  minutes: number | null;
  /** First line of the file that named this person. */
  line: number;
}

export interface AttendanceReport {
  vendor: Vendor;
  attendees: Attendee[];
  /** Rows left out, with why (no email, not attended, host or panelist). */
  skipped: { line: number; reason: string }[];
  /**
   * The meeting's owner(s) named in the export's summary block (Zoom's `User email` /
   * `Host email`): the importer leaves them out of the attendees (src/lib/webinar/import.ts).
   */
  hosts: string[];
}

export class AttendanceFormatError extends Error {
  override name = 'AttendanceFormatError';
  readonly file: string;
  readonly line: number;
  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.file = file;
    this.line = line;
  }
}

/** Bytes to text: BOMs for UTF-8 and UTF-16 (LE/BE), and UTF-16 LE without BOM by its zeros. */
export function decodeExport(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    return new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(3));
  const sample = bytes.subarray(0, 200);
  let oddZeros = 0;
  let evenZeros = 0;
  for (let i = 0; i < sample.length; i++) if (sample[i] === 0) i % 2 ? oddZeros++ : evenZeros++;
  if (oddZeros > sample.length / 4) return new TextDecoder('utf-16le').decode(bytes);
  if (evenZeros > sample.length / 4) return new TextDecoder('utf-16be').decode(bytes);
  return new TextDecoder('utf-8').decode(bytes);
}

function delimiterOf(text: string): string {
  const lines = text
    .split(/\r?\n/)
    .filter((l) => l.trim())
    .slice(0, 30);
  const count = (ch: string) => lines.reduce((n, l) => n + l.split(ch).length - 1, 0);
  const candidates = ['\t', ',', ';'].map((d) => [d, count(d)] as const).sort((a, b) => b[1] - a[1]);
  return candidates[0]?.[0] ?? ',';
}

const norm = (cell: string) =>
  cell
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase()
    .replace(/\s+/g, ' ');

/** Column names per meaning, lower-cased, across the vendors. */
const columns = {
  email: ['email', 'user email', 'e-mail', 'email address', 'participant email', 'attendee email'],
  upn: ['participant id (upn)', 'upn'],
  name: [
    'name (original name)',
    'user name (original name)',
    'name',
    'full name',
    'participant name',
    'participant',
    'user name',
    'display name',
  ],
  first: ['first name'],
  last: ['last name'],
  joined: ['join time', 'first join', 'time joined', 'first seen', 'joined'],
  left: ['leave time', 'last leave', 'time exited', 'last seen', 'left'],
  minutes: [
    'duration (minutes)',
    'time in session (minutes)',
    'in-meeting duration',
    'duration',
    'attendance duration',
  ],
  attended: ['attended'],
  role: ['role'],
} as const;
type Meaning = keyof typeof columns;

function headerOf(row: string[]): Partial<Record<Meaning, number>> | null {
  const cells = row.map(norm);
  const found: Partial<Record<Meaning, number>> = {};
  for (const meaning of Object.keys(columns) as Meaning[]) {
    const names = columns[meaning] as readonly string[];
    for (const name of names) {
      const i = cells.indexOf(name);
      if (i >= 0) {
        found[meaning] = i;
        break;
      }
    }
  }
  const hasPerson = found.name !== undefined || found.first !== undefined;
  const hasMail = found.email !== undefined || found.upn !== undefined;
  return hasPerson && hasMail ? found : null;
}

function vendorOf(row: string[]): Vendor {
  const h = row.map(norm);
  if (h.includes('time in session (minutes)') || h.includes('user name (original name)'))
    return 'zoom-webinar';
  if (h.includes('name (original name)') || h.includes('user email') || h.includes('duration (minutes)'))
    return 'zoom';
  if (h.includes('participant id (upn)') || h.includes('in-meeting duration') || h.includes('first join'))
    return 'teams';
  if (h.includes('time joined') || h.includes('time exited') || h.includes('first seen')) return 'meet';
  return 'generic';
}

/** Minutes from `45`, `44m 12s`, `1h 2m`, `1 hr 2 min`, `00:44:12`, `44 min`. */
export function parseMinutes(value: string | undefined): number | null {
  const v = (value ?? '').trim().toLowerCase();
  if (!v) return null;
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v);
  const clock = /^(\d+):(\d{2})(?::(\d{2}))?$/.exec(v);
  if (clock) return Number(clock[1]) * 60 + Number(clock[2]) + Number(clock[3] ?? 0) / 60;
  const h = /(\d+(?:\.\d+)?)\s*(?:h|hr|hrs|hour|hours)\b/.exec(v);
  const m = /(\d+(?:\.\d+)?)\s*(?:m|min|mins|minute|minutes)\b/.exec(v);
  const s = /(\d+(?:\.\d+)?)\s*(?:s|sec|secs|second|seconds)\b/.exec(v);
  if (!h && !m && !s) return null;
  return Math.round((Number(h?.[1] ?? 0) * 60 + Number(m?.[1] ?? 0) + Number(s?.[1] ?? 0) / 60) * 100) / 100;
}

const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;
const SKIP_SECTIONS = /host|panelist|summary|activit|organi[sz]er/i;
const STAFF_ROLES = new Set([
  'organizer',
  'organiser',
  'presenter',
  'co-organizer',
  'host',
  'co-host',
  'panelist',
]);

/** Reads one export. Throws AttendanceFormatError (file and line) for a file it cannot read. */
export function parseAttendance(bytes: Uint8Array, file: string): AttendanceReport {
  const text = decodeExport(bytes);
  if (!text.trim()) throw new AttendanceFormatError(file, 1, 'the file is empty');
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      delimiter: delimiterOf(text),
      relax_column_count: true,
      skip_empty_lines: false,
      info: true,
      bom: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (cause) {
    const e = cause as { lines?: number; message: string };
    throw new AttendanceFormatError(
      file,
      e.lines ?? 1,
      `not a readable CSV: ${e.message.replace(/^Invalid .*?: /, '')}`,
    );
  }
  let header: Partial<Record<Meaning, number>> | null = null;
  let vendor: Vendor | null = null;
  let width = 0;
  let section = '';
  const byEmail = new Map<string, Attendee>();
  const skipped: AttendanceReport['skipped'] = [];
  const hosts = new Set<string>();
  let summaryHeader: string[] | null = null;
  for (const { record, info } of records) {
    const line = info.lines;
    // Imported text is cleaned like any input from outside (src/lib/input/clean.ts).
    const cells = record.map((c) => cleanLine(c).trim());
    const filled = cells.filter(Boolean);
    if (filled.length === 0) continue;
    const asHeader = headerOf(cells);
    if (asHeader) {
      header = asHeader;
      width = cells.length;
      vendor ??= vendorOf(cells);
      continue;
    }
    if (filled.length === 1 && !EMAIL.test(filled[0] ?? '')) {
      // A section title: `Attendee Details`, `2. Participants`, `3. In-Meeting Activities`.
      section = filled[0] ?? '';
      header = null;
      continue;
    }
    if (!header) {
      // The summary block before the table: Zoom names the meeting's owner there (`User email`).
      if (filled.some((c) => /^(meeting|webinar) id$|^topic$/i.test(c))) summaryHeader = cells;
      else if (summaryHeader) {
        summaryHeader.forEach((title, i) => {
          const value = (cells[i] ?? '').toLowerCase();
          if (/\b(user|host|owner)\b.*e-?mail/i.test(title) && EMAIL.test(value)) hosts.add(value);
        });
        summaryHeader = null;
      }
      continue;
    }
    if (SKIP_SECTIONS.test(section)) continue;
    if (cells.length < Math.min(width, Math.max(...Object.values(header)) + 1)) {
      throw new AttendanceFormatError(
        file,
        line,
        `expected ${width} columns like the header, found ${cells.length}: ${JSON.stringify(cells.join(' | ').slice(0, 120))}`,
      );
    }
    const at = (meaning: Meaning) => {
      const i = header?.[meaning];
      return i === undefined ? '' : (cells[i] ?? '').trim();
    };
    if (header.attended !== undefined && !/^y(es)?$/i.test(at('attended'))) {
      skipped.push({ line, reason: 'did not attend' });
      continue;
    }
    if (STAFF_ROLES.has(at('role').toLowerCase())) {
      skipped.push({ line, reason: `${at('role').toLowerCase()}, not an attendee` });
      continue;
    }
    const name =
      at('name').replace(/\s*\(.*\)\s*$/, '') || [at('first'), at('last')].filter(Boolean).join(' ') || null;
    let email = at('email').toLowerCase();
    if (!email && EMAIL.test(at('upn'))) email = at('upn').toLowerCase();
    if (!email) {
      skipped.push({ line, reason: `no email for ${name ?? 'an unnamed participant'}` });
      continue;
    }
    if (!EMAIL.test(email)) {
      throw new AttendanceFormatError(
        file,
        line,
        `"${email.slice(0, 80)}" in the email column is not an email address`,
      );
    }
    const minutes = parseMinutes(at('minutes'));
    const seen = byEmail.get(email);
    if (seen) {
      seen.left = at('left') || seen.left;
      if (minutes !== null) seen.minutes = (seen.minutes ?? 0) + minutes;
      seen.name ??= name;
    } else {
      byEmail.set(email, {
        email,
        name,
        joined: at('joined') || null,
        left: at('left') || null,
        minutes,
        line,
      });
    }
  }
  if (!vendor) {
    throw new AttendanceFormatError(
      file,
      1,
      'no attendance table found: expected a header row with a name and an email column (a Zoom, Microsoft Teams or Google Meet attendance export)',
    );
  }
  return { vendor, attendees: [...byEmail.values()], skipped, hosts: [...hosts] };
}
