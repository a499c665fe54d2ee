/**
 * The schema of `campaigns/<id>/campaign.yaml`. Every field is described so the schema is
 * its own documentation; unknown fields are errors (a typo must not pass silently).
 */
import { z } from 'astro/zod';
import { isValidTimeZone } from '../../schemas/helpers.ts';
import { campaignWebhooksSchema } from '../hooks/config.ts';
import { audiences, touchKinds } from './kinds.ts';

// The vocabularies live apart from the schema, so the follow-up commands use them without zod.
export {
  type Audience,
  audiences,
  type LandingField,
  landingFields,
  type TouchKind,
  touchKinds,
} from './kinds.ts';

const slug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes, e.g. "webinar-invite"');

/** An offset such as `3d`, `-1h`, `+2d4h`, `1w`, `-30m`. */
export const offsetPattern = /^[+-]?(?:\d+w)?(?:\d+d)?(?:\d+h)?(?:\d+m)?$/;
const offset = z
  .string()
  .regex(offsetPattern, 'must be an offset such as 3d, -1h, 2d4h, 1w or -30m')
  .refine((value) => /\d/.test(value), 'must be an offset such as 3d, -1h, 2d4h, 1w or -30m');

const isoInstant = z.iso.datetime({
  offset: true,
  message: 'must be an ISO 8601 time with offset, e.g. 2027-01-05T09:00:00+01:00',
});

export const whenSchema = z
  .union([
    isoInstant,
    z.strictObject({
      after: slug.describe('The id of the touch this one follows.'),
      offset: offset.default('0d').describe('How long after that touch, e.g. 5d.'),
    }),
    z.strictObject({
      webinar: offset.describe('Offset from the webinar start: -1d is the day before, 2d two days after.'),
    }),
  ])
  .describe(
    'When the touch goes out: an ISO time ("2027-01-05T09:00:00+01:00"), an offset from another touch ({ after: announce, offset: 5d }) or from the webinar start ({ webinar: -1d }).',
  );
export type When = z.infer<typeof whenSchema>;

export const weekdayNames = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof weekdayNames)[number];

const clock = z
  .string()
  .regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day such as 08:30 (24-hour clock)');
const calendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date such as 2027-01-01')
  .refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)), 'must be a real date');

/** The fields of a send window; a touch may override any of them (see `touchSchema`). */
const sendWindowFields = {
  days: z
    .array(z.enum(weekdayNames))
    .min(1)
    .describe(`Days of the week the window opens: ${weekdayNames.join(', ')}.`),
  start: clock.describe("When the window opens, on the recipient's clock: 08:30."),
  end: clock.describe("When it closes, on the recipient's clock: 10:30 (after start)."),
  holidays: z
    .array(calendarDate)
    .describe("Dates (YYYY-MM-DD, in the recipient's zone) on which nothing goes out."),
};

export const sendWindowSchema = z
  .strictObject({
    ...sendWindowFields,
    days: sendWindowFields.days.default(['mon', 'tue', 'wed', 'thu', 'fri']),
    holidays: sendWindowFields.holidays.default([]),
  })
  .refine((w) => w.start < w.end, { message: 'must close after it opens (start before end)', path: ['end'] })
  .describe(
    "When messages may arrive, on each recipient's clock (partners.csv time_zone, else the campaign's timeZone): a touch goes to each partner at the next opening of the window after its `when`.",
  );
export type SendWindowDef = z.infer<typeof sendWindowSchema>;

/** A touch's override: any field replaces the campaign's; `false` sends at `when` exactly. */
export const sendWindowOverrideSchema = z
  .union([z.literal(false), z.strictObject(sendWindowFields).partial()])
  .describe(
    "This touch's window: fields that replace the campaign's sendWindow (e.g. { start: '14:00', end: '16:00' }), or false to send at `when` exactly.",
  );
export type SendWindowOverride = z.infer<typeof sendWindowOverrideSchema>;

export const touchSchema = z.strictObject({
  id: slug.describe(
    'Unique id of the touch within the campaign; appears in links (?t=<id>) and the send ledger.',
  ),
  kind: z.enum(touchKinds).describe(`What the touch is for: ${touchKinds.join(', ')}.`),
  template: z
    .string()
    .min(1)
    .describe('The email template, relative to the campaign folder, e.g. emails/announce.md.'),
  when: whenSchema,
  audience: z
    .enum(audiences)
    .default('all')
    .describe(`Who receives it: ${audiences.join(', ')}.`),
  sendWindow: sendWindowOverrideSchema.optional(),
  optOutLinks: z
    .boolean()
    .default(true)
    .describe(
      'Add the "not now" and "no thanks" links under the body (true). Turn off only when the template places them itself.',
    ),
});
export type TouchDef = z.infer<typeof touchSchema>;

export const landingSchema = z.strictObject({
  headline: z
    .string()
    .min(1)
    .describe('The hero line of the personal page, in Liquid: "What {{ partner.company }} would earn".'),
  intro: z.string().min(1).describe('A paragraph or two of Markdown under the headline, in Liquid.'),
  paperPitch: z.string().optional().describe('Why to read the paper (Markdown, Liquid).'),
  feedbackPrompt: z.string().optional().describe('The question above the feedback form (Markdown, Liquid).'),
  callPitch: z.string().optional().describe('The ten-minute-call ask (Markdown, Liquid).'),
  webinarPitch: z.string().optional().describe('Why to come to the webinar (Markdown, Liquid).'),
  signoff: z.string().optional().describe('A closing line from the sender (Markdown, Liquid).'),
});
export type LandingCopy = z.infer<typeof landingSchema>;

const scoreWeight = (what: string, byDefault: number) =>
  z.number().min(0).max(1000).optional().describe(`Points for ${what} (default ${byDefault}).`);

/**
 * How the follow-up score ranks partners (src/lib/followup). Optional; every field has a
 * default. The score only orders the queue: a partner's status comes from human evidence, so
 * opens never move anyone out of "no response", whatever their weight.
 */
export const scoringSchema = z.strictObject({
  halfLifeDays: z
    .number()
    .positive()
    .max(365)
    .optional()
    .describe('Time decay: a signal is worth half as much after this many days (default 14).'),
  weights: z
    .strictObject({
      visit: scoreWeight('a human visit to the personal page', 1),
      readingMinute: scoreWeight('each minute of visible reading time, up to 10', 1),
      halfRead: scoreWeight('reading half the paper', 4),
      fullRead: scoreWeight('reading it to the end (on top of halfRead)', 3),
      click: scoreWeight('a call-to-action click', 2),
      download: scoreWeight('a download (PDF)', 3),
      feedback: scoreWeight('feedback', 10),
      registration: scoreWeight('a webinar registration', 6),
      attended: scoreWeight('attending the webinar', 8),
      callRequest: scoreWeight('asking for a call', 15),
      reply: scoreWeight('a reply, meeting or call (marked)', 6),
      open: scoreWeight('an email open (noise; ranks only)', 0),
    })
    .optional()
    .describe('Points per signal; missing ones keep their defaults.'),
});
export type ScoringDef = z.infer<typeof scoringSchema>;

export const campaignSchema = z.strictObject({
  name: z.string().min(1).describe('Human name of the campaign, shown in the dashboard.'),
  description: z.string().optional().describe('What the campaign is for, for the team.'),
  locale: z.string().default('en-GB').describe('BCP 47 locale for dates and times in messages.'),
  timeZone: z
    .string()
    .refine(isValidTimeZone, 'must be an IANA time zone such as Europe/Copenhagen')
    .default('UTC')
    .describe("Time zone for partners whose row has none, and for the team's own schedule."),
  sender: z
    .strictObject({
      name: z.string().min(1).describe('From name, a person: "Maren Holt".'),
      email: z.email('must be an email address').describe('From address.'),
      replyTo: z
        .email('must be an email address')
        .optional()
        .describe('Reply-To address; defaults to email.'),
      title: z.string().optional().describe('Job title used in the signature.'),
      company: z.string().min(1).describe('The publisher, e.g. "Kestrel Sensing".'),
      author: slug
        .optional()
        .describe(
          "The sender's entry in content/authors, whose photo and role the personal pages show; default: the author with the sender's name.",
        ),
      postalAddress: z
        .string()
        .min(10)
        .describe('Postal address in the footer of every email (required by law in many places).'),
    })
    .describe('Who the emails come from.'),
  whitepaper: slug.describe('The white paper this campaign is about: a slug in content/whitepapers.'),
  webinar: slug.optional().describe('The webinar on its findings: a slug in content/webinars.'),
  posts: z.array(slug).default([]).describe('Supporting blog posts: slugs in content/blog.'),
  partners: z.string().default('partners.csv').describe('The partner list, relative to the campaign folder.'),
  landing: landingSchema.describe('Copy of the personal page, in Liquid with the same rules as emails.'),
  touches: z.array(touchSchema).min(1).describe('The messages of the campaign.'),
  scoring: scoringSchema.optional().describe('Follow-up score weights and time decay (optional).'),
  sendWindow: sendWindowSchema.optional(),
  webhooks: campaignWebhooksSchema,
  sameCompany: z
    .enum(['stop', 'pause', 'continue'])
    .default('pause')
    .describe(
      "When someone else at a partner's company replies: stop the company's partners, pause them, or carry on.",
    ),
});
export type CampaignDef = z.infer<typeof campaignSchema>;

export const templateFrontmatterSchema = z.strictObject({
  subject: z.string().min(1).describe('Subject line, in Liquid; rendered as plain text, one line.'),
  subjects: z
    .array(z.string().min(1))
    .min(2)
    .max(6)
    .optional()
    .describe(
      'A subject test: two to six subject lines (Liquid, like subject). Partners are split evenly and deterministically between them; `subject` is then only the fallback for previews.',
    ),
  preheader: z
    .string()
    .max(250)
    .optional()
    .describe('The preview text shown after the subject in inboxes, in Liquid.'),
  introSubject: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Referrer nudges: the subject of the introduction the referrer sends in one click (Liquid; `partner` is the referred partner, `recipient` the referrer). Gives each of `partners` its `links.intro`.',
    ),
  introBody: z
    .string()
    .min(1)
    .optional()
    .describe('Referrer nudges: the plain-text body of that introduction, in Liquid (see introSubject).'),
});
export type TemplateFrontmatter = z.infer<typeof templateFrontmatterSchema>;
