/**
 * Links to nothing: a touch that links the recording (`links.recording`, the personal page's
 * `#recording`, or the public webinar page's `#recording`) while the webinar has no
 * `recordingUrl` points at a section that does not exist. The preflight makes that an error for
 * a touch that is due or about to be sent (`aircover send --touch`), naming the touch and its
 * template; "earn the response" counts the recording as new only when it exists.
 */
import type { Campaign } from './load.ts';
import { error, type Problem } from './problems.ts';

/** Whether `href` points at the recording (personal page or public webinar page). */
export function linksRecording(href: string): boolean {
  try {
    const url = new URL(href);
    return (
      url.hash === '#recording' && (url.pathname.startsWith('/p/') || url.pathname.startsWith('/webinars/'))
    );
  } catch {
    return false;
  }
}

/** Whether the campaign's webinar has a recording to link. */
export function hasRecording(campaign: Pick<Campaign, 'webinar'>): boolean {
  return Boolean(campaign.webinar?.data.recordingUrl);
}

/**
 * An error for every touch that links the missing recording and is named in `sending` (the
 * touches `send --touch` is about to plan), or without `sending`, is due by `now`.
 */
export function missingRecordingProblems(
  campaign: Campaign,
  /** The touches whose rendered messages link the recording (the preflight keeps no messages). */
  linking: ReadonlySet<string>,
  options: { now: Date; sending?: readonly string[] | undefined },
): Problem[] {
  if (hasRecording(campaign)) return [];
  const problems: Problem[] = [];
  for (const touch of campaign.touches) {
    // Sending named touches checks those; otherwise (check, send --due) every touch that is due.
    const due = options.sending
      ? options.sending.includes(touch.id)
      : touch.at.getTime() <= options.now.getTime();
    if (!due) continue;
    if (!linking.has(touch.id)) continue;
    problems.push(
      error(
        'links.no-recording',
        `touch "${touch.id}" (${touch.email.file}) links the recording, but webinar "${campaign.webinar?.id ?? '(none)'}" has no recordingUrl: set recordingUrl in its frontmatter before sending it`,
        {
          file: campaign.file,
          line: touch.line,
          field: `touches.${touch.index}.template`,
          touch: touch.id,
          template: touch.email.file,
        },
      ),
    );
  }
  return problems;
}
