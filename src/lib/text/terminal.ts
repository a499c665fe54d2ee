/**
 * Text from partners, visitors and providers is data: on a terminal it must show as text and
 * never act. An OSC 52 sequence in a feedback note writes the operator's clipboard, CSI sequences
 * move the cursor or hide lines, a carriage return overwrites what came before, bidi overrides
 * reorder what is read. `terminalSafe` drops them all, keeping tabs, newlines and every printable
 * character.
 */

/** OSC, DCS, SOS, PM and APC strings (7-bit and C1 forms), up to their terminator or the end. */
const stringSequence =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching escape sequences is the point
  /(?:\u001b[\]PX^_]|[\u0090\u0098\u009d\u009e\u009f])[\s\S]*?(?:\u0007|\u001b\\|\u009c|$)/g;
/** CSI sequences: ESC [ or C1 CSI, parameters, intermediates, a final byte. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching escape sequences is the point
const controlSequence = /(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]?/g;
/** Any other escape: ESC, intermediates, one final byte. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching escape sequences is the point
const escapeSequence = /\u001b[ -/]*[0-~]?/g;
/** C0 (but tab and newline), DEL, C1, and the invisible direction marks and overrides. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const controls = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** SGR (colour and weight) sequences only: what the CLI's own `color` writes. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching escape sequences is the point
const colourSequence = /(\u001b\[[0-9;]*m)/;

/**
 * `keepColour` keeps SGR sequences (colour, bold): for whole lines the CLI composed with its own
 * colours around data. Everything that moves, writes, titles or talks to the terminal still goes.
 */
export function terminalSafe(text: string, options: { keepColour?: boolean } = {}): string {
  if (options.keepColour) {
    // Odd parts are the colour sequences split out; only the even parts are cleaned.
    return text
      .split(colourSequence)
      .map((part, i) => (i % 2 === 1 ? part : terminalSafe(part)))
      .join('');
  }
  return text
    .replace(stringSequence, '')
    .replace(controlSequence, '')
    .replace(escapeSequence, '')
    .replace(controls, '');
}
