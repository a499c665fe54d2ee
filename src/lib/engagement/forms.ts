/**
 * The personal page's forms, `POST /api/forms/<kind>`: register, feedback, call, not-now,
 * no-thanks. Fields: `token`, `touch` (filled from `?t=` by the page script; may be empty) and
 * per form: feedback `resonates`, `missing`, `rating` (1–5), `consentToQuote=yes`; call
 * `preferredTimes`, `phone`; not-now `until` = `2w|1m|next-quarter`; no-thanks `reason`.
 *
 * Without JavaScript: 303 to `/p/<token>/#thanks-<kind>` (the page shows the confirmation with
 * `:target`). With `Accept: application/json`: `{ ok, kind, created, until? }`.
 * Idempotent: the same submission again (same partner, kind, fields, UTC day) is one response and
 * one event; a decline is one per partner and campaign, a registration one per person and webinar.
 * Each records a response and a `form.<kind>` event (source `form`, verdict human unless the
 * agent is a known bot). Cross-site submissions are refused by the origin policy (origin.ts).
 */

import { createHash } from 'node:crypto';
import { z } from 'astro/zod';
import { emit } from '../hooks/emit.ts';
import { isStoreUnavailable } from '../store/errors.ts';
import type { ResponseInput } from '../store/types.ts';
import { announceRegistration } from '../webinar/announce.ts';
import { confirmRegistration, partnerTimeZone } from '../webinar/confirm.ts';
import { registrationLifecycle } from '../webinar/schedule.ts';
import type { Answer } from './answer.ts';
import { formEvent, jsonAnswer as json, seeOther } from './answer.ts';
import { type BodySource, readFields } from './body.ts';
import { runtime } from './runtime.ts';
import { botAgentReason } from './verdict.ts';

export const formKinds = ['register', 'feedback', 'call', 'not-now', 'no-thanks'] as const;
export type FormKind = (typeof formKinds)[number];
export const MAX_FORM_BYTES = 16 * 1024;

const token = z.string().regex(/^[A-Za-z0-9_-]{32}$/);
const touch = z
  .string()
  .regex(/^[A-Za-z0-9_-]{0,64}$/)
  .optional();
const text = (max: number) =>
  z
    .string()
    .max(max)
    .transform((s) => s.trim())
    .optional();

const schemas = {
  register: z.object({ token, touch }),
  feedback: z.object({
    token,
    touch,
    resonates: text(4000),
    missing: text(4000),
    rating: z.enum(['1', '2', '3', '4', '5']).optional(),
    consentToQuote: z.enum(['yes']).optional(),
  }),
  call: z.object({
    token,
    touch,
    preferredTimes: text(500),
    phone: z
      .string()
      .max(40)
      .regex(/^[+\d\s().\-/]*$/)
      .optional(),
  }),
  'not-now': z.object({ token, touch, until: z.enum(['2w', '1m', 'next-quarter']) }),
  'no-thanks': z.object({ token, touch, reason: text(500) }),
} as const;

/** When "not now" ends: two weeks, one calendar month, or the first day of the next quarter (UTC). */
export function notNowUntil(choice: '2w' | '1m' | 'next-quarter', now = new Date()): Date {
  if (choice === '2w') return new Date(now.getTime() + 14 * 86_400_000);
  if (choice === '1m') {
    const y = now.getUTCFullYear();
    const m = now.getUTCMonth() + 1;
    const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
    return new Date(
      Date.UTC(
        y,
        m,
        Math.min(now.getUTCDate(), lastDay),
        now.getUTCHours(),
        now.getUTCMinutes(),
        now.getUTCSeconds(),
      ),
    );
  }
  const quarter = Math.floor(now.getUTCMonth() / 3);
  return new Date(Date.UTC(now.getUTCFullYear(), (quarter + 1) * 3, 1));
}

export interface FormRequest {
  kind: string;
  /** Read by the shared reader (body.ts) after the rate limit: urlencoded, multipart or JSON. */
  body: BodySource | Request;
  wantsJson: boolean;
  userAgent: string | null;
  ip: string | null;
  now?: Date;
}

const digest = (value: unknown) =>
  createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 22);

export async function submitForm(req: FormRequest): Promise<Answer> {
  const kind = formKinds.find((k) => k === req.kind);
  if (!kind) return json(404, { error: 'unknown form' });
  const rt = runtime();
  const ipHash = rt.hashIp(req.ip);
  if (!rt.limits.client.take(ipHash ?? 'unknown'))
    return json(429, { error: 'slow down' }, { 'retry-after': '10' });
  const read = await readFields(req.body, {
    maxBytes: MAX_FORM_BYTES,
    accept: ['form', 'multipart', 'json'],
  });
  if (!read.ok) return read.answer;
  const { fields } = read;
  const parsed = schemas[kind].safeParse(fields);
  if (!parsed.success) {
    const tokenOk = token.safeParse(fields.token).success;
    if (!req.wantsJson && tokenOk) return seeOther(`/p/${fields.token}/#${kind}`);
    return json(400, { error: 'invalid form', fields: parsed.error.issues.map((i) => i.path.join('.')) });
  }
  const data = parsed.data as Record<string, string | undefined> & { token: string };
  const now = req.now ?? new Date();
  try {
    const owner = await rt.tokens.resolve(data.token);
    // An unknown (or revoked) token: back to the home page, nothing recorded.
    if (!owner) {
      rt.unknownTokens.note(`form ${kind}`);
      return req.wantsJson ? json(404, { error: 'unknown token' }) : seeOther('/');
    }
    const { partner } = owner;
    const touchId = data.touch || null;
    const back = `/p/${data.token}/${touchId ? `?t=${touchId}` : ''}`;
    const day = now.toISOString().slice(0, 10);
    const base = {
      campaign: partner.campaign,
      partnerId: partner.partnerId,
      touch: touchId,
      source: 'form' as const,
      occurredAt: now,
    };
    const name = [partner.firstName, partner.lastName].filter(Boolean).join(' ') || null;
    let response: ResponseInput;
    let until: Date | undefined;
    if (kind === 'register') {
      const webinar = typeof partner.data.webinar === 'string' ? partner.data.webinar : null;
      if (!webinar)
        return req.wantsJson ? json(409, { error: 'no webinar in this campaign' }) : seeOther(back);
      // A cancelled or closed webinar stores nothing and says so (src/lib/webinar/lifecycle.ts).
      const life = await registrationLifecycle(await rt.store(), webinar, now);
      if (!life.registrationOpen)
        return req.wantsJson
          ? json(409, { error: 'registration is closed', reason: life.closedBecause })
          : seeOther(`${back}#register-closed`);
      response = { ...base, kind: 'registration', webinar, email: partner.email, name };
    } else if (kind === 'feedback') {
      const { resonates, missing, rating, consentToQuote } = data;
      if (!resonates && !missing && !rating)
        return req.wantsJson ? json(400, { error: 'empty feedback' }) : seeOther(`${back}#feedback`);
      const content = {
        resonates: resonates || null,
        missing: missing || null,
        rating: rating ? Number(rating) : null,
      };
      response = {
        ...base,
        kind: 'feedback',
        idempotencyKey: `feedback:${partner.campaign}:${partner.partnerId}:${digest({ ...content, consentToQuote })}`,
        text:
          [resonates && `What rings true: ${resonates}`, missing && `What is missing: ${missing}`]
            .filter(Boolean)
            .join('\n\n') || null,
        rating: content.rating,
        consentToQuote: consentToQuote === 'yes',
        data: content,
      };
    } else if (kind === 'call') {
      const times = data.preferredTimes ? [data.preferredTimes] : [];
      response = {
        ...base,
        kind: 'call-request',
        idempotencyKey: `call:${partner.campaign}:${partner.partnerId}:${digest([times, data.phone ?? ''])}:${day}`,
        preferredTimes: times,
        data: data.phone ? { phone: data.phone } : {},
      };
    } else if (kind === 'not-now') {
      const choice = data.until as '2w' | '1m' | 'next-quarter';
      until = notNowUntil(choice, now);
      response = {
        ...base,
        kind: 'not-now',
        idempotencyKey: `not-now:${partner.campaign}:${partner.partnerId}:${choice}:${day}`,
        until,
        data: { choice },
      };
    } else {
      response = {
        ...base,
        kind: 'decline',
        idempotencyKey: `decline:${partner.campaign}:${partner.partnerId}`,
        text: data.reason || null,
      };
    }
    const store = await rt.store();
    const result = await store.addResponse(response);
    // Registering from the personal link verifies a registration someone made for this address
    // on the public form (src/lib/webinar/verify.ts).
    const agent = botAgentReason(req.userAgent);
    let verifiedNow = false;
    if (kind === 'register' && !result.created && response.webinar)
      verifiedNow = (
        await store.verifyRegistration(response.webinar, partner.email, {
          via: 'personal-link',
          at: now,
          campaign: partner.campaign,
          partnerId: partner.partnerId,
        })
      ).changed;
    // A new registration gets its confirmation with the calendar invitation (src/lib/webinar).
    if (kind === 'register' && result.created && response.webinar) {
      const sent = await confirmRegistration(
        {
          webinar: response.webinar,
          email: partner.email,
          name,
          campaign: partner.campaign,
          partnerId: partner.partnerId,
          timeZone: partnerTimeZone(partner.data),
        },
        { store, now },
      ).catch((error: unknown) => ({ status: 'failed' as const, error }));
      if (sent.status === 'failed' || sent.status === 'stopped')
        console.error(`webinar ${response.webinar}: confirmation not sent`, sent);
    }
    await rt.batcher.add([
      formEvent({
        campaign: partner.campaign,
        partnerId: partner.partnerId,
        touch: touchId,
        kind,
        at: now,
        agent,
        userAgent: req.userAgent,
        ipHash,
        metadata: { responseId: result.id, ...(until ? { until: until.toISOString() } : {}) },
        eventKey: `f:${response.idempotencyKey ?? `registration:${response.webinar}:${partner.email}`}`,
      }),
    ]);
    // A new call request or feedback makes a partner hot: their owner hears of it at once, after
    // this answer (never slowing it; the response and the event are already stored).
    if (result.created && !agent && (kind === 'call' || kind === 'feedback')) {
      rt.hot.afterCommit({ campaign: partner.campaign, partnerId: partner.partnerId }, 'form', [], now);
    }
    // Tell the rest of the stack (src/lib/hooks/): queued in the store, delivered after this answer.
    // A registration counts (and is announced) once it is verified: this form's is, and so is an
    // unverified one from the public page that this form just verified (webinar/announce.ts).
    if (kind === 'register' && response.webinar && (result.created || verifiedNow) && !agent)
      void announceRegistration(store, {
        webinar: response.webinar,
        email: partner.email,
        name,
        company: partner.company,
        campaign: partner.campaign,
        partnerId: partner.partnerId,
        responseId: result.id,
        verified: true,
        via: 'personal-link',
        at: now,
      });
    const hook = kind === 'feedback' ? 'feedback.received' : kind === 'no-thanks' ? 'partner.declined' : null;
    if (result.created && !agent && hook)
      void emit(store, hook, {
        campaign: partner.campaign,
        partnerId: partner.partnerId,
        at: now.toISOString(),
        ...(response.text ? { text: response.text } : {}),
        ...(response.rating ? { rating: response.rating } : {}),
        ...(kind === 'feedback' ? { consentToQuote: Boolean(response.consentToQuote) } : {}),
      });
    if (req.wantsJson)
      return json(200, {
        ok: true,
        kind,
        created: result.created,
        ...(until ? { until: until.toISOString() } : {}),
      });
    return seeOther(`${back}#thanks-${kind}`);
  } catch (error) {
    if (isStoreUnavailable(error))
      return json(503, { error: 'store unavailable, retry' }, { 'retry-after': '5' });
    throw error;
  }
}
