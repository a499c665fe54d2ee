/**
 * What the inbox tells the team when a person writes back: a note to the partner's owner with the
 * reply's first lines, and the `partner.replied` / `partner.declined` webhooks. Sent through the
 * same machinery as the hot notes (notify.ts: outbox or Resend, the named From of team notes, the
 * owner's address), with a link to the partner's dashboard page.
 *
 * Once per reply: the inbox calls `onReply` only when it applies a message's effects for the first
 * time (a re-read or a second delivery changes nothing, a correction sends nothing), and the note's
 * Message-ID is derived from the inbound message, so a note already recorded in `sent_messages`
 * is never sent again (a crash between sending and recording is Resend's idempotency key's).
 *
 * Saying no wins in the words too: a decline is a note that they declined (thank, stop), a pause
 * says until when, and a reply from a partner who unsubscribed or bounced still reaches the owner
 * (it is the team's own mail) but says that no campaign mail goes to them.
 */
import { createHash } from 'node:crypto';
import { reformatMailbox } from '../email/address.ts';
import {
  messageIdFor,
  type OutgoingMessage,
  type SendResult,
  sendAll,
  type Transport,
} from '../email/message.ts';
import { rememberSent } from '../email/sent-ids.ts';
import { createTransport } from '../email/transport/index.ts';
import { emit } from '../hooks/emit.ts';
import type { AppliedEffects } from '../inbox/effects.ts';
import { escapeHtml, oneLine } from '../personalize/escape.ts';
import { siteUrl } from '../personalize/links.ts';
import { bareMessageId } from '../store/inbox.ts';
import type { Store, StoredInbound } from '../store/types.ts';
import { partnerPath } from './links.ts';
import type { FollowUp, FollowupCampaign } from './model.ts';
import { fromAddress, type NotifyEnv, ownerAddress } from './notify.ts';
import { buildQueue } from './queue.ts';

/** Lines of the reply the note quotes, and their length at most. */
const quoteLines = 8;
const quoteChars = 800;

/**
 * A reply's new text as the note quotes it: control, bidirectional and zero-width characters
 * removed (they could disguise the text or drive a terminal), blank lines dropped, cut short.
 */
export function cleanQuote(text: string): string[] {
  const lines = text
    .replace(/\r\n?/g, '\n')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const kept: string[] = [];
  let length = 0;
  for (const line of lines) {
    if (kept.length >= quoteLines || length >= quoteChars) break;
    const cut = line.slice(0, quoteChars - length);
    kept.push(cut.length < line.length ? `${cut}…` : cut);
    length += cut.length;
  }
  if (kept.length < lines.length && !kept.at(-1)?.endsWith('…')) kept.push('…');
  return kept;
}

interface NoteWords {
  headline: string;
  subject: string;
}

const reply = (m: StoredInbound) =>
  (m.detail.reply ?? {}) as { newText?: string; intent?: string; until?: string | null };

/** The note's first line and subject, by what the reply did to the partner's state. */
function wordsFor(item: FollowUp, m: StoredInbound, sameCompany: FollowUp[]): NoteWords {
  const who = `${item.name} at ${item.company}`;
  if (m.matchKind === 'referrer') {
    // The referrer's answer: the partners' state is untouched, and the note must not say otherwise.
    const from = m.fromName ? `${m.fromName} <${m.fromEmail ?? ''}>` : (m.fromEmail ?? 'their referrer');
    const names = (sameCompany.length ? sameCompany : [item])
      .map((i) => `${i.name} at ${i.company}`)
      .join(', ');
    return {
      headline: `${from}, the referrer of ${names}, wrote to you (${item.campaign}). That is the referrer's answer, not theirs: their status is unchanged (read it, and answer the referrer yourself).`,
      subject: `Referrer replied: ${m.fromName ?? m.fromEmail ?? 'referrer'} about ${item.name}, ${item.company}`,
    };
  }
  if (m.matchKind === 'same-company') {
    const from = m.fromName ? `${m.fromName} <${m.fromEmail ?? ''}>` : (m.fromEmail ?? 'someone');
    const names = sameCompany.map((i) => i.name).join(', ');
    return {
      headline: `${from}, a colleague of ${names} at ${item.company}, wrote to you (${item.campaign}). Their touches are held: ${item.statusLabel}.`,
      subject: `Reply from ${item.company} (a colleague of ${names})`,
    };
  }
  switch (item.status) {
    case 'declined':
      return {
        headline: `${who} declined by email (${item.campaign}): nothing more goes to them.`,
        subject: `Declined: ${item.name}, ${item.company}`,
      };
    case 'not-now':
      return {
        headline: `${who} asked "not now" by email (${item.campaign}): ${item.statusLabel}.`,
        subject: `Not now: ${item.name}, ${item.company}`,
      };
    case 'unsubscribed':
    case 'complained':
    case 'bounced':
      return {
        headline: `${who} wrote to you (${item.campaign}). They are ${item.statusLabel}: no campaign mail goes to them; answer only what they ask, personally.`,
        subject: `Reply: ${item.name}, ${item.company} (${item.statusLabel})`,
      };
    case 'referred':
      return {
        headline: `${who} replied (${item.campaign}) and points you to someone else: ${item.statusLabel}.`,
        subject: `Referral: ${item.name}, ${item.company}`,
      };
    default:
      return {
        headline: `${who} replied by email (${item.campaign}): reply to them.`,
        subject: `Replied: ${item.name}, ${item.company} — reply to them`,
      };
  }
}

export function replyNoteMessage(
  item: FollowUp,
  m: StoredInbound,
  address: { to: string; from: string },
  links: { dashboard: string },
  sameCompany: FollowUp[] = [],
): OutgoingMessage {
  const words = wordsFor(item, m, sameCompany);
  const quote = cleanQuote(reply(m).newText ?? '');
  const lines = [
    words.headline,
    '',
    ...(quote.length ? ['Their reply (new text only):', ...quote.map((l) => `> ${l}`), ''] : []),
    `Next: ${item.actionLabel}. ${item.suggestion}`,
    ...(item.contact ? [`Write to: ${item.contact}`] : []),
    '',
    `Open in the dashboard: ${links.dashboard}`,
  ];
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.45">
<p>${escapeHtml(words.headline)}</p>
${
  quote.length
    ? `<p>Their reply (new text only):</p><blockquote style="border-left:3px solid #ccc;margin:0;padding-left:12px">${quote.map((l) => escapeHtml(l)).join('<br>')}</blockquote>`
    : ''
}
<p>Next: ${escapeHtml(`${item.actionLabel}. ${item.suggestion}`)}</p>
${item.contact ? `<p>Write to: ${escapeHtml(item.contact)}</p>` : ''}
<p><a href="${escapeHtml(links.dashboard)}">Open in the dashboard</a></p>
</body></html>`;
  const key = `reply-note:${createHash('sha256').update(bareMessageId(m.messageId)).digest('hex').slice(0, 32)}`;
  return {
    ref: { campaign: item.campaign, touch: 'reply-note', partner: item.partnerId },
    idempotencyKey: key,
    from: reformatMailbox(address.from, 'the From of team notes'),
    to: reformatMailbox(address.to, 'the recipient'),
    subject: oneLine(words.subject).slice(0, 200),
    text: lines.join('\n'),
    html,
    headers: {},
    tags: [{ name: 'kind', value: 'reply-note' }],
  };
}

export interface ReplyOptions {
  now?: Date;
  transport?: Transport;
  env?: NotifyEnv & NodeJS.ProcessEnv;
}

/** The webhook a reply's effects call for: a decline, or a reply (a pause and a referral are replies). */
async function emitReply(store: Store, m: StoredInbound, effects: AppliedEffects, env: NodeJS.ProcessEnv) {
  // A colleague's or a referrer's reply is not the partner replying or declining.
  if (
    !m.campaign ||
    !m.partnerId ||
    m.matchKind === 'same-company' ||
    m.matchKind === 'referrer' ||
    effects.class !== 'reply'
  )
    return;
  const r = reply(m);
  const declined = r.intent === 'declined';
  await emit(
    store,
    declined ? 'partner.declined' : 'partner.replied',
    {
      campaign: m.campaign,
      partnerId: m.partnerId,
      at: m.receivedAt,
      source: 'inbox',
      intent: r.intent ?? 'conversation',
      reason: declined ? 'declined by email' : 'replied by email',
      inboundId: m.id,
      messageId: m.messageId,
      ...(r.until ? { until: r.until } : {}),
    },
    { env },
  );
}

/**
 * The inbox's hook (pipeline.ts `onOwnerNote`): the webhook, then the note to the owner. Returns
 * the note sent, or null (no partner, no address, already sent). Never throws for a failed send:
 * the reply is recorded either way, and the note's result says what happened.
 */
export async function notifyOwnerOfReply(
  store: Store,
  campaigns: FollowupCampaign[],
  m: StoredInbound,
  effects: AppliedEffects,
  options: ReplyOptions = {},
): Promise<{ message: OutgoingMessage; result: SendResult | undefined } | null> {
  const env = options.env ?? (process.env as NotifyEnv & NodeJS.ProcessEnv);
  await emitReply(store, m, effects, env);
  const ref =
    m.campaign && m.partnerId ? { campaign: m.campaign, partnerId: m.partnerId } : effects.partners[0];
  const campaign = ref && campaigns.find((c) => c.id === ref.campaign);
  if (!ref || !campaign) return null;
  const queue = await buildQueue(store, [campaign], options.now ? { now: options.now } : {});
  const item = queue.find((i) => i.partnerId === ref.partnerId);
  if (!item) return null;
  const referred = (m.detail.referred as { partnerId: string }[] | undefined) ?? [];
  const sameCompany =
    m.matchKind === 'same-company'
      ? queue.filter((i) => effects.partners.some((p) => p.partnerId === i.partnerId))
      : m.matchKind === 'referrer'
        ? queue.filter((i) => referred.some((p) => p.partnerId === i.partnerId))
        : [];
  const to = ownerAddress(item.owner, env);
  if (!to) return null;
  const dashboard = `${siteUrl(env)}${partnerPath(item.campaign, item.partnerId)}`;
  const message = replyNoteMessage(
    item,
    m,
    { to, from: fromAddress([campaign], env) },
    { dashboard },
    sameCompany,
  );
  const id = messageIdFor(message.idempotencyKey, message.from);
  if ((await store.findSentMessages([bareMessageId(id)])).length > 0) return null;
  message.headers['Message-ID'] = id;
  const [result] = await sendAll(options.transport ?? createTransport(env), [message]);
  // Team mail: a reply to this note is the owner's, never the partner's (inbox/match.ts).
  await rememberSent(store, message, result, { kind: 'note', campaign: item.campaign });
  return { message, result };
}

/** The inbox context's hook, for `aircover inbox sync` and the server's watch. */
export function replyNotifier(
  store: Store,
  campaigns: FollowupCampaign[],
  options: ReplyOptions & { log?: (line: string) => void } = {},
) {
  return async (m: StoredInbound, effects: AppliedEffects): Promise<void> => {
    try {
      const sent = await notifyOwnerOfReply(store, campaigns, m, effects, options);
      if (sent?.result && sent.result.status !== 'sent')
        options.log?.(`inbox: note to the owner about message ${m.id} not sent (${sent.result.status})`);
    } catch (error) {
      options.log?.(`inbox: note to the owner about message ${m.id} failed: ${String(error)}`);
    }
  };
}
