/**
 * Addresses are data: the one place that turns a person's name and email into a header value
 * (To, From, Reply-To). A display name is never pasted into a header as text, because a name such
 * as `x1@evil.example, x2@evil.example, Bob` would be read by every mail library as three
 * recipients. Here the name is cleaned of control characters and quoted (with `"` and `\`
 * escaped), and the address itself is validated as one plain addr-spec. Whatever this returns
 * parses back, with nodemailer's addressparser (the parser MailComposer and most providers use),
 * as exactly one mailbox with exactly that address and name.
 *
 * A non-ASCII name stays UTF-8 inside the quotes (RFC 6532), which is what Resend's JSON API
 * takes; where the message becomes MIME (the outbox's MailComposer) the name is RFC 2047 encoded
 * there, as one or more encoded words (`=?UTF-8?Q?…?=`), never quoted text a reader could split.
 */
import addressparser from 'nodemailer/lib/addressparser';

export class AddressError extends Error {
  override name = 'AddressError';
}

/**
 * One addr-spec: a dot-atom local part (the characters RFC 5322 allows unquoted, plus UTF-8 as
 * RFC 6531 does) and a domain of at least two labels. Quoted local parts, comments, IP literals
 * and whitespace are refused: no partner or registrant needs them, and each is a way to smuggle
 * a second address past a sloppier parser.
 */
const LOCAL = /^[\p{L}\p{N}!#$%&'*+\-/=?^_`{|}~]+(?:\.[\p{L}\p{N}!#$%&'*+\-/=?^_`{|}~]+)*$/u;
const LABEL = /^(?!-)[\p{L}\p{N}-]{1,63}(?<!-)$/u;

export function isEmailAddress(value: string): boolean {
  if (typeof value !== 'string' || value.length > 254 || value !== value.trim()) return false;
  const at = value.lastIndexOf('@');
  if (at <= 0 || at !== value.indexOf('@')) return false;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (local.length > 64 || !LOCAL.test(local)) return false;
  const labels = domain.split('.');
  return (
    labels.length >= 2 && labels.every((label) => LABEL.test(label)) && !/^\d+$/.test(labels.at(-1) ?? '')
  );
}

/** The address, trimmed, or an AddressError naming it. */
export function checkedAddress(email: string): string {
  const address = String(email ?? '').trim();
  if (!isEmailAddress(address)) throw new AddressError(`not a valid email address: ${JSON.stringify(email)}`);
  return address;
}

/** A display name as one line: control characters, line and paragraph separators become spaces. */
function cleanName(name: string | null | undefined): string {
  return String(name ?? '')
    .replace(/[\p{Cc}\p{Cf}\u2028\u2029]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
}

/**
 * `"Name" <address>` (or the bare address when there is no name). The name is always quoted, so
 * `,`, `;`, `<` and `@` inside it are text, with `"` and `\` escaped. Throws an AddressError for
 * an invalid address: a recipient is never guessed.
 */
export function formatAddress(name: string | null | undefined, email: string): string {
  const address = checkedAddress(email);
  const display = cleanName(name);
  if (display === '') return address;
  return `"${display.replace(/["\\]/g, '\\$&')}" <${address}>`;
}

export interface Mailbox {
  name: string;
  address: string;
}

/**
 * Reads a configured address (`AIRCOVER_WEBINAR_FROM="Name <address>"`, a `--to`, an owner's
 * address): exactly one mailbox, with a valid address, or an AddressError naming what was given.
 */
export function parseMailbox(value: string, what = 'address'): Mailbox {
  const parsed = addressparser(String(value ?? ''), { flatten: true });
  if (parsed.length !== 1 || !parsed[0])
    throw new AddressError(`${what} must be one email address, got ${JSON.stringify(value)}`);
  const address = parsed[0].address.trim();
  if (!isEmailAddress(address))
    throw new AddressError(`${what} is not a valid email address: ${JSON.stringify(value)}`);
  return { name: cleanName(parsed[0].name), address };
}

/** A configured `Name <address>` or bare address, formatted again through `formatAddress`. */
export function reformatMailbox(value: string, what?: string): string {
  const { name, address } = parseMailbox(value, what);
  return formatAddress(name, address);
}
