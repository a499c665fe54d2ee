/**
 * What an inbound message changes, recorded as the store facts the partner-state module already
 * reads (src/lib/followup/state/): suppressions for hard bounces and complaints; responses for a
 * reply (`replied`, or `decline` / `not-now` for its intent), an out-of-office's return date
 * (`not-now` until then) and a colleague's reply under `sameCompany`; events for what is only
 * shown (a soft bounce, "left the company", a referrer's answer).
 *
 * A partner's referrer answering (match `referrer`: their address, or the thread of a referrer
 * note) is not the partner saying anything: even "no, I won't introduce you" or an out-of-office
 * records no reply, decline, pause, "left" or bounce on a partner, only an `inbox.referrer-replied`
 * event on each partner they introduced; a hard bounce or complaint still suppresses their address.
 *
 * Every effect is keyed by the message (`inbox:<id>:…`) and listed in the message's `effects`, so
 * applying twice changes nothing and a correction first undoes what the old class did.
 */
import { leftCompanyType, leftWithdrawnType, referrerRepliedType } from '../followup/facts.ts';
import type { FollowupCampaign } from '../followup/model.ts';
import type { EventInput, InboundClass, ResponseInput, Store, StoredInbound } from '../store/types.ts';
import type { AutoReplyFinding, BounceFinding, ReplyFinding } from './classify/index.ts';
import type { PartnerRef } from './match.ts';

/** How long a colleague's reply pauses the rest of the company when it names no date. */
export const sameCompanyPauseDays = 30;

export interface AppliedEffects {
  class: InboundClass;
  responses: string[];
  suppressions: string[];
  events: string[];
  /** Partners whose pending touches this message stops or pauses. */
  partners: PartnerRef[];
  /** True when the owner should hear about it (a person's reply, once). */
  notifyOwner: boolean;
}

const firstLines = (text: string, lines = 5) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(0, lines)
    .join('\n')
    .slice(0, 600);

/** Undo what applying `m` recorded before (a correction changes the class). */
async function undo(store: Store, m: StoredInbound): Promise<void> {
  const previous = m.effects as Partial<AppliedEffects>;
  if (previous.responses?.length) await store.removeResponses(previous.responses);
  // "Left the company" changes the partner's state (state/status.ts), so a correction withdraws it.
  // Its key is `inbox:<id>:left`, or `…:left:<corrected at>` (applyEffects); a campaign or
  // partner named "left" in another event's key is not it.
  const left = `inbox:${m.id}:left`;
  if (m.campaign && m.partnerId && previous.events?.some((k) => k === left || k.startsWith(`${left}:`)))
    await store.appendEvents([
      {
        campaign: m.campaign,
        partnerId: m.partnerId,
        type: leftWithdrawnType,
        source: 'inbox',
        occurredAt: new Date(),
        verdict: 'bot',
        eventKey: `inbox:${m.id}:left-withdrawn:${m.correctedAt ?? ''}`,
        metadata: { inbound: m.id },
      },
    ]);
  if (previous.suppressions?.length) {
    const ours = (await store.listSuppressions()).filter(
      (s) => s.source === `inbox:${m.id}` && previous.suppressions?.includes(s.email),
    );
    for (const s of ours) await store.removeSuppression(s.email);
  }
}

export async function applyEffects(
  store: Store,
  m: StoredInbound,
  campaigns: FollowupCampaign[],
): Promise<AppliedEffects> {
  const company = (m.detail.company as PartnerRef[] | undefined) ?? [];
  const klass = m.effectiveClass;
  const previous = m.effects as Partial<AppliedEffects>;
  if (previous.class === klass) return previous as AppliedEffects;
  if (previous.class) await undo(store, m);
  const done: AppliedEffects = {
    class: klass,
    responses: [],
    suppressions: [],
    events: [],
    partners: [],
    notifyOwner: false,
  };
  const key = (what: string, ref?: PartnerRef) =>
    `inbox:${m.id}:${what}${ref ? `:${ref.campaign}:${ref.partnerId}` : ''}`;
  const referrer = m.matchKind === 'referrer';
  // The referrer's message speaks for no partner: nothing below acts on `own` for it.
  const own =
    m.campaign && m.partnerId && !referrer ? { campaign: m.campaign, partnerId: m.partnerId } : null;
  const at = m.receivedAt;
  const respond = async (r: Omit<ResponseInput, 'source' | 'occurredAt'> & { idempotencyKey: string }) => {
    await store.addResponse({
      ...r,
      source: 'inbox',
      occurredAt: at,
      data: { inbound: m.id, ...(r.data ?? {}) },
    });
    done.responses.push(r.idempotencyKey);
  };
  const event = async (
    e: Omit<EventInput, 'source' | 'occurredAt' | 'verdict'> & { eventKey: string },
    verdict: EventInput['verdict'],
  ) => {
    await store.appendEvents([
      { ...e, source: 'inbox', occurredAt: at, verdict, metadata: { inbound: m.id, ...(e.metadata ?? {}) } },
    ]);
    done.events.push(e.eventKey);
  };

  if (referrer && m.campaign && m.partnerId && (klass === 'reply' || klass === 'auto-reply')) {
    const referred = (m.detail.referred as PartnerRef[] | undefined) ?? [
      { campaign: m.campaign, partnerId: m.partnerId },
    ];
    const reply = m.detail.reply as ReplyFinding | undefined;
    const auto = m.detail.autoReply as AutoReplyFinding | undefined;
    for (const ref of referred)
      await event(
        {
          ...ref,
          type: referrerRepliedType,
          // A new key after each correction, so the timeline shows what the corrected class says.
          eventKey: key(m.correctedAt ? `referrer:${m.correctedAt}` : 'referrer', ref),
          metadata: {
            referrer: m.fromName ? `${m.fromName} <${m.fromEmail ?? ''}>` : (m.fromEmail ?? ''),
            auto: klass === 'auto-reply',
            ...(klass === 'reply'
              ? { intent: reply?.intent ?? 'conversation', text: firstLines(reply?.newText ?? '', 2) }
              : { returnDate: auto?.returnDate ?? null }),
          },
        },
        // A person wrote (shown on the timeline); an auto-reply is a machine's, like "left".
        klass === 'reply' ? 'human' : 'bot',
      );
    // A person's answer is the owner's to read; an out-of-office is not worth a note.
    done.notifyOwner = klass === 'reply';
  } else if (klass === 'bounce' || klass === 'complaint') {
    const bounce = m.detail.bounce as BounceFinding | undefined;
    const recipient =
      bounce?.recipient ?? (m.detail.complaint as { recipient?: string } | undefined)?.recipient ?? null;
    if (recipient && (klass === 'complaint' || bounce?.hard)) {
      await store.addSuppression({
        email: recipient,
        reason: klass === 'complaint' ? 'complaint' : 'hard-bounce',
        source: `inbox:${m.id}`,
        campaign: m.campaign,
        note: `${klass} ${bounce?.status ?? ''} message ${m.messageId}`.trim(),
      });
      done.suppressions.push(recipient);
    } else if (own && bounce) {
      // A soft bounce is the delivery trouble the state module counts (three make "bounced").
      await event(
        {
          campaign: own.campaign,
          partnerId: own.partnerId,
          type: 'email.bounced',
          eventKey: key('bounce'),
          metadata: { bounce: { type: 'Transient', status: bounce.status } },
        },
        'human',
      );
    }
  } else if (klass === 'auto-reply' && own) {
    const auto = m.detail.autoReply as AutoReplyFinding | undefined;
    if (auto?.returnDate) {
      await respond({
        kind: 'not-now',
        idempotencyKey: key('away'),
        ...own,
        until: auto.returnDate,
        text: 'out of office',
        data: { autoReply: true },
      });
      done.partners.push(own);
    }
    if (auto?.leftCompany) {
      await event(
        {
          ...own,
          type: leftCompanyType,
          // A new key after each correction: a notice corrected away and back is recorded again.
          eventKey: key(m.correctedAt ? `left:${m.correctedAt}` : 'left'),
          metadata: { replacement: auto.replacement },
        },
        'bot',
      );
    }
  } else if (klass === 'reply' && own && m.matchKind !== 'same-company') {
    const reply = (m.detail.reply ?? {
      newText: '',
      intent: 'conversation',
      until: null,
      referral: null,
    }) as ReplyFinding;
    const text = firstLines(reply.newText);
    if (reply.intent === 'declined')
      await respond({ kind: 'decline', idempotencyKey: key('reply'), ...own, text });
    else if (reply.intent === 'paused' && reply.until)
      await respond({ kind: 'not-now', idempotencyKey: key('reply'), ...own, until: reply.until, text });
    else
      await respond({
        kind: 'replied',
        idempotencyKey: key('reply'),
        ...own,
        text,
        data: { intent: reply.intent, referral: reply.referral },
      });
    done.partners.push(own);
    done.notifyOwner = true;
  } else if (klass === 'reply' && m.matchKind === 'same-company') {
    const reply = m.detail.reply as ReplyFinding | undefined;
    const colleague = m.fromEmail ?? 'a colleague';
    for (const ref of company) {
      const rule = campaigns.find((c) => c.id === ref.campaign)?.sameCompany ?? 'pause';
      if (rule === 'continue') continue;
      // A partner who answered themselves is in their own conversation: a colleague does not pause it.
      const own = await store.listInbound({
        campaign: ref.campaign,
        partnerId: ref.partnerId,
        class: 'reply',
      });
      if (own.some((o) => o.matchKind !== 'same-company')) continue;
      const text = `${colleague} replied: ${firstLines(reply?.newText ?? '', 2)}`;
      if (rule === 'stop')
        await respond({
          kind: 'decline',
          idempotencyKey: key('colleague', ref),
          ...ref,
          text,
          data: { sameCompany: 'stop' },
        });
      else {
        const until =
          reply?.until ?? new Date(new Date(at).getTime() + sameCompanyPauseDays * 86_400_000).toISOString();
        await respond({
          kind: 'not-now',
          idempotencyKey: key('colleague', ref),
          ...ref,
          until,
          text,
          data: { sameCompany: 'pause' },
        });
      }
      done.partners.push(ref);
    }
    done.notifyOwner = done.partners.length > 0;
  }
  await store.setInboundEffects(m.id, { ...done });
  return done;
}
