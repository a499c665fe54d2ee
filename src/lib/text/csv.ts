/**
 * Every CSV the project writes goes through here, so no cell typed by a partner or a visitor
 * runs as a spreadsheet formula when the marketer opens the file (OWASP "CSV injection").
 */
import { type Options, stringify } from 'csv-stringify/sync';

/**
 * A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a formula by
 * Excel, LibreOffice and Google Sheets: a leading `'` makes it text (and shows as nothing).
 */
export function neutralizeFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** csv-stringify with every string cell made inert; booleans as yes/no unless `cast` says otherwise. */
export function inertCsv(records: unknown[], options: Options = {}): string {
  return stringify(records, {
    ...options,
    cast: { boolean: (v) => (v ? 'yes' : 'no'), ...options.cast, string: neutralizeFormula },
  });
}
