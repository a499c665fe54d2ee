/**
 * `POST /api/webinars/<slug>/register`: registration from the public webinar page, for anyone
 * (partners and people who are not). Fields: `name`, `email`, `company`, and `website`, a honeypot
 * that people never see and bots fill in. Works without JavaScript: 303 back to the webinar page
 * at `#registered` (or `#register-error`), which the page shows with `:target`. With
 * `Accept: application/json`: `{ ok, created }` or `{ error, fields }`.
 *
 * Cross-site posts are refused before this runs (src/middleware.ts, the origin policy). One
 * registration per person and webinar; only a new one sends the confirmation with the .ics.
 */
import { join } from 'node:path';
import { z } from 'astro/zod';
import { campaignsDir } from '../campaign/site.ts';
import { cachedUntilChanged } from '../content/cached.ts';
import type { Answer } from '../engagement/answer.ts';
import { formEvent, jsonAnswer as json, seeOther } from '../engagement/answer.ts';
import { type BodySource, readFields } from '../engagement/body.ts';
import { runtime } from '../engagement/runtime.ts';
import { botAgentReason } from '../engagement/verdict.ts';
import { cleanLine } from '../input/clean.ts';
import { isStoreUnavailable } from '../store/errors.ts';
import { announceRegistration } from './announce.ts';
import { confirmRegistration, isEmailAddress, registerForWebinar } from './confirm.ts';
import { currentWebinar, loadWebinar, WebinarError, type WebinarInfo } from './schedule.ts';
import { confirmUrl } from './verify.ts';

export const MAX_REGISTRATION_BYTES = 8 * 1024;

const line = (max: number) =>
  z
    .string()
    .transform((s) => cleanLine(s).trim())
    .pipe(z.string().max(max));

const registrationSchema = z.object({
  name: line(200).pipe(z.string().min(1, 'your name')),
  email: line(254).refine(isEmailAddress, 'a valid email address'),
  company: line(200).optional(),
  website: z.string().max(0).optional(),
});

export interface PublicRegistrationRequest {
  slug: string;
  /** Read by the shared reader (body.ts) after the rate limit: urlencoded, multipart or JSON. */
  body: BodySource | Request;
  wantsJson: boolean;
  userAgent: string | null;
  ip: string | null;
  now?: Date;
}

const SLUG = /^[a-z0-9][a-z0-9_-]{0,99}$/;
const webinars = new Map<string, () => WebinarInfo>();

/**
 * The webinar from content/, read once and kept until content/ or campaigns/ change
 * (content/cached.ts): the route never re-reads the content per request.
 */
function cachedWebinar(slug: string): WebinarInfo {
  let load = webinars.get(slug);
  if (!load) {
    if (webinars.size >= 200) webinars.clear(); // slugs come from URLs: keep the map bounded
    const contentDir = process.env.AIRCOVER_CONTENT_DIR ?? 'content';
    load = cachedUntilChanged(
      () => [join(contentDir, 'webinars'), join(contentDir, 'authors'), campaignsDir()],
      () => loadWebinar(slug),
    );
    webinars.set(slug, load);
  }
  return load();
}

export async function registerFromPublicPage(req: PublicRegistrationRequest): Promise<Answer> {
  const page = `/webinars/${encodeURIComponent(req.slug)}/`;
  const now = req.now ?? new Date();
  // Cheap before expensive: the limit, then the body, then the (cached) content.
  if (!SLUG.test(req.slug)) return json(404, { error: 'no such webinar' });
  const rt = runtime();
  const ipHash = rt.hashIp(req.ip);
  if (!rt.limits.client.take(ipHash ?? 'unknown'))
    return json(429, { error: 'slow down' }, { 'retry-after': '10' });
  const read = await readFields(req.body, {
    maxBytes: MAX_REGISTRATION_BYTES,
    accept: ['form', 'multipart', 'json'],
  });
  if (!read.ok) return read.answer;
  const { fields } = read;
  const parsed = registrationSchema.safeParse(fields);
  if (!parsed.success) {
    // A filled honeypot gets the same answer as a success, and nothing is stored.
    if (fields.website)
      return req.wantsJson ? json(200, { ok: true, created: false }) : seeOther(`${page}#registered`);
    const invalid = [...new Set(parsed.error.issues.map((i) => i.path.join('.')))];
    return req.wantsJson
      ? json(400, { error: 'invalid form', fields: invalid })
      : seeOther(`${page}#register-error`);
  }
  let base: WebinarInfo;
  try {
    base = cachedWebinar(req.slug);
  } catch (error) {
    if (error instanceof WebinarError) return json(404, { error: 'no such webinar' });
    throw error;
  }
  try {
    const store = await rt.store();
    const webinar = await currentWebinar(store, base, now);
    if (!webinar.lifecycle.registrationOpen)
      return req.wantsJson
        ? json(409, { error: 'registration is closed' })
        : seeOther(`${page}#register-closed`);
    const { name, email, company } = parsed.data;
    const agent = botAgentReason(req.userAgent);
    const result = await registerForWebinar(
      store,
      {
        webinar: req.slug,
        email,
        name,
        company: company || null,
        source: 'form',
        occurredAt: now,
        data: { via: 'public-page', ...(agent ? { botAgent: agent } : {}) },
      },
      { webinarCampaign: webinar.campaign },
    );
    // An unverified registration (a partner's address, no token) leaves no event on the
    // partner's timeline until its mailbox confirms it (verify.ts).
    if (result.campaign && result.partnerId && result.verified !== false) {
      await rt.batcher.add([
        formEvent({
          campaign: result.campaign,
          partnerId: result.partnerId,
          kind: 'register',
          at: now,
          agent,
          userAgent: req.userAgent,
          ipHash,
          metadata: { responseId: result.id, via: 'public-page' },
          eventKey: `f:registration:${req.slug}:${email.toLowerCase()}`,
        }),
      ]);
    }
    // Announced now only when it counts now: not a partner (`verified: null`). A partner's
    // address typed here is announced when it is confirmed (announce.ts).
    if (result.created && !agent && result.verified === null)
      void announceRegistration(store, {
        webinar: req.slug,
        email,
        name,
        company: company || null,
        campaign: webinar.campaign ?? null,
        partnerId: null,
        responseId: result.id,
        verified: null,
        via: 'public-page',
        at: now,
      });
    if (result.created) {
      const sent = await confirmRegistration(
        {
          webinar: req.slug,
          email,
          name,
          campaign: result.campaign,
          partnerId: result.partnerId,
          timeZone: result.timeZone,
          confirmUrl:
            result.verified === false ? confirmUrl(req.slug, email, new URL(base.pageUrl).origin) : null,
        },
        { store, webinarInfo: base, now },
      ).catch((error: unknown) => ({ status: 'failed' as const, error }));
      if (sent.status === 'failed' || sent.status === 'stopped')
        console.error(`webinar ${req.slug}: confirmation to a registrant not sent`, sent);
    }
    return req.wantsJson ? json(200, { ok: true, created: result.created }) : seeOther(`${page}#registered`);
  } catch (error) {
    if (isStoreUnavailable(error)) return json(503, { error: 'store unavailable, retry' });
    throw error;
  }
}
