/**
 * The one cleaner for strings that arrive from outside (beacons, forms, webhooks, imports),
 * applied before validation. It removes what no person types and what breaks the stores:
 * NUL (Postgres text and jsonb refuse it, failing a whole group commit), lone UTF-16 surrogates
 * (not encodable as UTF-8; jsonb refuses their escapes), and control characters (C0 except tab
 * and newline, DEL, C1), which also carry terminal escapes. Newlines stay in free text (CRLF and
 * CR become LF); `cleanLine` turns any line break or tab into a space for one-line fields.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]|\r(?!\n)/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

// Any character either pattern could remove: a string without one is returned as it is.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the same characters as CONTROL
const MAY_NEED_CLEANING = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\r\ud800-\udfff]/;

/** Free text: newlines (LF) and tabs kept, everything else that is not text removed. */
export function cleanText(value: string): string {
  if (!MAY_NEED_CLEANING.test(value)) return value;
  return value.replace(LONE_SURROGATE, '').replace(CONTROL, '');
}

/** One line: as `cleanText`, then line breaks, tabs and Unicode line separators become spaces. */
export function cleanLine(value: string): string {
  return cleanText(value).replace(/[\r\n\t\u2028\u2029]+/g, ' ');
}

/** Every string in a parsed JSON value (keys too), cleaned as free text. */
export function cleanDeep(value: unknown): unknown {
  if (typeof value === 'string') return cleanText(value);
  if (Array.isArray(value)) return value.map(cleanDeep);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[cleanText(key)] = cleanDeep(inner);
    return out;
  }
  return value;
}
