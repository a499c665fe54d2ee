/**
 * Lint: phrases that claim a response is owed instead of earning one ("just following up"), found
 * in a touch's template sources (subject, preheader, each body line), named by file and line.
 */
import type { Touch } from './load.ts';
import type { Problem } from './problems.ts';

/** Phrases that claim a response is owed instead of earning one (seed 002). */
export const naggingPhrases: { pattern: RegExp; label: string }[] = [
  {
    pattern: /did you (get|receive|see|read) my (last|previous|earlier) (e-?mail|message|note|mail)/i,
    label: 'did you get my last email',
  },
  { pattern: /\bjust (following|checking) (up|in)\b/i, label: 'just following up' },
  { pattern: /\bchecking in\b/i, label: 'checking in' },
  { pattern: /\bfollowing up on my (last|previous|earlier)\b/i, label: 'following up on my last' },
  { pattern: /\bas per my (last|previous) (e-?mail|message)/i, label: 'as per my last email' },
  { pattern: /\b(bumping|bump) (this|my)\b/i, label: 'bumping this' },
  { pattern: /\bcircling back\b/i, label: 'circling back' },
  { pattern: /\bhaven'?t heard back\b/i, label: "haven't heard back" },
];

/** Lint: nagging phrases, in the template sources. */
export function lintNagging(
  touch: Touch,
  lint: (code: string, message: string, where: Omit<Problem, 'severity' | 'code' | 'message'>) => void,
): void {
  const { email } = touch;
  const sources: [string, string, number][] = [
    ['subject', email.subject, email.subjectLine],
    ['preheader', email.preheader ?? '', email.preheaderLine],
    ...email.body.split('\n').map((line, i): [string, string, number] => ['body', line, email.bodyLine + i]),
  ];
  for (const [field, text, line] of sources) {
    for (const { pattern, label } of naggingPhrases) {
      if (pattern.test(text)) {
        lint('lint.nagging', `"${label}" claims a response is owed; earn it with something new instead`, {
          file: email.file,
          line,
          field,
          touch: touch.id,
        });
      }
    }
  }
}
