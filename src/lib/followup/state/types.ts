/**
 * The shapes the state module answers with (a partner's reading, the evidence behind a status,
 * their outcomes), apart from the code that derives them: the follow-up model (model.ts) holds
 * them in a partner's state, and the derivations read that model, so a file of its own keeps
 * the two from importing each other.
 */

export type ReadingLevel = 'none' | 'visited' | 'warm' | 'hot';

export interface Reading {
  level: ReadingLevel;
  /** The paper's own progress, 0..1: (furthest heading read + 1) / the paper's headings. */
  paperProgress: number;
  /** Seconds the paper was on screen while the page was visible and focused. */
  paperSeconds: number;
  /** Paper headings read (each dwelt on long enough). */
  paperSections: number;
  /** Personal-page sections seen (not reading). */
  sectionsSeen: number;
  /** Human page loads (any page). */
  visits: number;
  downloads: number;
  /** When the reading became hot, if it did. */
  hotAt: string | null;
  lastAt: string | null;
  /** "read 60% of the paper, 3 min", "saw 3 sections of their page", "" when nothing. */
  summary: string;
}

/** One piece of evidence behind a status: a stored row (with its id) or a summary figure. */
export interface Evidence {
  source: 'response' | 'event' | 'suppression' | 'ledger' | 'summary';
  /** The response or event id, when there is one. */
  id: number | null;
  /** Response kind, event type, suppression reason, touch id or summary figure. */
  kind: string;
  at: string | null;
  detail?: string;
}

/** What a partner answered: feedback, registration, attendance and replies. */
export interface Outcomes {
  /** The latest feedback, if any. */
  feedback: { at: string; text: string | null; rating: number | null; consentToQuote: boolean } | null;
  /** The registration that counts (verified), if any; `webinar` is its webinar. */
  registration: { at: string; webinar: string | null } | null;
  /** `attended`, `no-show` (attendance imported, not there), else null. */
  attendance: 'attended' | 'no-show' | null;
  /** Replies, oldest first: recorded outcomes (replied, met, called) and email replies. */
  replies: { kind: string; at: string; by: string | null }[];
}
