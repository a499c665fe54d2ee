import { z } from 'astro/zod';
import { type SchemaContext, timeZone } from './helpers.ts';

/** An online event that discusses a paper's findings. */
export const webinarSchema = (ctx: SchemaContext) =>
  z.object({
    title: z.string().min(1).max(120).describe('The webinar title.'),
    abstract: z.string().min(20).max(600).describe('What attendees will learn.'),
    start: z
      .union([
        // YAML reads an unquoted timestamp as a date already.
        z.date(),
        z.iso
          .datetime({
            offset: true,
            message: 'must be an ISO 8601 instant with offset, e.g. 2027-01-21T16:00:00Z',
          })
          .transform((value) => new Date(value)),
      ])
      .describe('The start instant, ISO 8601 with offset or Z.'),
    timeZone: timeZone().describe('The IANA zone the event is planned in, e.g. Europe/Berlin.'),
    durationMinutes: z.number().int().min(10).max(480).describe('Length in minutes.'),
    speakers: z.array(ctx.reference('authors')).min(1).describe('Speaker ids from content/authors.'),
    whitepaper: ctx.reference('whitepapers').optional().describe('The paper whose findings it discusses.'),
    status: z
      .enum(['scheduled', 'rescheduled', 'cancelled'])
      .default('scheduled')
      .describe(
        "The webinar's life: `aircover webinar reschedule` sets `rescheduled` (and `previousStart`), `cancel` sets `cancelled`.",
      ),
    previousStart: z
      .union([z.date(), z.iso.datetime({ offset: true }).transform((value) => new Date(value))])
      .optional()
      .describe('After a reschedule: the start before the move (schema.org `previousStartDate`).'),
    registration: z.enum(['open', 'closed']).default('open').describe('Whether registration is open.'),
    joinUrl: z.url().describe('The meeting link. Sent to registrants only; never rendered into public HTML.'),
    recordingUrl: z.url().optional().describe('The recording, once there is one.'),
  });
