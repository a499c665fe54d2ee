/**
 * `POST /api/events`: the beacon contract and its handler, independent of any HTTP framework
 * (the plain Node fast path in src/server/ and the Astro route both call `collectBeacon`).
 *
 * Body (JSON, sent as `text/plain` by `navigator.sendBeacon` or `application/json` by `fetch`),
 * at most MAX_BEACON_BYTES:
 *
 * ```json
 * { "v": 1, "token": "<32 chars>", "touch": "invite", "sid": "<page-load id>", "page": "partner",
 *   "events": [ { "seq": 0, "type": "page_view", "section": "top", "path": "/p/…/" },
 *               { "seq": 1, "type": "visible_time", "section": "paper", "ms": 15000 },
 *               { "seq": 2, "type": "read_progress", "section": "results", "index": 3, "of": 5 },
 *               { "seq": 3, "type": "cta_click", "section": "paper", "cta": "read-paper", "href": "/preview/…/" },
 *               { "seq": 4, "type": "download", "section": "paper", "href": "/files/paper.pdf" } ] }
 * ```
 *
 * `page` is `partner` (the personal page), `advance` (the advance copy) or `paper` (the public
 * paper page). Reading means the paper, so the collector files what the personal page reports
 * apart from the paper's own reading: a personal-page `read_progress` is stored as
 * `section_seen` ("sections seen", never paper progress), and its `visible_time` outside the
 * paper section (`section` other than `paper`) as `page_time`. `read_progress` and
 * `visible_time` stored are therefore the paper's own: its headings and the time it was on screen.
 *
 * Answers: 204 stored (or ignored: an unknown token is not an error, and is not recorded);
 * 400 invalid; 403 foreign Origin; 405/415; 413 too large; 429 rate limited (Retry-After);
 * 503 store unavailable (Retry-After: the client keeps the events and retries). Retries cannot
 * double count: each event's key is (partner, sid, seq).
 */
import { z } from 'astro/zod';
import { isStoreUnavailable } from '../store/errors.ts';
import type { EventInput } from '../store/types.ts';
import { type Answer, jsonAnswer } from './answer.ts';
import { type BodySource, readBody } from './body.ts';
import { checkBeaconOrigin } from './origin.ts';
import { runtime } from './runtime.ts';
import { judgeHit } from './verdict.ts';

export const MAX_BEACON_BYTES = 16 * 1024;
export const MAX_BEACON_EVENTS = 50;
export const BEACON_PATH = '/api/events';

/** The pages that carry the beacon: the personal page, the advance copy, the public paper page. */
export const beaconPages = ['partner', 'advance', 'paper'] as const;
export type BeaconPage = (typeof beaconPages)[number];

const seq = z.number().int().min(0).max(1_000_000);
const shortText = (max: number) => z.string().max(max);
const path = z
  .string()
  .max(500)
  .regex(/^(\/[^\s]*|https?:\/\/[^\s]+)$/);

const section = shortText(120).regex(/^[\w-]*$/);
const beaconEvent = z.discriminatedUnion('type', [
  z
    .object({ type: z.literal('page_view'), seq, section: section.optional(), path: path.optional() })
    .strict(),
  z
    .object({
      type: z.literal('visible_time'),
      seq,
      section: section.optional(),
      ms: z.number().int().min(0).max(600_000),
    })
    .strict(),
  z
    .object({
      type: z.literal('read_progress'),
      seq,
      section,
      index: z.number().int().min(0).max(500),
      of: z.number().int().min(1).max(500),
    })
    .strict(),
  z
    .object({
      type: z.literal('cta_click'),
      seq,
      section: section.optional(),
      cta: shortText(60).regex(/^[\w-]+$/),
      href: path.optional(),
    })
    .strict(),
  z.object({ type: z.literal('download'), seq, section: section.optional(), href: path }).strict(),
]);

export const beaconSchema = z
  .object({
    v: z.literal(1),
    token: z.string().regex(/^[A-Za-z0-9_-]{32}$/),
    touch: z
      .string()
      .regex(/^[A-Za-z0-9_-]{0,64}$/)
      .optional(),
    sid: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
    page: z.enum(beaconPages),
    events: z.array(beaconEvent).min(1).max(MAX_BEACON_EVENTS),
  })
  .strict();

export type Beacon = z.infer<typeof beaconSchema>;
type BeaconEvent = Beacon['events'][number];

/**
 * The stored type of a beacon event: the personal page's sections and its time away from the
 * paper are not reading (see the contract above), so they get types of their own.
 */
export function storedType(page: BeaconPage, event: BeaconEvent): string {
  if (page !== 'partner') return event.type;
  if (event.type === 'read_progress') return 'section_seen';
  if (event.type === 'visible_time' && event.section !== 'paper') return 'page_time';
  return event.type;
}

export interface BeaconRequest {
  method: string;
  origin: string | null;
  host: string | null;
  userAgent: string | null;
  ip: string | null;
  /** The body, read (capped, parsed, cleaned) by the shared reader once the cheap checks pass. */
  body: BodySource | Request;
}

export async function collectBeacon(req: BeaconRequest): Promise<Answer> {
  if (req.method !== 'POST') return jsonAnswer(405, { error: 'method not allowed' }, { allow: 'POST' });
  const origin = checkBeaconOrigin(req.origin, req.host);
  if (!origin.ok) return jsonAnswer(403, { error: origin.reason });

  const rt = runtime();
  const ipHash = rt.hashIp(req.ip);
  if (!rt.limits.client.take(ipHash ?? 'unknown'))
    return jsonAnswer(429, { error: 'slow down' }, { 'retry-after': '10' });

  const read = await readBody(req.body, { maxBytes: MAX_BEACON_BYTES, accept: ['text', 'json'] });
  if (!read.ok) return read.answer;
  const raw = read.value;
  const parsed = beaconSchema.safeParse(raw);
  if (!parsed.success)
    return jsonAnswer(400, { error: 'invalid beacon', issues: parsed.error.issues.length });
  const beacon = parsed.data;
  if (!rt.limits.token.take(beacon.token))
    return jsonAnswer(429, { error: 'slow down' }, { 'retry-after': '10' });

  try {
    const owner = await rt.tokens.resolve(beacon.token);
    // An unknown token is not an error page and not a partner's event: nothing to record.
    if (!owner) {
      rt.unknownTokens.note('beacon');
      return { status: 204, headers: { 'x-aircover-ignored': 'unknown token' } };
    }
    const { partner } = owner;
    const touch = beacon.touch || null;
    const now = new Date();
    const times = touch ? await rt.delivery.times(partner.campaign, touch, partner.partnerId) : null;
    const burstKey = `${partner.campaign}\u0000${partner.partnerId}`;
    const events: EventInput[] = beacon.events.map((event) => {
      const { type: sentType, seq: n, ...metadata } = event;
      const eventType = storedType(beacon.page, event);
      const burst =
        sentType === 'cta_click' || sentType === 'download'
          ? rt.bursts.hit(
              burstKey,
              `${eventType}:${'href' in event ? event.href : ''}:${'cta' in event ? event.cta : ''}`,
              now.getTime(),
            )
          : undefined;
      const { verdict, reason } = judgeHit({
        userAgent: req.userAgent,
        ip: req.ip,
        at: now,
        sentAt: times?.sentAt ?? null,
        deliveredAt: times?.deliveredAt ?? null,
        hasOrigin: origin.hasOrigin,
        ...(burst === undefined ? {} : { burst }),
      });
      return {
        campaign: partner.campaign,
        partnerId: partner.partnerId,
        touch,
        type: eventType,
        source: 'page',
        occurredAt: now,
        verdict,
        verdictReason: reason,
        userAgent: req.userAgent?.slice(0, 400) ?? null,
        ipHash,
        metadata: { page: beacon.page, section: null, ...metadata },
        eventKey: `b:${partner.campaign}:${partner.partnerId}:${beacon.sid}:${n}`,
      };
    });
    await rt.batcher.add(events);
    // Reading that takes the partner across the hot threshold: a note to the owner, after the 204.
    rt.hot.afterCommit({ campaign: partner.campaign, partnerId: partner.partnerId }, 'reading', events, now);
    return { status: 204 };
  } catch (error) {
    if (isStoreUnavailable(error))
      return jsonAnswer(503, { error: 'store unavailable, retry' }, { 'retry-after': '5' });
    throw error;
  }
}

/**
 * The server's own observation of a personal page being fetched (`page_fetch`): what a mail
 * scanner leaves even when it runs no script. Never human evidence; its verdict feeds the
 * "many links within seconds" and "within seconds of delivery" signals the dashboard shows.
 */
export async function recordPageFetch(req: {
  token: string;
  query: string;
  userAgent: string | null;
  ip: string | null;
}): Promise<void> {
  const rt = runtime();
  const owner = await rt.tokens.resolve(req.token);
  if (!owner) return;
  const { partner } = owner;
  const touchParam = new URLSearchParams(req.query).get('t');
  const touch = touchParam && /^[A-Za-z0-9_-]{1,64}$/.test(touchParam) ? touchParam : null;
  const now = new Date();
  const times = touch ? await rt.delivery.times(partner.campaign, touch, partner.partnerId) : null;
  const burst = rt.bursts.hit(
    `${partner.campaign}\u0000${partner.partnerId}`,
    `page:${req.query}`,
    now.getTime(),
  );
  const { verdict, reason } = judgeHit({
    userAgent: req.userAgent,
    ip: req.ip,
    at: now,
    sentAt: times?.sentAt ?? null,
    deliveredAt: times?.deliveredAt ?? null,
    burst,
  });
  await rt.batcher.add([
    {
      campaign: partner.campaign,
      partnerId: partner.partnerId,
      touch,
      type: 'page_fetch',
      source: 'page',
      occurredAt: now,
      verdict,
      verdictReason: reason,
      userAgent: req.userAgent?.slice(0, 400) ?? null,
      ipHash: rt.hashIp(req.ip),
      metadata: {},
    },
  ]);
}
