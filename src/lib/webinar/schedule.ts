/**
 * A webinar as the calendar sees it: the content entry (title, start instant, IANA zone, length,
 * join link) overlaid with the changes recorded in the store by `aircover webinar reschedule` and
 * `aircover webinar cancel`.
 *
 * Where the SEQUENCE lives: in the store, as append-only `webinar.schedule` events (source `cli`,
 * campaign `webinar:<slug>`, so they never mix with a real campaign's signals). Each change
 * carries the new sequence, start, zone and status in its metadata, under the unique event key
 * `webinar:<slug>:seq:<n>`, so two changes racing for the same number cannot both win. Keeping it
 * in the store (not a file) means the CLI and the server (which sends confirmations to new
 * registrants) agree on the current schedule and sequence on one machine or many (Postgres).
 * No change recorded: sequence 0 and the frontmatter's start.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { campaignsDir as defaultCampaignsDir } from '../campaign/dirs.ts';
import { campaignSchema } from '../campaign/schema.ts';
import { readContent } from '../content/read.ts';
import { siteLocale } from '../site.ts';
import { normalizeEmail } from '../store/sql-shared.ts';
import type { Store } from '../store/types.ts';
import { currentWebinar } from './current.ts';
import type { Organizer, WebinarInfo } from './info.ts';
import {
  type Lifecycle,
  lifecycleOf,
  SCHEDULE_EVENT,
  type ScheduleChange,
  scheduleCampaign,
  scheduleChangesOf,
  type WebinarFrontmatter,
  type WebinarStatus,
} from './lifecycle.ts';

export class WebinarError extends Error {
  override name = 'WebinarError';
}

export interface LoadOptions {
  contentDir?: string;
  campaignsDir?: string;
  siteUrl?: string;
}

/** The campaign (id and sender) whose campaign.yaml names this webinar, if any. */
function organizerFor(
  slug: string,
  dir: string,
): { campaign: string; organizer: Organizer; locale: string } | null {
  if (!existsSync(dir)) return null;
  for (const name of readdirSync(dir).sort()) {
    const file = join(dir, name, 'campaign.yaml');
    if (!existsSync(file)) continue;
    let def: { webinar?: unknown; locale?: unknown; sender?: Record<string, unknown> } | null;
    try {
      def = parseYaml(readFileSync(file, 'utf8')) as typeof def;
    } catch {
      continue;
    }
    const s = def?.sender;
    if (def?.webinar !== slug || !s || typeof s.email !== 'string') continue;
    const str = (v: unknown, fallback: string) => (typeof v === 'string' && v ? v : fallback);
    return {
      campaign: name,
      // As the campaign loader reads it (its default included).
      locale: campaignSchema.shape.locale.parse(def.locale),
      organizer: {
        name: str(s.name, s.email),
        email: s.email,
        replyTo: str(s.replyTo, s.email),
        company: str(s.company, ''),
        postalAddress: str(s.postalAddress, ''),
      },
    };
  }
  return null;
}

/** The webinar from content/, at the schedule in its frontmatter (sequence 0). */
export function loadWebinar(slug: string, options: LoadOptions = {}): WebinarInfo {
  const contentDir = options.contentDir ?? process.env.AIRCOVER_CONTENT_DIR ?? 'content';
  const index = readContent(contentDir, { fresh: true });
  const entry = index.webinars.get(slug);
  if (!entry) {
    const problem = index.problems.find((p) => p.file?.includes(`webinars/${slug}.`));
    throw new WebinarError(
      problem
        ? `webinar "${slug}" is invalid: ${problem.file}: ${problem.field ?? ''} ${problem.message}`
        : `no webinar "${slug}" in ${join(contentDir, 'webinars')} (known: ${[...index.webinars.keys()].join(', ') || 'none'})`,
    );
  }
  const found = organizerFor(slug, options.campaignsDir ?? defaultCampaignsDir());
  const fromEnv = process.env.AIRCOVER_WEBINAR_FROM;
  if (!found && !fromEnv) {
    throw new WebinarError(
      `no campaign names webinar "${slug}" (campaign.yaml \`webinar:\`), so there is no sender for its invitations; set AIRCOVER_WEBINAR_FROM="Name <address>"`,
    );
  }
  const envMatch = /^\s*(.*?)\s*<([^>]+)>\s*$/.exec(fromEnv ?? '');
  const envEmail = envMatch?.[2] ?? fromEnv ?? '';
  const organizer: Organizer = found?.organizer ?? {
    name: envMatch?.[1] || envEmail,
    email: envEmail,
    replyTo: envEmail,
    company: '',
    postalAddress: '',
  };
  const d = entry.data;
  const front: WebinarFrontmatter = {
    start: d.start,
    timeZone: d.timeZone,
    durationMinutes: d.durationMinutes,
    registration: d.registration,
    status: d.status,
    previousStart: d.previousStart,
  };
  const lifecycle = lifecycleOf(front);
  const siteUrl = options.siteUrl ?? process.env.AIRCOVER_SITE_URL ?? 'http://localhost:4321';
  return {
    slug,
    title: d.title,
    abstract: d.abstract,
    start: d.start,
    timeZone: d.timeZone,
    durationMinutes: d.durationMinutes,
    joinUrl: d.joinUrl,
    recordingUrl: d.recordingUrl ?? null,
    pageUrl: new URL(`/webinars/${slug}/`, siteUrl).href,
    sequence: 0,
    status: lifecycle.state === 'cancelled' ? 'cancelled' : 'confirmed',
    lifecycle,
    frontmatter: front,
    registration: d.registration,
    organizer,
    campaign: found?.campaign ?? null,
    locale: found?.locale ?? siteLocale(contentDir),
    file: entry.file,
  };
}

/** Every recorded change, oldest first. */
export const scheduleChanges = scheduleChangesOf;

export { currentWebinar } from './current.ts';
export type { Organizer, WebinarInfo } from './info.ts';

/**
 * Records a change and returns the webinar at its new schedule with the next SEQUENCE. The
 * unique event key makes a concurrent change with the same number fail instead of both winning.
 */
export async function recordScheduleChange(
  store: Store,
  webinar: WebinarInfo,
  change: { start?: Date; timeZone?: string; status?: WebinarStatus },
  now = new Date(),
): Promise<WebinarInfo> {
  const current = await currentWebinar(store, webinar);
  const start = (change.start ?? current.start).toISOString();
  const moved = start !== current.start.toISOString();
  const next: ScheduleChange = {
    sequence: current.sequence + 1,
    start,
    timeZone: change.timeZone ?? current.timeZone,
    status: change.status ?? current.status,
    ...(moved ? { previousStart: current.start.toISOString() } : {}),
    at: now.toISOString(),
  };
  const result = await store.appendEvents([
    {
      campaign: scheduleCampaign(webinar.slug),
      type: SCHEDULE_EVENT,
      source: 'cli',
      occurredAt: now,
      verdict: 'human',
      verdictReason: 'recorded by the marketer',
      metadata: { ...next },
      eventKey: `webinar:${webinar.slug}:seq:${next.sequence}`,
    },
  ]);
  if (result.inserted !== 1) {
    throw new WebinarError(
      `another change to "${webinar.slug}" took sequence ${next.sequence} meanwhile; run the command again`,
    );
  }
  return currentWebinar(store, webinar, now);
}

/** The calendar UID of one registrant's invitation: stable per webinar and person. */
export function invitationUid(slug: string, email: string): string {
  const person = createHash('sha256').update(normalizeEmail(email)).digest('hex').slice(0, 20);
  return `${slug}.${person}@aircover`;
}

export function endOf(webinar: Pick<WebinarInfo, 'start' | 'durationMinutes'>): Date {
  return new Date(webinar.start.getTime() + webinar.durationMinutes * 60_000);
}

/**
 * Whether a form may register for `slug` now: the webinar's lifecycle from its frontmatter and
 * the store. A webinar that no longer loads counts as closed (nothing to register for).
 */
export async function registrationLifecycle(
  store: Store,
  slug: string,
  now: Date = new Date(),
  options: LoadOptions = {},
): Promise<Pick<Lifecycle, 'registrationOpen' | 'closedBecause' | 'state'>> {
  let base: WebinarInfo;
  try {
    base = loadWebinar(slug, options);
  } catch (error) {
    if (error instanceof WebinarError)
      return { registrationOpen: false, closedBecause: 'closed', state: 'scheduled' };
    throw error;
  }
  return (await currentWebinar(store, base, now)).lifecycle;
}
