/**
 * One inbound message → its class and the evidence for it. The order is the policy: a complaint
 * report, then a bounce (DSNs carry auto-reply headers too), then an auto-reply, else a person.
 */
import type { InboundClass, InboundEvidence } from '../../store/types.ts';
import type { ParsedMessage } from '../parse.ts';
import { type AutoReplyFinding, findAutoReply, type ReplyFinding, readReply } from './human.ts';
import { type BounceFinding, type ComplaintFinding, findBounce, findComplaint } from './reports.ts';

export { newText } from './human.ts';
export type { AutoReplyFinding, BounceFinding, ComplaintFinding, ReplyFinding };

export interface Classification {
  class: InboundClass;
  evidence: InboundEvidence[];
  bounce?: BounceFinding;
  complaint?: ComplaintFinding;
  autoReply?: AutoReplyFinding;
  reply?: ReplyFinding;
  /** Message-IDs that tie it to what we sent: In-Reply-To, References, a report's copy. */
  threadIds: string[];
}

export function classify(message: ParsedMessage): Classification {
  const evidence: InboundEvidence[] = [];
  const thread = [...message.inReplyTo, ...message.references];
  const complaint = findComplaint(message, evidence);
  if (complaint)
    return {
      class: 'complaint',
      evidence,
      complaint,
      threadIds: unique([...complaint.originalMessageIds, ...thread]),
    };
  const bounce = findBounce(message, evidence);
  if (bounce)
    return {
      class: 'bounce',
      evidence,
      bounce,
      threadIds: unique([...bounce.originalMessageIds, ...thread]),
    };
  const autoReply = findAutoReply(message, evidence);
  if (autoReply) return { class: 'auto-reply', evidence, autoReply, threadIds: unique(thread) };
  const reply = readReply(message, evidence);
  if (evidence.length === 0)
    evidence.push({ rule: 'person', where: 'headers', saw: 'no auto-reply or report sign' });
  return { class: 'reply', evidence, reply, threadIds: unique(thread) };
}

/** The class-specific findings, as stored in the inbound row's `detail`. */
export function detailOf(c: Classification): Record<string, unknown> {
  return {
    ...(c.bounce ? { bounce: c.bounce } : {}),
    ...(c.complaint ? { complaint: c.complaint } : {}),
    ...(c.autoReply ? { autoReply: c.autoReply } : {}),
    ...(c.reply ? { reply: c.reply } : {}),
    threadIds: c.threadIds,
  };
}

const unique = (ids: string[]) => [...new Set(ids)];
