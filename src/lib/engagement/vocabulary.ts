/**
 * The collector's event vocabulary and the reading thresholds: a leaf module that the collector,
 * the store's summary and the follow-up model all import (so none imports another for it).
 */

/** Visible-and-focused time on the paper (summed over `visible_time`) that counts as reading. */
export const ENGAGED_VISIBLE_MS = 15_000;
/** Distinct paper headings a reader dwelt on that count as reading. */
export const ENGAGED_SECTIONS = 2;
/** A section counts as read after this long on screen while the page is visible and focused. */
export const SECTION_DWELL_MS = 1_500;

/** Event types the collector writes. */
export const eventTypes = {
  pageView: 'page_view',
  /** Time the PAPER was on screen (paper pages, or the personal page's paper section). */
  visibleTime: 'visible_time',
  /** A heading of the PAPER read (advance copy, public paper page). */
  readProgress: 'read_progress',
  /** A personal-page section seen: shown as "sections seen", never reading. */
  sectionSeen: 'section_seen',
  /** Time on the personal page away from the paper section: never reading. */
  pageTime: 'page_time',
  ctaClick: 'cta_click',
  download: 'download',
  /** A GET of a personal page, seen by the server (scanners fetch; people too). */
  pageFetch: 'page_fetch',
  /** `form.register`, `form.feedback`, `form.call`, `form.not-now`, `form.no-thanks`. */
  formPrefix: 'form.',
  unsubscribe: 'unsubscribe',
  /** `email.delivered`, `email.opened`, `email.clicked`, ... from the Resend webhook. */
  emailPrefix: 'email.',
} as const;
