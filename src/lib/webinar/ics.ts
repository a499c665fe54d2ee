/**
 * Calendar invitations (RFC 5545 / iTIP) made with ical-generator, and add-to-calendar links.
 *
 * - One VEVENT per registrant, `UID` stable per webinar and person (`invitationUid`), so an
 *   update replaces the event in their calendar instead of adding a second one.
 * - `METHOD:REQUEST` for the invitation and every update, with `SEQUENCE` rising on each change
 *   (the webinar's sequence, see schedule.ts); `METHOD:CANCEL` with `STATUS:CANCELLED` to cancel.
 * - Times are written as UTC instants: every client shows them in its own zone. The planning
 *   zone travels as `X-WR-TIMEZONE` and in the description.
 * - The join link is the LOCATION and in the description: this file only goes to registrants.
 */
import ical, {
  ICalAttendeeRole,
  ICalAttendeeStatus,
  ICalCalendarMethod,
  ICalEventStatus,
} from 'ical-generator';
import { formatInZone } from '../time/format.ts';
import { endOf, invitationUid, type WebinarInfo } from './schedule.ts';

export interface Registrant {
  email: string;
  name?: string | null;
}

export type InvitationMethod = 'REQUEST' | 'CANCEL';

export function invitationIcs(
  webinar: WebinarInfo,
  registrant: Registrant,
  method: InvitationMethod = webinar.status === 'cancelled' ? 'CANCEL' : 'REQUEST',
  now = new Date(),
): string {
  const cancel = method === 'CANCEL';
  const calendar = ical({
    prodId: { company: 'aircover', product: 'webinar', language: 'EN' },
    method: cancel ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST,
    name: webinar.title,
    timezone: null,
    x: [['X-WR-TIMEZONE', webinar.timeZone]],
  });
  const description = [
    webinar.abstract,
    '',
    `${formatInZone(webinar.start, webinar.timeZone, webinar.locale)} (${webinar.timeZone}), ${webinar.durationMinutes} minutes.`,
    cancel ? 'This webinar is cancelled.' : `Join: ${webinar.joinUrl}`,
    `Details: ${webinar.pageUrl}`,
  ].join('\n');
  calendar.createEvent({
    id: invitationUid(webinar.slug, registrant.email),
    sequence: webinar.sequence,
    stamp: now,
    start: webinar.start,
    end: endOf(webinar),
    summary: cancel ? `Cancelled: ${webinar.title}` : webinar.title,
    description,
    location: webinar.joinUrl,
    url: webinar.pageUrl,
    status: cancel ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    organizer: { name: webinar.organizer.name, email: webinar.organizer.email },
    attendees: [
      {
        email: registrant.email,
        ...(registrant.name ? { name: registrant.name } : {}),
        role: ICalAttendeeRole.REQ,
        status: ICalAttendeeStatus.NEEDSACTION,
        rsvp: false,
      },
    ],
  });
  return calendar.toString();
}

const compact = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

/**
 * Add-to-calendar links for the confirmation email. Google and Outlook take the event in the URL
 * (with the join link, since only registrants get these); Apple Calendar opens the attached .ics,
 * or `icsUrl` when given.
 */
export function calendarLinks(
  webinar: WebinarInfo,
  options: { icsUrl?: string } = {},
): { google: string; outlook: string; office365: string; apple: string | null } {
  const details = `${webinar.abstract}\n\nJoin: ${webinar.joinUrl}\nDetails: ${webinar.pageUrl}`;
  const google = new URL('https://calendar.google.com/calendar/render');
  google.search = new URLSearchParams({
    action: 'TEMPLATE',
    text: webinar.title,
    dates: `${compact(webinar.start)}/${compact(endOf(webinar))}`,
    details,
    location: webinar.joinUrl,
    ctz: webinar.timeZone,
  }).toString();
  const outlookParams = new URLSearchParams({
    path: '/calendar/action/compose',
    rru: 'addevent',
    subject: webinar.title,
    startdt: webinar.start.toISOString(),
    enddt: endOf(webinar).toISOString(),
    body: details,
    location: webinar.joinUrl,
  }).toString();
  return {
    google: google.href,
    outlook: `https://outlook.live.com/calendar/0/deeplink/compose?${outlookParams}`,
    office365: `https://outlook.office.com/calendar/0/deeplink/compose?${outlookParams}`,
    apple: options.icsUrl ?? null,
  };
}
