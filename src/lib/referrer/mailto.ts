/**
 * `mailto:` links a referrer sends in one click (RFC 6068). Every header value is percent-encoded
 * whole, so nothing in a name, subject or body (commas, `&`, `?`, quotes, CR/LF) can become
 * another header field or another recipient; the subject is folded to one line first, the body's
 * line breaks become CRLF as RFC 6068 asks. Addresses are taken only when they are one plain
 * addr-spec: anything that a mail client could split into two recipients is refused.
 */

/** One plain address: no separators, quotes, spaces, angle brackets or control characters. */
const plainAddress = /^[A-Za-z0-9!#$%&'*+/=^_`{|}~.-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;

export class MailtoAddressError extends Error {
  constructor(address: string) {
    super(`not a single plain address for a mailto: link: ${JSON.stringify(address)}`);
    this.name = 'MailtoAddressError';
  }
}

function address(value: string): string {
  const trimmed = value.trim();
  if (!plainAddress.test(trimmed)) throw new MailtoAddressError(value);
  // `@` stays readable (RFC 6068 allows it); every other reserved character is encoded.
  return trimmed
    .split('@')
    .map((part) => encodeURIComponent(part))
    .join('@');
}

export interface Mailto {
  to: string;
  cc?: readonly string[];
  subject: string;
  body: string;
}

/** The `mailto:` URL of a ready message. Throws MailtoAddressError on an address that is not plain. */
export function mailtoUrl(m: Mailto): string {
  const subject = m.subject.replace(/[\p{Cc}\p{Zl}\p{Zp}]+/gu, ' ').trim();
  const body = m.body
    .replace(/\r\n?/g, '\n')
    .replace(/[^\P{Cc}\n]/gu, '')
    .replace(/\n/g, '\r\n');
  const fields: string[] = [];
  if (m.cc && m.cc.length > 0) fields.push(`cc=${m.cc.map(address).join(',')}`);
  fields.push(`subject=${encodeURIComponent(subject)}`);
  fields.push(`body=${encodeURIComponent(body)}`);
  return `mailto:${address(m.to)}?${fields.join('&')}`;
}
