/**
 * What a person wrote: the new text (quoted history and signature removed) and auto-reply signs
 * (RFC 3834 headers, vacation subjects and bodies in ten languages, "no longer with the company"),
 * and the plain intents of a human reply.
 */
import EmailReplyParser from 'email-reply-parser';
import type { InboundEvidence } from '../../store/types.ts';
import { cleanLine, type ParsedMessage } from '../parse.ts';
import { returnDate } from './dates.ts';
import { findPhrase, type Language, leftCompany, vacationBodies, vacationSubjects } from './phrases.ts';

/**
 * Lines that open quoted history in the clients we see: Outlook's header block and separator,
 * Gmail's and Apple Mail's and Thunderbird's "On … wrote:" in several languages, "Sent from my".
 */
const historyStarts = [
  /^-{2,}\s*(original message|ursprüngliche nachricht|message d'origine|mensaje original|oorspronkelijk bericht|opprinnelig melding|oprindelig meddelelse|ursprungligt meddelande|alkuperäinen viesti|wiadomość oryginalna)\s*-{2,}/i,
  /^_{10,}\s*$/,
  /^(from|von|de|van|fra|från|lähettäjä|od):\s.+/i,
  /^on .{4,200}wrote:\s*$/i,
  /^(am|le|el|op|den|på|dnia|w dniu) .{4,200}(schrieb|a écrit|escribió|schreef|skrev|kirjoitti|napisał|napisała).{0,80}:\s*$/i,
  /^>/,
];
const signatureStarts = [
  /^--\s*$/,
  /^(sent from my|get outlook for|von meinem|envoyé de mon|enviado desde)/i,
];

/** The new text of a reply: email-reply-parser's visible part, cut again at the first history line. */
export function newText(text: string): string {
  const visible = new EmailReplyParser().read(text).getVisibleText();
  const kept: string[] = [];
  for (const line of visible.split('\n')) {
    const trimmed = line.trim();
    if (historyStarts.some((re) => re.test(trimmed)) || signatureStarts.some((re) => re.test(trimmed))) break;
    kept.push(line);
  }
  // "On Tue, 1 Dec 2026 at 10:00, Marketing <m@x>\nwrote:" is split over two lines by some clients.
  while (
    kept.length &&
    /^on .+/i.test(kept.at(-1)?.trim() ?? '') &&
    !/[.!?]$/.test(kept.at(-1)?.trim() ?? '')
  )
    kept.pop();
  return kept.join('\n').trim();
}

export interface AutoReplyFinding {
  language: Language | null;
  returnDate: string | null;
  returnDateText: string | null;
  leftCompany: boolean;
  replacement: { email: string | null; name: string | null } | null;
}

const autoHeaders: [string, (v: string) => boolean][] = [
  ['auto-submitted', (v) => !/^no\b/i.test(v)],
  ['x-autoreply', () => true],
  ['x-autorespond', () => true],
  ['x-auto-response-suppress', (v) => /\b(all|oof|autoreply)\b/i.test(v)],
  ['precedence', (v) => /\b(auto_reply|bulk|junk)\b/i.test(v)],
];

const addressRe = /[A-Z0-9._%+'=-]+@[A-Z0-9.-]+\.[A-Z]{2,}/gi;
/** Words before a replacement's name ("please contact Henry Newman"), matched in lower case. */
const contactCues = [
  'please contact',
  'contact',
  'reach out to',
  'write to',
  'get in touch with',
  'kontaktieren sie',
  'wenden sie sich an',
  'contacter',
  'contactez',
  'contacte con',
  'póngase en contacto con',
  'neem contact op met',
  'kontakt',
  'kontakta',
  'ota yhteyttä',
  'skontaktuj się z',
];
const properName =
  /^\s+(?:my colleague\s+|meine kollegin\s+|meinen kollegen\s+)?(\p{Lu}[\p{L}'-]+(?:\s+\p{Lu}[\p{L}'-]+)?)/u;

/** The capitalised name right after a contact cue, if any. */
function nameAfterCue(text: string): string | null {
  const lower = text.toLowerCase();
  for (const cue of contactCues) {
    let at = lower.indexOf(cue);
    while (at >= 0) {
      const name = properName.exec(text.slice(at + cue.length))?.[1];
      if (name) return name;
      at = lower.indexOf(cue, at + 1);
    }
  }
  return null;
}

/** Auto-reply signs; null when the message shows none. */
export function findAutoReply(message: ParsedMessage, evidence: InboundEvidence[]): AutoReplyFinding | null {
  const signs: InboundEvidence[] = [];
  for (const [name, test] of autoHeaders) {
    const value = message.headers[name];
    if (value && test(value)) signs.push({ rule: 'auto-header', where: name, saw: value });
  }
  const subject = message.subject.toLowerCase();
  const subjectHit = findPhrase(vacationSubjects, subject);
  if (subjectHit)
    signs.push({ rule: `vacation-subject-${subjectHit.language}`, where: 'subject', saw: subjectHit.phrase });
  const body = newText(message.text) || message.text;
  const flat = body.toLowerCase().replace(/\s+/g, ' ');
  const bodyHit = findPhrase(vacationBodies, flat);
  if (bodyHit) signs.push({ rule: `vacation-body-${bodyHit.language}`, where: 'body', saw: bodyHit.phrase });
  const left = findPhrase(leftCompany, flat);
  if (left) signs.push({ rule: `left-company-${left.language}`, where: 'body', saw: left.phrase });
  // A vacation word in a person's subject ("Re: absence") alone is not enough; a header, a body
  // sentence or a left-company sentence is.
  if (!signs.some((s) => s.rule !== `vacation-subject-${subjectHit?.language}`)) return null;
  evidence.push(...signs);
  const language = bodyHit?.language ?? left?.language ?? subjectHit?.language ?? null;
  const ref = message.date ?? new Date();
  const back = left ? null : returnDate(body, ref, language ?? undefined);
  if (back) evidence.push({ rule: 'return-date', where: 'body', saw: cleanLine(back.text, 120) });
  let replacement: AutoReplyFinding['replacement'] = null;
  if (left) {
    const email = [...body.matchAll(addressRe)]
      .map((m) => m[0].toLowerCase())
      .find((a) => a !== message.from?.email);
    const name = nameAfterCue(body);
    if (email || name) {
      replacement = { email: email ?? null, name };
      evidence.push({ rule: 'replacement', where: 'body', saw: [name, email].filter(Boolean).join(' ') });
    }
  }
  return {
    language,
    returnDate: back ? back.date.toISOString() : null,
    returnDateText: back ? cleanLine(back.text, 120) : null,
    leftCompany: Boolean(left),
    replacement,
  };
}

export type Intent = 'declined' | 'paused' | 'referral' | 'conversation';

export interface ReplyFinding {
  newText: string;
  intent: Intent;
  /** Paused: when to write again. */
  until: string | null;
  referral: { email: string | null; name: string | null } | null;
}

const declines =
  /\b(not interested|no interest|remove me|take me off|unsubscribe|stop (e-?mailing|sending|contacting)|do not (contact|email) me|don't (contact|email) me|no thanks|no thank you|kein interesse|pas intéressé|no me interesa|geen interesse)\b/i;
const pauses =
  /\b(not now|not right now|not at the moment|not at this time|maybe later|next (quarter|month|year|week)|in (a|one|two|three|four|a few|\d+) (weeks?|months?)|after the (holidays|summer|new year)|circle back|reach out again|get back to me in|later this year|early next year)\b/i;
const referrals =
  /\b(?:talk|speak|reach out|write|talk directly) to\s+([\p{Lu}][\p{L}'-]+(?:\s+[\p{Lu}][\p{L}'-]+)?|[A-Z0-9._%+'=-]+@[A-Z0-9.-]+\.[A-Z]{2,})|\b(?:please contact|better contact|you should contact|the right person is|loop in|cc(?:'|’)?ing)\s+([\p{Lu}][\p{L}'-]+(?:\s+[\p{Lu}][\p{L}'-]+)?|[A-Z0-9._%+'=-]+@[A-Z0-9.-]+\.[A-Z]{2,})/iu;

const quarterStart = (ref: Date) => {
  const q = Math.floor(ref.getUTCMonth() / 3) + 1;
  return new Date(Date.UTC(ref.getUTCFullYear() + (q === 4 ? 1 : 0), (q % 4) * 3, 1));
};

/** Default pause when someone says "not now" without a date. */
export const defaultPauseDays = 30;

export function readReply(message: ParsedMessage, evidence: InboundEvidence[]): ReplyFinding {
  const text = newText(message.text);
  const flat = text.replace(/\s+/g, ' ');
  const ref = message.date ?? new Date();
  const decline = declines.exec(flat);
  if (decline) {
    evidence.push({ rule: 'intent-declined', where: 'body', saw: decline[0] });
    return { newText: text, intent: 'declined', until: null, referral: null };
  }
  const referral = referrals.exec(flat);
  if (referral) {
    const who = (referral[1] ?? referral[2] ?? '').trim();
    const email = [...flat.matchAll(addressRe)]
      .map((m) => m[0].toLowerCase())
      .find((a) => a !== message.from?.email);
    evidence.push({ rule: 'intent-referral', where: 'body', saw: cleanLine(referral[0], 120) });
    return {
      newText: text,
      intent: 'referral',
      until: null,
      referral: who.includes('@')
        ? { email: who.toLowerCase(), name: null }
        : { email: email ?? null, name: who || null },
    };
  }
  const pause = pauses.exec(flat);
  if (pause) {
    evidence.push({ rule: 'intent-paused', where: 'body', saw: pause[0] });
    const until = /next quarter/i.test(pause[0])
      ? quarterStart(ref)
      : (returnDate(flat, ref)?.date ??
        weeksFrom(pause[0], ref) ??
        new Date(ref.getTime() + defaultPauseDays * 86_400_000));
    return { newText: text, intent: 'paused', until: until.toISOString(), referral: null };
  }
  return { newText: text, intent: 'conversation', until: null, referral: null };
}

const counts: Record<string, number> = { a: 1, one: 1, two: 2, three: 3, four: 4, 'a few': 3 };

function weeksFrom(phrase: string, ref: Date): Date | null {
  const m = /in (a|one|two|three|four|a few|\d+) (week|month)s?/i.exec(phrase);
  if (!m?.[1] || !m[2]) return null;
  const n = counts[m[1].toLowerCase()] ?? Number(m[1]);
  const days = m[2].toLowerCase() === 'week' ? n * 7 : n * 30;
  return new Date(Date.UTC(ref.getUTCFullYear(), ref.getUTCMonth(), ref.getUTCDate() + days));
}
