/**
 * What a partner said and did, picked out of their state and facts for the hand-off (the CSV
 * export, `followups --csv`) and the dashboard's summary: their latest feedback and its consent,
 * the registration that counts (verified, status.ts `countsAsRegistration`) and attendance, and
 * their replies (a marked or inbox-read reply, a meeting, a call, an email reply). One mapping,
 * read by every view: nothing else decides which responses are "replies" or "the feedback".
 */
import type { PartnerFacts } from '../model.ts';
import type { PartnerState } from './derive.ts';
import type { Outcomes } from './types.ts';

const replyKinds = new Set(['replied', 'met', 'called']);

export function outcomesOf(
  state: PartnerState,
  facts: Pick<PartnerFacts, 'responses' | 'repliedAt'>,
): Outcomes {
  const s = state.signals;
  const replies = facts.responses
    .filter((x) => replyKinds.has(x.kind))
    .map((x) => ({
      kind: x.kind as string,
      at: x.occurredAt,
      by: typeof x.data.by === 'string' ? x.data.by : null,
    }));
  if (facts.repliedAt) replies.push({ kind: 'email reply', at: facts.repliedAt, by: null });
  replies.sort((a, b) => a.at.localeCompare(b.at));
  return {
    feedback: s.feedback
      ? {
          at: s.feedback.occurredAt,
          text: s.feedback.text ?? null,
          rating: s.feedback.rating ?? null,
          consentToQuote: Boolean(s.feedback.consentToQuote),
        }
      : null,
    registration: s.registration
      ? { at: s.registration.occurredAt, webinar: s.registration.webinar ?? null }
      : null,
    attendance: s.attendance ? 'attended' : state.flags.noShow ? 'no-show' : null,
    replies,
  };
}
