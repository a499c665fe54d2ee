/** Escaping and cleaning for values that come from partner data. */

const htmlEscapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Safe in element content and in quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => htmlEscapes[char] ?? char);
}

const rtl =
  /[\u202A-\u202E\u2066-\u2069\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]|\uD802[\uDC00-\uDFFF]|\uD83A[\uDC00-\uDFFF]/;
/** Right-to-left letters (Hebrew, Arabic, ...) or bidi embedding/override/isolate controls. */
export function hasRtl(value: string): boolean {
  return rtl.test(value);
}

/**
 * One line of plain text for a subject or a preheader: CR, LF and every other control or
 * line/paragraph separator become a space (no header injection), runs of spaces collapse.
 */
export function oneLine(value: string): string {
  return value
    .replace(/[\p{Cc}\u2028\u2029]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Only web and mail links may come from data into an href. */
export function isSafeUrl(value: string): boolean {
  return /^(https?:\/\/|mailto:)/i.test(value.trim()) && !/[\s<>"']/.test(value.trim());
}

/** Liquid's way of turning an output value into text. */
export function stringify(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(stringify).join('');
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
