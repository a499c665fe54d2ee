/**
 * `POST /api/webhooks/resend`. Verified with the SDK (`resend.webhooks.verify`, svix scheme:
 * `svix-id`, `svix-timestamp`, `svix-signature`, secret RESEND_WEBHOOK_SECRET); a bad or stale
 * (over 5 minutes) signature is 401. Deduped on svix-id: a retry or replay is 200 and changes
 * nothing. Mapped to campaign, partner and touch through the tags the sender set (`refTags`).
 *
 * Verdicts: delivery reports (sent, delivered, delayed, bounced, failed, suppressed) are `bot`,
 * reason `provider report`: machines reporting, not people acting. Opens are `suspect` (image
 * proxies and privacy protection open everything) and never count. Clicks get the hit verdict
 * (agent, seconds since delivery, burst, network). Complaints are people (`human`). An inbound
 * email (`email.received`) goes to the inbox (src/lib/inbox/resend.ts), which fetches, classifies
 * and matches it; a retry of a delivery it could not fetch is not deduped away. Hard bounces and complaints (and Resend's own suppressions) become
 * suppressions in the same transaction as the receipt.
 */
import { z } from 'astro/zod';
import { Resend } from 'resend';
import { cleanDeep } from '../input/clean.ts';
import { isStoreUnavailable } from '../store/errors.ts';
import type { EventInput, Store, SuppressionInput, Verdict } from '../store/types.ts';
import type { Answer } from './answer.ts';
import { jsonAnswer as json } from './answer.ts';
import { type BodySource, readBody } from './body.ts';
import { runtime } from './runtime.ts';
import { judgeHit } from './verdict.ts';

export const MAX_WEBHOOK_BYTES = 256 * 1024;
export const webhookTypes = [
  'email.sent',
  'email.delivered',
  'email.delivery_delayed',
  'email.opened',
  'email.clicked',
  'email.bounced',
  'email.complained',
  'email.failed',
  'email.suppressed',
  'email.received',
] as const;

const payloadSchema = z.object({
  type: z.string().max(100),
  created_at: z.string().max(64).optional(),
  data: z
    .object({
      email_id: z.string().max(200).optional(),
      created_at: z.string().max(64).optional(),
      from: z.string().max(500).optional(),
      to: z.array(z.string().max(500)).max(100).optional(),
      subject: z.string().max(2000).optional(),
      tags: z
        .union([z.record(z.string(), z.string()), z.array(z.object({ name: z.string(), value: z.string() }))])
        .optional(),
      bounce: z
        .object({
          type: z.string().max(100).optional(),
          subType: z.string().max(100).optional(),
          message: z.string().max(2000).optional(),
        })
        .loose()
        .optional(),
      click: z
        .object({
          ipAddress: z.string().max(100).optional(),
          link: z.string().max(2000).optional(),
          timestamp: z.string().max(64).optional(),
          userAgent: z.string().max(1000).optional(),
        })
        .loose()
        .optional(),
      failed: z
        .object({ reason: z.string().max(2000).optional() })
        .loose()
        .optional(),
      suppressed: z
        .object({ type: z.string().max(100).optional(), message: z.string().max(2000).optional() })
        .loose()
        .optional(),
    })
    .loose(),
});

function tagsOf(tags: z.infer<typeof payloadSchema>['data']['tags']): Record<string, string> {
  if (!tags) return {};
  if (Array.isArray(tags)) return Object.fromEntries(tags.map((t) => [t.name, t.value]));
  return tags;
}

function dateOr(value: string | undefined, fallback: Date): Date {
  if (!value) return fallback;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? fallback : d;
}

/** `Name <a@b.c>` → `a@b.c`. */
function addressOf(value: string | undefined): string | null {
  if (!value) return null;
  const m = /<([^<>\s]+@[^<>\s]+)>/.exec(value);
  const address = (m?.[1] ?? value).trim();
  return /^[^\s@]+@[^\s@]+$/.test(address) ? address : null;
}

/**
 * `email.received`: the message is fetched and ingested by the inbox. Null when that worked (or
 * the message was already in); otherwise the answer: 503 when a retry can mend it (Resend
 * delivers the webhook again, and the message waits in Resend meanwhile), 422 when none can.
 */
async function receiveInbound(store: Store, emailId: string | undefined): Promise<Answer | null> {
  const { InboundFetchError, receiveFromWebhook } = await import('../inbox/resend.ts');
  try {
    await receiveFromWebhook(store, emailId);
    return null;
  } catch (error) {
    if (!(error instanceof InboundFetchError)) throw error;
    console.error(`webhook email.received ${emailId ?? '?'}: ${error.message}`);
    return error.retryable
      ? json(503, { error: `cannot fetch the received email yet: ${error.message}` }, { 'retry-after': '5' })
      : json(422, { error: error.message });
  }
}

export interface WebhookRequest {
  /** Read by the shared reader (body.ts); the signature is checked on the bytes as received. */
  body: BodySource | Request;
  id: string | null;
  timestamp: string | null;
  signature: string | null;
  secret?: string | undefined;
}

export async function receiveResendWebhook(req: WebhookRequest): Promise<Answer> {
  const secret = req.secret ?? process.env.RESEND_WEBHOOK_SECRET;
  if (!secret) return json(503, { error: 'RESEND_WEBHOOK_SECRET is not set' });
  if (!req.id || !req.timestamp || !req.signature) return json(400, { error: 'missing svix headers' });
  const read = await readBody(req.body, { maxBytes: MAX_WEBHOOK_BYTES, accept: ['json'] });
  if (!read.ok) return read.answer;
  let verified: unknown;
  try {
    // The key is not used for verifying; the SDK wants one to construct.
    verified = new Resend('re_webhook_verify_only').webhooks.verify({
      payload: read.raw,
      headers: { id: req.id, timestamp: req.timestamp, signature: req.signature },
      webhookSecret: secret,
    });
  } catch {
    return json(401, { error: 'invalid or stale signature' });
  }
  // Signed is not clean: the provider relays what senders and recipients typed.
  const parsed = payloadSchema.safeParse(cleanDeep(verified));
  if (!parsed.success) return json(400, { error: 'unexpected payload' });
  const { type, data } = parsed.data;
  const now = new Date();
  const at = dateOr(parsed.data.created_at, now);
  const rt = runtime();
  try {
    const store = await rt.store();
    const tags = tagsOf(data.tags);
    const campaign = tags.campaign ?? null;
    const partnerId = tags.partner ?? null;
    const touch = tags.touch ?? null;
    const recipient = addressOf(data.to?.[0]);
    if (type === 'email.received') {
      // The inbox reads, classifies and matches the message (src/lib/inbox/resend.ts); what it
      // is and whose it is are its findings, so no event is guessed here from the subject.
      const inbound = await receiveInbound(store, data.email_id);
      if (inbound) return inbound;
      const first = await store.recordWebhookOnce(req.id);
      return json(200, { ok: true, duplicate: !first, recorded: 0 });
    }
    const events: EventInput[] = [];
    const suppressions: SuppressionInput[] = [];
    if ((webhookTypes as readonly string[]).includes(type) && campaign) {
      let verdict: Verdict = 'bot';
      let reason = 'provider report';
      const metadata: Record<string, unknown> = { emailId: data.email_id ?? null };
      if (type === 'email.opened') {
        verdict = 'suspect';
        reason = 'open: image proxies and privacy protection open everything';
      } else if (type === 'email.clicked') {
        const click = data.click ?? {};
        const times = touch && partnerId ? await rt.delivery.times(campaign, touch, partnerId) : null;
        const clickAt = dateOr(click.timestamp, at);
        const burst = partnerId
          ? rt.bursts.hit(`${campaign}\u0000${partnerId}`, `click:${click.link ?? ''}`, clickAt.getTime())
          : 1;
        ({ verdict, reason } = judgeHit({
          userAgent: click.userAgent ?? null,
          ip: click.ipAddress ?? null,
          at: clickAt,
          sentAt: times?.sentAt ?? null,
          deliveredAt: times?.deliveredAt ?? null,
          burst,
        }));
        metadata.link = click.link?.slice(0, 500) ?? null;
      } else if (type === 'email.complained') {
        verdict = 'human';
        reason = 'recipient marked it as spam';
      } else if (type === 'email.bounced') {
        metadata.bounce = { type: data.bounce?.type ?? null, subType: data.bounce?.subType ?? null };
      } else if (type === 'email.failed') {
        metadata.reason = data.failed?.reason?.slice(0, 500) ?? null;
      } else if (type === 'email.suppressed') {
        metadata.suppressed = data.suppressed?.type ?? null;
      }
      if (type === 'email.delivered' && touch && partnerId)
        rt.delivery.noteDelivered(campaign, touch, partnerId, at);
      events.push({
        campaign,
        partnerId,
        touch,
        type,
        source: 'webhook',
        occurredAt: at,
        verdict,
        verdictReason: reason,
        metadata,
        eventKey: `w:${req.id}`,
      });
    }
    if (recipient) {
      const hard = type === 'email.bounced' && /^permanent$/i.test(data.bounce?.type ?? '');
      const suppressedKind = type === 'email.suppressed' ? (data.suppressed?.type ?? '') : '';
      if (hard || /bounce/i.test(suppressedKind))
        suppressions.push({
          email: recipient,
          reason: 'hard-bounce',
          source: 'webhook',
          campaign,
          note: data.bounce?.message?.slice(0, 500) ?? null,
        });
      else if (type === 'email.complained' || /complain/i.test(suppressedKind))
        suppressions.push({ email: recipient, reason: 'complaint', source: 'webhook', campaign, note: null });
    }
    const first = await store.recordWebhookOnce(req.id, { events, suppressions });
    return json(200, { ok: true, duplicate: !first, recorded: first ? events.length : 0 });
  } catch (error) {
    if (isStoreUnavailable(error)) return json(503, { error: 'store unavailable, retry' });
    throw error;
  }
}
