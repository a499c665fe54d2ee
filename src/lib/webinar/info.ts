/**
 * What aircover knows of one webinar and its organizer: the shape that schedule.ts loads,
 * current.ts moves to its current schedule, and the invitations read. Types only.
 */
import type { Lifecycle, WebinarFrontmatter, WebinarStatus } from './lifecycle.ts';

/** Everything the invitations need about one webinar, at its current schedule. */
export interface WebinarInfo {
  slug: string;
  title: string;
  abstract: string;
  start: Date;
  /** IANA zone the event is planned in. */
  timeZone: string;
  durationMinutes: number;
  /** For registrants only: the .ics, the confirmation email. Never in public HTML. */
  joinUrl: string;
  recordingUrl: string | null;
  /** Public page of the webinar (absolute). */
  pageUrl: string;
  sequence: number;
  status: WebinarStatus;
  /** The webinar's life (lifecycle.ts): scheduled, rescheduled (with the previous start), cancelled. */
  lifecycle: Lifecycle;
  /** `registration` in the frontmatter (`webinar cancel` closes it). */
  registration: 'open' | 'closed';
  /** Who sends the invitations and appears as ORGANIZER. */
  organizer: Organizer;
  /** The campaign that runs this webinar, when one does (its sender is the organizer). */
  campaign: string | null;
  /** The locale its emails and .ics text are written in: that campaign's, else the site's. */
  locale: string;
  /** What the content file says (the lifecycle's other source). */
  frontmatter: WebinarFrontmatter;
  /** The content file, for `reschedule` to update. */
  file: string;
}

export interface Organizer {
  name: string;
  email: string;
  replyTo: string;
  company: string;
  postalAddress: string;
}
