/**
 * Puts a parsed attendance export into the store: one `attendance` response per person and
 * webinar (the store's key: importing the same file again changes nothing), linked to the partner
 * whose address it is. People who are neither partners nor registrants are recorded too, as new
 * people (no campaign), never dropped.
 */
import type { Store } from '../store/types.ts';
import type { AttendanceReport } from './attendance.ts';
import type { WebinarInfo } from './schedule.ts';

export interface ImportSummary {
  vendor: AttendanceReport['vendor'];
  attendees: number;
  /** Newly stored (the rest were already imported). */
  created: number;
  partners: number;
  registrants: number;
  /** Attended without being a partner or a registrant. */
  newPeople: string[];
  skipped: AttendanceReport['skipped'];
}

export async function importAttendance(
  store: Store,
  webinar: Pick<WebinarInfo, 'slug' | 'start' | 'campaign'> & { organizer?: { email: string } },
  report: AttendanceReport,
  file: string,
  options: { dryRun?: boolean } = {},
): Promise<ImportSummary> {
  // A dry run (aircover import attendance --dry-run) counts against what is stored and writes nothing.
  const recorded = options.dryRun
    ? new Set((await store.listResponses({ webinar: webinar.slug, kind: 'attendance' })).map((r) => r.email))
    : new Set<string | null>();
  const registered = new Set(
    (await store.listResponses({ webinar: webinar.slug, kind: 'registration' })).map((r) => r.email),
  );
  const summary: ImportSummary = {
    vendor: report.vendor,
    attendees: report.attendees.length,
    created: 0,
    partners: 0,
    registrants: 0,
    newPeople: [],
    skipped: [...report.skipped],
  };
  // The host is not an attendee: the meeting's owner (from the export) and the campaign's sender,
  // as the Teams import already leaves out organisers.
  const hosts = new Set(report.hosts.map((h) => h.toLowerCase()));
  const sender = webinar.organizer?.email.trim().toLowerCase();
  const attendees = report.attendees.filter((a) => {
    const reason = hosts.has(a.email)
      ? "the meeting's host, not an attendee"
      : a.email === sender
        ? "the campaign's sender, not an attendee"
        : null;
    if (reason) summary.skipped.push({ line: a.line, reason });
    return !reason;
  });
  summary.attendees = attendees.length;
  for (const a of attendees) {
    const partners = await store.findPartnersByEmail(a.email);
    const partner = partners.find((p) => p.campaign === webinar.campaign) ?? partners[0];
    if (partner) summary.partners += 1;
    if (registered.has(a.email)) summary.registrants += 1;
    if (!partner && !registered.has(a.email)) summary.newPeople.push(a.email);
    if (options.dryRun) {
      if (!recorded.has(a.email)) summary.created += 1;
      continue;
    }
    const result = await store.addResponse({
      kind: 'attendance',
      webinar: webinar.slug,
      email: a.email,
      name: a.name,
      campaign: partner?.campaign ?? null,
      partnerId: partner?.partnerId ?? null,
      source: 'import',
      occurredAt: webinar.start,
      data: {
        vendor: report.vendor,
        file,
        line: a.line,
        minutes: a.minutes,
        joined: a.joined,
        left: a.left,
        registered: registered.has(a.email),
      },
    });
    if (result.created) summary.created += 1;
  }
  return summary;
}
