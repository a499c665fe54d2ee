/**
 * The webinar's life in ONE place: scheduled, rescheduled (with the previous start) or
 * cancelled, and whether registration is open. Everything that depends on it reads it here: the
 * build (the webinar page's schema.org `eventStatus`, the home page's "next webinar", the personal
 * page's *Save my seat*), both registration forms, the send plan (no invite or reminder for a
 * cancelled webinar), the preflight and the follow-up queue (no "reminders due").
 *
 * Two sources, one answer. The store's `webinar.schedule` events (schedule.ts) are what the CLI
 * recorded and what the running server reads; the frontmatter is what the static build reads
 * (`aircover webinar reschedule|cancel` rewrites `start`, `timeZone`, `status`, `previousStart`
 * and `registration` there). `lifecycleOf` merges them: a cancellation in either is a
 * cancellation, and the store's latest change wins over the frontmatter's start.
 *
 * Pure functions (no clock unless passed) except `webinarLifecycle`, which reads the store.
 */
import type { Store } from '../store/types.ts';

export const scheduleCampaign = (slug: string) => `webinar:${slug}`;
export const SCHEDULE_EVENT = 'webinar.schedule';

/** A webinar as calendars see it: still on, or called off. */
export type WebinarStatus = 'confirmed' | 'cancelled';

/** One recorded change of a webinar's schedule (a reschedule or a cancellation). */
export interface ScheduleChange {
  sequence: number;
  start: string;
  timeZone: string;
  status: WebinarStatus;
  /** The start before this change, when it moved the webinar (older records lack it). */
  previousStart?: string;
  at: string;
}

export const scheduleStates = ['scheduled', 'rescheduled', 'cancelled'] as const;
export type ScheduleState = (typeof scheduleStates)[number];

/** The frontmatter fields the lifecycle reads (src/schemas/webinar.ts). */
export interface WebinarFrontmatter {
  start: Date;
  timeZone: string;
  durationMinutes: number;
  registration: 'open' | 'closed';
  status?: ScheduleState | undefined;
  previousStart?: Date | undefined;
}

export interface Lifecycle {
  state: ScheduleState;
  start: Date;
  end: Date;
  timeZone: string;
  /** Set after a reschedule: the start the webinar had before the latest move. */
  previousStart: Date | null;
  /** The calendar SEQUENCE (0 until a change is recorded in the store). */
  sequence: number;
  /** Whether a form may store a registration now, and if not, why (said to the visitor). */
  registrationOpen: boolean;
  closedBecause: 'cancelled' | 'closed' | 'over' | null;
  /** Over at `now`. */
  over: boolean;
}

/** The schema.org `eventStatus` of the webinar page. */
export function schemaOrgEventStatus(life: Pick<Lifecycle, 'state'>): string {
  const status = {
    scheduled: 'EventScheduled',
    rescheduled: 'EventRescheduled',
    cancelled: 'EventCancelled',
  };
  return `https://schema.org/${status[life.state]}`;
}

/**
 * The lifecycle from the frontmatter and the store's recorded changes (oldest first; none for
 * the build, which has only the frontmatter).
 */
export function lifecycleOf(
  data: WebinarFrontmatter,
  changes: readonly ScheduleChange[] = [],
  now: Date = new Date(),
): Lifecycle {
  const latest = changes.at(-1);
  const start = latest ? new Date(latest.start) : data.start;
  const timeZone = latest?.timeZone ?? data.timeZone;
  const cancelled = data.status === 'cancelled' || latest?.status === 'cancelled';
  // The start before the latest move: recorded with the change (`previousStart`), else the
  // change before it (the frontmatter's start for the first one); without the store, the
  // frontmatter's own record.
  let previousStart: Date | null = null;
  changes.forEach((change, i) => {
    const before = change.previousStart ?? (i === 0 ? data.start.toISOString() : changes[i - 1]?.start);
    if (before && Date.parse(before) !== Date.parse(change.start)) previousStart = new Date(before);
  });
  previousStart ??= data.previousStart ?? null;
  const moved: Date | null = previousStart;
  const rescheduled = moved !== null && moved.getTime() !== start.getTime();
  const state: ScheduleState = cancelled ? 'cancelled' : rescheduled ? 'rescheduled' : 'scheduled';
  const end = new Date(start.getTime() + data.durationMinutes * 60_000);
  const over = end.getTime() < now.getTime();
  const closedBecause = cancelled
    ? 'cancelled'
    : data.registration === 'closed'
      ? 'closed'
      : over
        ? 'over'
        : null;
  return {
    state,
    start,
    end,
    timeZone,
    previousStart: state === 'rescheduled' ? previousStart : null,
    sequence: latest?.sequence ?? 0,
    registrationOpen: closedBecause === null,
    closedBecause,
    over,
  };
}

/** Every recorded change of one webinar, oldest first. */
export async function scheduleChangesOf(store: Store, slug: string): Promise<ScheduleChange[]> {
  const events = await store.listEvents({ campaign: scheduleCampaign(slug), types: [SCHEDULE_EVENT] });
  return events
    .map((e) => e.metadata as unknown as ScheduleChange)
    .filter((m) => typeof m.sequence === 'number')
    .sort((a, b) => a.sequence - b.sequence);
}

/** The lifecycle as the running server and the CLI see it: frontmatter plus the store. */
export async function webinarLifecycle(
  store: Store,
  slug: string,
  data: WebinarFrontmatter,
  now: Date = new Date(),
): Promise<Lifecycle> {
  return lifecycleOf(data, await scheduleChangesOf(store, slug), now);
}

/** Touch kinds that invite to or remind of a webinar: nothing to send once it is cancelled. */
export const webinarTouchKinds = new Set(['webinar-invite', 'reminder']);

/**
 * Why a touch must not go out because of the webinar's life, or null. The send plan and the
 * follow-up queue call this (one rule): after a cancel, no invitation and no reminder.
 */
export function webinarBlocksTouch(
  touch: { kind: string },
  life: Pick<Lifecycle, 'state'> | null,
): string | null {
  if (life?.state !== 'cancelled' || !webinarTouchKinds.has(touch.kind)) return null;
  return touch.kind === 'reminder'
    ? 'the webinar is cancelled: nothing to remind of'
    : 'the webinar is cancelled: nothing to invite to';
}
