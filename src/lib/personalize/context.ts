/**
 * The variables a template sees. Names are snake_case like the CSV columns.
 *
 * | variable | what |
 * |---|---|
 * | `partner.<column>` | every non-empty cell of the partner's row (`partner.company`, `partner.pain`, ...) |
 * | `partner.name` | first and last name; `partner.tags` (list), `partner.time_zone` (resolved) |
 * | `partner.gatekeepers` | list of `{ name, role, email }`; `partner.referrer` `{ name, email, relationship }` if any |
 * | `recipient.name`, `.first_name`, `.email`, `.is_referrer` | who the message goes to (the referrer for a referrer nudge) |
 * | `sender.name`, `.first_name`, `.title`, `.company`, `.email`, `.postal_address` | from campaign.yaml |
 * | `campaign.id`, `.name`; `touch.id`, `.kind`, `.date` | |
 * | `paper.title`, `.subtitle`, `.summary`, `.customer.name`, `.key_results`, `.publish_date`, `.is_advance_copy`, `.url` | the white paper |
 * | `webinar.title`, `.abstract`, `.start` (in the partner's zone), `.date`, `.time`, `.duration_minutes`, `.url` | if the campaign has one |
 * | `webinar.join_url` | the join link, only in touches whose audience is `registered` |
 * | `posts` (list of `{ slug, title, description, url }`), `blog["<slug>"]` | supporting posts |
 * | `links.page`, `.not_now`, `.no_thanks`, `.call`, `.feedback`, `.register`, `.paper`, `.webinar`, `.recording`, `.unsubscribe` | |
 * | `partners` | referrer nudges only: every silent partner the referrer introduced, in partners.csv order (see `referredScope`) |
 *
 * Missing cells are absent, so strict rendering fails on them unless the template says
 * `| default:`. The webinar's join link is in scope only for touches to registrants.
 */
import type { Campaign } from '../campaign/load.ts';
import type { Partner } from '../campaign/partners.ts';
import { isAdvanceCopy } from '../publishing.ts';
import { formatClock, formatDay, formatInZone, formatWeekday } from '../time/format.ts';
import { type LinkOptions, type PartnerLinks, partnerLinks, referrerUnsubscribeLinks } from './links.ts';

export const templateRoots = [
  'partner',
  'recipient',
  'sender',
  'campaign',
  'touch',
  'paper',
  'webinar',
  'posts',
  'blog',
  'links',
  'partners',
] as const;

/** Derived partner variables that exist whatever the CSV columns are. */
export const derivedPartnerFields = ['name', 'tags', 'gatekeepers', 'referrer', 'time_zone'] as const;

export interface ScopeOptions extends LinkOptions {
  /** Set for a referrer nudge: the message goes to the partner's referrer. */
  toReferrer?: boolean;
  touchKind?: string;
  touchAt?: Date;
  /** The touch's audience: only a touch for registrants may carry the join link. */
  audience?: string;
}

export function partnerScope(partner: Partner): Record<string, unknown> {
  return {
    ...partner.fields,
    name: [partner.firstName, partner.lastName].filter(Boolean).join(' '),
    tags: partner.tags,
    time_zone: partner.timeZone,
    gatekeepers: partner.gatekeepers.map((g) => ({ ...g })),
    ...(partner.referrer ? { referrer: { ...partner.referrer } } : {}),
  };
}

/** `links`: the partner's links under these options, when the caller has them already. */
export function templateScope(
  campaign: Campaign,
  partner: Partner,
  options: ScopeOptions = {},
  links: PartnerLinks = partnerLinks(campaign, partner.id, options),
): Record<string, unknown> {
  const { def, paper, webinar } = campaign;
  const locale = def.locale;
  const referrer = options.toReferrer ? partner.referrer : undefined;
  const unsubscribe = referrer
    ? referrerUnsubscribeLinks(campaign.id, partner.id, options).unsubscribe
    : links.unsubscribe;
  const zone = partner.timeZone;
  const dayIn = (date: Date) => formatWeekday(date, zone, locale);
  const timeIn = (date: Date) => formatClock(date, zone, locale);
  return {
    partner: partnerScope(partner),
    recipient: referrer
      ? {
          name: referrer.name,
          first_name: referrer.name.split(/\s+/)[0] ?? referrer.name,
          email: referrer.email,
          is_referrer: true,
        }
      : {
          name: [partner.firstName, partner.lastName].filter(Boolean).join(' '),
          first_name: partner.firstName,
          email: partner.email,
          is_referrer: false,
        },
    sender: {
      name: def.sender.name,
      first_name: def.sender.name.split(/\s+/)[0] ?? def.sender.name,
      ...(def.sender.title ? { title: def.sender.title } : {}),
      company: def.sender.company,
      email: def.sender.email,
      postal_address: def.sender.postalAddress,
    },
    campaign: { id: campaign.id, name: def.name },
    touch: {
      ...(options.touch ? { id: options.touch } : {}),
      ...(options.touchKind ? { kind: options.touchKind } : {}),
      ...(options.touchAt ? { date: dayIn(options.touchAt) } : {}),
    },
    paper: {
      slug: paper.id,
      title: paper.data.title,
      ...(paper.data.subtitle ? { subtitle: paper.data.subtitle } : {}),
      summary: paper.data.summary,
      customer: { ...paper.data.customer },
      key_results: paper.data.keyResults.map((r) => ({
        label: r.label,
        value: r.value,
        unit: r.unit,
        ...(r.comparison ? { comparison: r.comparison } : {}),
      })),
      publish_date: formatDay(paper.data.publishDate, locale),
      is_advance_copy: isAdvanceCopy(paper.data, options.now ?? new Date()),
      url: links.paper,
    },
    ...(webinar
      ? {
          webinar: {
            slug: webinar.id,
            title: webinar.data.title,
            abstract: webinar.data.abstract,
            start: formatInZone(webinar.data.start, zone, locale),
            date: dayIn(webinar.data.start),
            time: timeIn(webinar.data.start),
            time_zone: zone,
            duration_minutes: webinar.data.durationMinutes,
            url: links.webinar,
            // The join link goes to registrants only: it exists in the scope of a touch whose
            // audience is `registered`, so any other template that uses it fails the preflight.
            ...(options.audience === 'registered' && !options.toReferrer
              ? { join_url: webinar.data.joinUrl }
              : {}),
          },
        }
      : {}),
    posts: campaign.posts.map((post) => ({
      slug: post.id,
      title: post.data.title,
      description: post.data.description,
      url: links.posts[post.id],
    })),
    blog: Object.fromEntries(
      campaign.posts.map((post) => [
        post.id,
        { title: post.data.title, description: post.data.description, url: links.posts[post.id] },
      ]),
    ),
    links: {
      page: links.page,
      not_now: links.notNow,
      no_thanks: links.noThanks,
      call: links.call,
      feedback: links.feedback,
      register: links.register,
      paper: links.paper,
      webinar: links.webinar,
      recording: links.recording,
      unsubscribe,
    },
  };
}
