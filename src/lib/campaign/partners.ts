/**
 * partners.csv: one row per prospective partner.
 *
 * Columns (header names are case-insensitive; spaces and dashes become underscores, so an
 * Excel header "First Name" reads as `first_name`):
 *
 * | column | required | meaning |
 * |---|---|---|
 * | `id` | yes | stable id: lower-case letters, digits, `-` and `_`; signs the personal link |
 * | `company` | yes | the partner company |
 * | `first_name` | yes | the decision maker's first name |
 * | `last_name`, `role` | | the decision maker's last name and job title |
 * | `email` | yes | the decision maker's address; unique in the file |
 * | `time_zone` | | IANA zone (`Europe/Oslo`); defaults to the campaign's `timeZone` |
 * | `tags` | | separated by `\|` (`wms\|nordics`) |
 * | `owner` | | who on our team owns the relationship |
 * | `gatekeeper_<n>_name`, `gatekeeper_<n>_role`, `gatekeeper_<n>_email` | | people who give access (n = 1..9) |
 * | `referrer_name`, `referrer_email`, `referrer_relationship` | | who introduced us; a name needs an email |
 * | anything else | | flows through to templates as `partner.<column>` (e.g. `pain`, `estimated_result`, `shared_connection`, `where_we_met`) |
 *
 * An empty cell is *missing*, not blank: a template that uses it fails the preflight for that
 * partner unless it asks for a fallback with `| default: "…"`.
 *
 * UTF-8 with or without BOM; comma or semicolon separated (detected from the header line, as
 * Excel writes either depending on locale); quoted cells may contain newlines.
 */
import { parse } from 'csv-parse/sync';
import { cleanText } from '../input/clean.ts';
import { isValidTimeZone } from '../time-zone.ts';
import { requiredColumns } from './columns.ts';
import { error, type Problem } from './problems.ts';

export interface Gatekeeper {
  name: string;
  role?: string;
  email?: string;
}

export interface Referrer {
  name: string;
  email: string;
  relationship?: string;
}

export interface Partner {
  id: string;
  /** CSV record number (header = row 1) and the line it starts on, for messages. */
  row: number;
  line: number;
  company: string;
  firstName: string;
  lastName?: string;
  role?: string;
  email: string;
  /** The partner's zone, or the campaign's when the row has none. */
  timeZone: string;
  tags: string[];
  owner?: string;
  gatekeepers: Gatekeeper[];
  referrer?: Referrer;
  /** Every non-empty cell by normalized column name, standard columns included. */
  fields: Record<string, string>;
}

// The columns, apart from the parser so that rendering knows them without loading csv-parse.
export { gatekeeperColumn, requiredColumns, standardColumns } from './columns.ts';

export interface PartnerList {
  partners: Partner[];
  /** Normalized header names in file order. */
  columns: string[];
  delimiter: ',' | ';';
}

const emailPattern = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]{2,}$/;
export function isValidEmail(value: string): boolean {
  return emailPattern.test(value) && value.length <= 254;
}

export function normalizeColumn(header: string): string {
  return header
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

/** Excel writes `;` where the decimal separator is a comma: pick what the header line uses. */
export function detectDelimiter(text: string): ',' | ';' {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (const char of text.replace(/^\uFEFF/, '')) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) break;
    else if (!quoted && char === ',') commas++;
    else if (!quoted && char === ';') semicolons++;
  }
  return semicolons > commas ? ';' : ',';
}

/** Parses the file's text; every problem names the row, the column and the reason. */
export function parsePartners(
  text: string,
  file: string,
  defaultTimeZone: string,
): { list: PartnerList; problems: Problem[] } {
  const problems: Problem[] = [];
  const delimiter = detectDelimiter(text);
  const records = parse(text, {
    bom: true,
    delimiter,
    info: true,
    raw: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (err: { message: string; lines?: number } | undefined) => {
      if (err)
        problems.push(error('csv.syntax', err.message, { file, ...(err.lines ? { line: err.lines } : {}) }));
      return undefined;
    },
  }) as unknown as { record: string[]; raw: string; info: { lines: number } }[];
  // csv-parse's own line count drifts on CRLF inside quoted cells: find each record's raw
  // text in the file instead and count the newlines before it.
  const body = text.replace(/^\uFEFF/, '');
  let cursor = 0;
  let cursorLine = 1;
  const lineOf = (raw: string): number => {
    const at = body.indexOf(raw, cursor);
    if (at < 0) return cursorLine;
    for (let i = cursor; i < at; i++) if (body.charCodeAt(i) === 10) cursorLine++;
    cursor = at;
    return cursorLine;
  };
  const list: PartnerList = { partners: [], columns: [], delimiter };
  const header = records[0];
  if (!header) {
    problems.push(error('csv.empty', 'the file has no header row', { file, line: 1 }));
    return { list, problems };
  }
  const columns = header.record.map(normalizeColumn);
  list.columns = columns;
  const seenColumns = new Set<string>();
  columns.forEach((column, index) => {
    if (!/^[a-z][a-z0-9_]*$/.test(column)) {
      problems.push(
        error(
          'csv.bad-column',
          `column ${index + 1} "${header.record[index]}" is not a usable name: letters, digits and underscores, starting with a letter`,
          { file, line: 1, row: 1, field: column },
        ),
      );
    }
    if (seenColumns.has(column)) {
      problems.push(
        error('csv.duplicate-column', `column "${column}" appears twice`, {
          file,
          line: 1,
          row: 1,
          field: column,
        }),
      );
    }
    seenColumns.add(column);
  });
  for (const required of requiredColumns) {
    if (!seenColumns.has(required)) {
      problems.push(
        error('csv.missing-column', `the required column "${required}" is missing`, {
          file,
          line: 1,
          row: 1,
          field: required,
        }),
      );
    }
  }
  if (problems.length > 0 && !requiredColumns.every((c) => seenColumns.has(c))) return { list, problems };

  const ids = new Map<string, number>();
  const emails = new Map<string, number>();
  lineOf(header.raw);
  records.slice(1).forEach(({ record, raw }, index) => {
    const row = index + 2;
    const line = lineOf(raw);
    const at = (field: string) => ({ file, line, row, field });
    if (record.length !== columns.length) {
      problems.push(
        error('csv.column-count', `has ${record.length} cells, the header has ${columns.length}`, {
          file,
          line,
          row,
        }),
      );
    }
    const fields: Record<string, string> = {};
    columns.forEach((column, i) => {
      // Imported text is cleaned like any input from outside (src/lib/input/clean.ts).
      const value = cleanText(record[i] ?? '').trim();
      if (value !== '') fields[column] = value;
    });
    const id = fields.id ?? '';
    const who = id ? { partner: id } : {};
    const rowProblem = (code: string, field: string, message: string) =>
      problems.push(error(code, message, { ...at(field), ...who }));

    for (const required of requiredColumns) {
      if (!fields[required])
        rowProblem('csv.required', required, `${required} is empty; every partner needs one`);
    }
    if (id && !/^[a-z0-9][a-z0-9_-]*$/.test(id)) {
      rowProblem('csv.bad-id', 'id', `id "${id}" must be lower-case letters, digits, "-" and "_"`);
    }
    if (id) {
      const first = ids.get(id);
      if (first !== undefined)
        rowProblem('csv.duplicate-id', 'id', `duplicate id "${id}" (first used in row ${first})`);
      else ids.set(id, row);
    }
    const email = fields.email ?? '';
    if (email && !isValidEmail(email))
      rowProblem('csv.bad-email', 'email', `bad email ${JSON.stringify(email)}`);
    if (email) {
      const key = email.toLowerCase();
      const first = emails.get(key);
      if (first !== undefined)
        rowProblem('csv.duplicate-email', 'email', `duplicate email "${email}" (first used in row ${first})`);
      else emails.set(key, row);
    }
    const zone = fields.time_zone;
    if (zone && !isValidTimeZone(zone)) {
      rowProblem(
        'csv.bad-time-zone',
        'time_zone',
        `bad time zone ${JSON.stringify(zone)}: use an IANA zone such as Europe/Oslo`,
      );
    }

    const gatekeepers: Gatekeeper[] = [];
    for (let n = 1; n <= 9; n++) {
      const name = fields[`gatekeeper_${n}_name`];
      const role = fields[`gatekeeper_${n}_role`];
      const gEmail = fields[`gatekeeper_${n}_email`];
      if (!name && !role && !gEmail) continue;
      if (!name)
        rowProblem(
          'csv.gatekeeper',
          `gatekeeper_${n}_name`,
          `gatekeeper ${n} has a role or email but no name`,
        );
      if (gEmail && !isValidEmail(gEmail)) {
        rowProblem('csv.bad-email', `gatekeeper_${n}_email`, `bad email ${JSON.stringify(gEmail)}`);
      }
      gatekeepers.push({ name: name ?? '', ...(role ? { role } : {}), ...(gEmail ? { email: gEmail } : {}) });
    }

    let referrer: Referrer | undefined;
    const rName = fields.referrer_name;
    const rEmail = fields.referrer_email;
    const rRel = fields.referrer_relationship;
    if (rName || rEmail || rRel) {
      if (!rName) rowProblem('csv.referrer', 'referrer_name', 'the referrer has no name');
      if (!rEmail)
        rowProblem(
          'csv.referrer',
          'referrer_email',
          'the referrer has no email: a referrer nudge could not reach them',
        );
      else if (!isValidEmail(rEmail))
        rowProblem('csv.bad-email', 'referrer_email', `bad email ${JSON.stringify(rEmail)}`);
      else if (email && rEmail.toLowerCase() === email.toLowerCase()) {
        rowProblem('csv.referrer', 'referrer_email', "the referrer has the partner's own address");
      }
      referrer = { name: rName ?? '', email: rEmail ?? '', ...(rRel ? { relationship: rRel } : {}) };
    }

    list.partners.push({
      id,
      row,
      line,
      company: fields.company ?? '',
      firstName: fields.first_name ?? '',
      ...(fields.last_name ? { lastName: fields.last_name } : {}),
      ...(fields.role ? { role: fields.role } : {}),
      email,
      timeZone: zone && isValidTimeZone(zone) ? zone : defaultTimeZone,
      tags: (fields.tags ?? '')
        .split('|')
        .map((tag) => tag.trim())
        .filter(Boolean),
      ...(fields.owner ? { owner: fields.owner } : {}),
      gatekeepers,
      ...(referrer ? { referrer } : {}),
      fields,
    });
  });
  return { list, problems };
}
