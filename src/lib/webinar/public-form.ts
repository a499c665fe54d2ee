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
import { z } from 'astro/zod';
import { formEvent, jsonAnswer as json, seeOther } from '../engagement/answer.ts';
import type { Answer } from '../engagement/beacon.ts';
import { isUnavailable, runtime } from '../engagement/runtime.ts';
import { botAgentReason } from '../engagement/verdict.ts';
import { confirmRegistration, isEmailAddress, registerForWebinar } from './confirm.ts';
import { currentWebinar, endOf, loadWebinar, WebinarError } from './schedule.ts';

export const MAX_REGISTRATION_BYTES = 8 * 1024;

const line = (max: number) =>
  z
    .string()
    .transform((s) => s.replace(/[\p{Cc}\u2028\u2029]+/gu, ' ').trim())
    .pipe(z.string().max(max));

const registrationSchema = z.object({
  name: line(200).pipe(z.string().min(1, 'your name')),
  email: line(254).refine(isEmailAddress, 'a valid email address'),
  company: line(200).optional(),
  website: z.string().max(0).optional(),
});

export interface PublicRegistrationRequest {
  slug: string;
  fields: Record<string, string>;
  wantsJson: boolean;
  userAgent: string | null;
  ip: string | null;
  now?: Date;
}

/** Form fields from an urlencoded, multipart or JSON body. */
export async function readRegistrationFields(request: Request): Promise<Record<string, string> | null> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > MAX_REGISTRATION_BYTES) return null;
  const type = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  const body = await request.text();
  if (Buffer.byteLength(body) > MAX_REGISTRATION_BYTES) return null;
  const fields: Record<string, string> = {};
  if (type === 'application/json') {
    try {
      const parsed: unknown = JSON.parse(body);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
      for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') fields[k] = v;
    } catch {
      return null;
    }
  } else if (type === 'multipart/form-data') {
    const form = await new Response(body, {
      headers: { 'content-type': request.headers.get('content-type') ?? '' },
    })
      .formData()
      .catch(() => null);
    if (!form) return null;
    for (const [k, v] of form) if (typeof v === 'string') fields[k] = v;
  } else {
    for (const [k, v] of new URLSearchParams(body)) fields[k] = v;
  }
  return fields;
}

export async function registerFromPublicPage(req: PublicRegistrationRequest): Promise<Answer> {
  const page = `/webinars/${encodeURIComponent(req.slug)}/`;
  const now = req.now ?? new Date();
  let base: ReturnType<typeof loadWebinar>;
  try {
    base = loadWebinar(req.slug);
  } catch (error) {
    if (error instanceof WebinarError) return json(404, { error: 'no such webinar' });
    throw error;
  }
  const rt = runtime();
  const ipHash = rt.hashIp(req.ip);
  if (!rt.limits.client.take(ipHash ?? 'unknown')) return json(429, { error: 'slow down' });
  const parsed = registrationSchema.safeParse(req.fields);
  if (!parsed.success) {
    // A filled honeypot gets the same answer as a success, and nothing is stored.
    if (req.fields.website)
      return req.wantsJson ? json(200, { ok: true, created: false }) : seeOther(`${page}#registered`);
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.')))];
    return req.wantsJson ? json(400, { error: 'invalid form', fields }) : seeOther(`${page}#register-error`);
  }
  try {
    const store = await rt.store();
    const webinar = await currentWebinar(store, base);
    const closed =
      webinar.status === 'cancelled' ||
      webinar.registration === 'closed' ||
      endOf(webinar).getTime() < now.getTime();
    if (closed)
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
    if (result.campaign && result.partnerId) {
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
    if (result.created) {
      const sent = await confirmRegistration(
        {
          webinar: req.slug,
          email,
          name,
          campaign: result.campaign,
          partnerId: result.partnerId,
          timeZone: result.timeZone,
        },
        { store, webinarInfo: base, now },
      ).catch((error: unknown) => ({ status: 'failed' as const, error }));
      if (sent.status === 'failed' || sent.status === 'stopped')
        console.error(`webinar ${req.slug}: confirmation to a registrant not sent`, sent);
    }
    return req.wantsJson ? json(200, { ok: true, created: result.created }) : seeOther(`${page}#registered`);
  } catch (error) {
    if (isUnavailable(error)) return json(503, { error: 'store unavailable, retry' });
    throw error;
  }
}
