/**
 * Machine reports about our mail: bounces (RFC 3464 delivery status notifications, and the
 * formats MTAs write without one) and complaints (RFC 5965 ARF feedback reports).
 */
import type { InboundEvidence } from '../../store/types.ts';
import { cleanLine, messageIds, type ParsedMessage } from '../parse.ts';

export interface BounceFinding {
  hard: boolean;
  recipient: string | null;
  /** Enhanced status code (5.1.1) when given, else the SMTP reply code. */
  status: string | null;
  diagnostic: string | null;
  /** Message-IDs of our message quoted in the report: how it is matched to what was sent. */
  originalMessageIds: string[];
}

export interface ComplaintFinding {
  feedbackType: string;
  recipient: string | null;
  originalMessageIds: string[];
}

const address = /[A-Z0-9._%+'=-]+@[A-Z0-9.-]+\.[A-Z]{2,}/i;

/** Fields of an RFC 822-style block (`Name: value`, folded lines joined), names lower-cased. */
function fields(block: string): Map<string, string> {
  const out = new Map<string, string>();
  let last: string | null = null;
  for (const line of block.split('\n')) {
    const m = /^([A-Za-z][A-Za-z0-9-]*):\s*(.*)$/.exec(line);
    if (m?.[1]) {
      last = m[1].toLowerCase();
      if (!out.has(last)) out.set(last, m[2] ?? '');
    } else if (last && /^\s+\S/.test(line)) out.set(last, `${out.get(last) ?? ''} ${line.trim()}`);
    else last = null;
  }
  return out;
}

/** The Message-IDs in the copy of our message a report carries (attached or inline headers). */
function quotedMessageIds(message: ParsedMessage): string[] {
  const ids: string[] = [];
  for (const part of message.attached) {
    const id = fields(part.text).get('message-id');
    if (id) ids.push(...messageIds(id));
  }
  ids.push(...message.bodyMessageIds);
  return [...new Set(ids.filter((id) => id !== message.messageId))];
}

const report = (message: ParsedMessage, type: string) =>
  message.contentType.startsWith('multipart/report') &&
  new RegExp(`report-type="?${type}"?`, 'i').test(message.contentType);

/** An RFC 3464 DSN: per-recipient blocks with Final-Recipient, Action and Status. */
function dsn(message: ParsedMessage, evidence: InboundEvidence[]): BounceFinding | null {
  if (!report(message, 'delivery-status')) return null;
  evidence.push({ rule: 'dsn', where: 'content-type', saw: cleanLine(message.contentType, 120) });
  const blocks = message.text.split(/\n\s*\n/).map(fields);
  const recipients = blocks.filter((b) => b.has('final-recipient') || b.has('original-recipient'));
  const failed = recipients.find((b) => /failed/i.test(b.get('action') ?? '')) ?? recipients[0];
  if (!failed)
    return { hard: false, recipient: null, status: null, diagnostic: null, originalMessageIds: [] };
  const action = (failed.get('action') ?? '').toLowerCase();
  const status = /\d\.\d{1,3}\.\d{1,3}/.exec(failed.get('status') ?? '')?.[0] ?? null;
  const recipient = address.exec(
    failed.get('final-recipient') ?? failed.get('original-recipient') ?? '',
  )?.[0];
  const diagnostic = failed.get('diagnostic-code') ?? null;
  evidence.push({
    rule: 'dsn-recipient',
    where: 'message/delivery-status',
    saw: cleanLine(`Action: ${action || '?'}; Status: ${status ?? '?'}; ${recipient ?? ''}`, 200),
  });
  return {
    // A failed action with a 5.x.x status is final; 4.x.x, "delayed" or no status may still arrive.
    hard: action.startsWith('failed') && (status === null ? true : status.startsWith('5')),
    recipient: recipient ? recipient.toLowerCase() : null,
    status,
    diagnostic: diagnostic ? cleanLine(diagnostic, 300) : null,
    originalMessageIds: [],
  };
}

const bounceSenders = /^(mailer-daemon|postmaster|mail-daemon|mailerdaemon|bounces?)([+-].*)?@/i;
const bounceSubjects =
  /(undeliver|undelivered mail|delivery status notification|delivery (has )?fail|mail delivery failed|returned mail|failure notice|delivery failure|could not be delivered|non ?remis|unzustellbar|nicht zustellbar|no entregado|onbestelbaar)/i;
const permanent =
  /(permanent(ly)?|user unknown|unknown user|no such user|does not exist|doesn't exist|mailbox unavailable|address rejected|recipient rejected|not found|invalid recipient|address couldn't be found|wasn't found|mailbox not found|account (has been )?disabled|no mailbox)/i;
const temporary =
  /(temporar|try again later|will (be )?retr|delayed|mailbox (is )?full|quota|over quota|deferred)/i;

/** A bounce without a DSN: Exim, qmail, Exchange and Gmail texts from a mailer daemon. */
function plainBounce(message: ParsedMessage, evidence: InboundEvidence[]): BounceFinding | null {
  const from = message.from?.email ?? '';
  const bySender = bounceSenders.test(from);
  const bySubject = bounceSubjects.test(message.subject);
  const failedHeader = message.headers['x-failed-recipients'];
  if (!failedHeader && !(bySender && bySubject)) return null;
  if (failedHeader)
    evidence.push({ rule: 'x-failed-recipients', where: 'x-failed-recipients', saw: failedHeader });
  if (bySender) evidence.push({ rule: 'mailer-daemon', where: 'from', saw: from });
  if (bySubject) evidence.push({ rule: 'bounce-subject', where: 'subject', saw: message.subject });
  const text = message.text;
  const enhanced = /\b([245])\.(\d{1,3})\.(\d{1,3})\b/.exec(text)?.[0] ?? null;
  const smtp = /\b([45]\d\d)[ -]/.exec(text)?.[1] ?? null;
  const status = enhanced ?? smtp;
  const recipient =
    address.exec(failedHeader ?? '')?.[0] ??
    // Exim: "The following address(es) failed:\n\n  someone@x"; Gmail/Exchange name it near the top.
    address.exec(/failed:\s*\n+\s*(\S+)/i.exec(text)?.[1] ?? '')?.[0] ??
    [...text.matchAll(new RegExp(address.source, 'gi'))]
      .map((m) => m[0])
      .find((a) => a.toLowerCase() !== from) ??
    null;
  const hard = status ? status.startsWith('5') : permanent.test(text) && !temporary.test(text);
  const line = text
    .split('\n')
    .find((l) => (status && l.includes(status)) || permanent.test(l) || temporary.test(l));
  if (line)
    evidence.push({
      rule: hard ? 'permanent-failure' : 'temporary-failure',
      where: 'body',
      saw: cleanLine(line, 200),
    });
  return {
    hard,
    recipient: recipient ? recipient.toLowerCase() : null,
    status,
    diagnostic: line ? cleanLine(line, 300) : null,
    originalMessageIds: [],
  };
}

export function findBounce(message: ParsedMessage, evidence: InboundEvidence[]): BounceFinding | null {
  const found = dsn(message, evidence) ?? plainBounce(message, evidence);
  if (found) found.originalMessageIds = quotedMessageIds(message);
  return found;
}

/** An ARF report: multipart/report; report-type=feedback-report, with Feedback-Type. */
export function findComplaint(message: ParsedMessage, evidence: InboundEvidence[]): ComplaintFinding | null {
  const arf = report(message, 'feedback-report');
  // mailparser puts the feedback-report part in the text or, when marked inline, among attachments.
  const text = [
    message.text,
    ...message.attached.filter((p) => p.contentType === 'message/feedback-report').map((p) => p.text),
  ].join('\n');
  const feedback = /^Feedback-Type:\s*([\w-]+)/im.exec(text);
  if (!arf && !(feedback && /^User-Agent:/im.test(text) && /^Version:\s*1/im.test(text))) return null;
  evidence.push({ rule: 'arf', where: 'content-type', saw: cleanLine(message.contentType, 120) });
  const type = (feedback?.[1] ?? 'abuse').toLowerCase();
  evidence.push({ rule: 'feedback-type', where: 'message/feedback-report', saw: type });
  const rcpt = /^(Original-Rcpt-To|Removal-Recipient):\s*(.+)$/im.exec(text)?.[2] ?? '';
  const original =
    message.attached
      .filter((p) => p.contentType !== 'message/feedback-report')
      .map((p) => fields(p.text).get('to') ?? '')
      .find(Boolean) ?? '';
  const recipient = address.exec(rcpt)?.[0] ?? address.exec(original)?.[0] ?? null;
  return {
    feedbackType: type,
    recipient: recipient ? recipient.toLowerCase() : null,
    originalMessageIds: quotedMessageIds(message),
  };
}
