/**
 * Registration and the invitation emails: the confirmation (with the .ics attached), and the
 * updates a reschedule or a cancellation sends to everyone registered.
 *
 * `registerForWebinar` writes the one registration per person and webinar (the store keys it by
 * webinar and normalised email, so a second registration is the first one). `confirmRegistration`
 * is what both registration paths call after a new registration: the public page's endpoint
 * (src/pages/api/webinars/[slug]/register.ts) and the personal page's form (the collector).
 */
import { createHash } from 'node:crypto';
import { formatAddress, isEmailAddress } from '../email/address.ts';
import type { OutgoingMessage, SendResult, Transport } from '../email/message.ts';
import { refTags, tag } from '../email/message.ts';
import { fillLayout, layoutHtml } from '../email/render/layout.ts';
import { rememberSent, stampMessageId } from '../email/sent-ids.ts';
import { createTransport } from '../email/transport/index.ts';
import { escapeHtml, oneLine } from '../personalize/escape.ts';
import { normalizeEmail } from '../store/sql-shared.ts';
import type { ResponseSource, Store, StoredResponse } from '../store/types.ts';
import { formatInZone } from '../time/format.ts';
import { calendarLinks, type InvitationMethod, invitationIcs } from './ics.ts';
import {
  currentWebinar,
  invitationUid,
  type LoadOptions,
  loadWebinar,
  WebinarError,
  type WebinarInfo,
} from './schedule.ts';

export interface RegistrationInput {
  webinar: string;
  email: string;
  name?: string | null;
  company?: string | null;
  /** Set when the registrant is a campaign's partner (personal page, or matched by email). */
  campaign?: string | null;
  partnerId?: string | null;
  touch?: string | null;
  source: ResponseSource;
  occurredAt?: Date;
  data?: Record<string, unknown>;
}

export { isEmailAddress };

/**
 * One registration per person and webinar: a second one returns the first with `created: false`.
 * A registrant whose address belongs to a partner of the campaign running the webinar is linked
 * to that partner, so the follow-up queue sees it on their timeline.
 */
export async function registerForWebinar(
  store: Store,
  input: RegistrationInput,
  options: { webinarCampaign?: string | null } = {},
): Promise<{
  created: boolean;
  id: number;
  campaign: string | null;
  partnerId: string | null;
  timeZone: string | null;
  /** False: a partner's address registered without their token (verify.ts); null: not a partner. */
  verified: boolean | null;
}> {
  const email = normalizeEmail(input.email);
  if (!isEmailAddress(email)) throw new WebinarError(`not an email address: ${input.email}`);
  let campaign = input.campaign ?? null;
  let partnerId = input.partnerId ?? null;
  let timeZone: string | null = null;
  const partners = await store.findPartnersByEmail(email);
  const partner =
    (campaign && partnerId
      ? partners.find((p) => p.campaign === campaign && p.partnerId === partnerId)
      : undefined) ??
    partners.find((p) => p.campaign === options.webinarCampaign) ??
    (partners.length === 1 ? partners[0] : undefined);
  // Registering with the partner's token (their personal link) is verified; a partner's
  // address typed into the public form is not, until its mailbox confirms (verify.ts).
  const withToken = Boolean(input.campaign && input.partnerId);
  const verified = partner ? withToken : null;
  if (partner) {
    campaign ??= partner.campaign;
    partnerId ??= partner.partnerId;
    timeZone = partnerTimeZone(partner.data);
  }
  const result = await store.addResponse({
    kind: 'registration',
    webinar: input.webinar,
    email,
    name: input.name?.trim() || null,
    campaign,
    partnerId,
    touch: input.touch ?? null,
    source: input.source,
    ...(input.occurredAt ? { occurredAt: input.occurredAt } : {}),
    data: { ...(input.company ? { company: input.company.trim() } : {}), ...input.data },
    ...(verified === null ? {} : { verified }),
  });
  return { ...result, campaign, partnerId, timeZone, verified };
}

/** A partner's IANA zone from their stored data (`timeZone`, as partners-sync writes it). */
export function partnerTimeZone(data: Record<string, unknown> | undefined): string | null {
  const zone = data?.timeZone ?? data?.time_zone;
  return typeof zone === 'string' && zone ? zone : null;
}

export interface InvitationTarget {
  email: string;
  name?: string | null;
  campaign?: string | null;
  partnerId?: string | null;
  /** The registrant's IANA zone, when known: times are shown in it. */
  timeZone?: string | null;
  /** An unverified registration: the signed link that confirms it (verify.ts). */
  confirmUrl?: string | null;
}

export type InvitationKind = 'confirmation' | 'update' | 'cancellation';

const isZone = (zone: string | null | undefined): zone is string => {
  if (!zone) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

/** The start as the registrant reads it: in their zone when known, and in the event's zone. */
export function describeTime(webinar: WebinarInfo, zone?: string | null): string {
  const event = `${formatInZone(webinar.start, webinar.timeZone, webinar.locale)} (${webinar.timeZone})`;
  if (!isZone(zone) || zone === webinar.timeZone) return event;
  return `${formatInZone(webinar.start, zone, webinar.locale)} (${zone}); ${event}`;
}

const personKey = (email: string) =>
  createHash('sha256').update(normalizeEmail(email)).digest('hex').slice(0, 16);

/** The email (with its .ics) for one registrant. */
export async function invitationMessage(
  webinar: WebinarInfo,
  target: InvitationTarget,
  kind: InvitationKind,
  now = new Date(),
): Promise<OutgoingMessage> {
  const method: InvitationMethod = kind === 'cancellation' ? 'CANCEL' : 'REQUEST';
  const ics = invitationIcs(webinar, { email: target.email, name: target.name ?? null }, method, now);
  const links = calendarLinks(webinar);
  const when = describeTime(webinar, target.timeZone);
  const title = oneLine(webinar.title);
  const subject =
    kind === 'confirmation'
      ? `You're registered: ${title}`
      : kind === 'update'
        ? `New time: ${title}`
        : `Cancelled: ${title}`;
  const first = target.name?.trim().split(/\s+/)[0];
  const hello = `<p>${first ? `Hello ${escapeHtml(first)},` : 'Hello,'}</p>`;
  const a = (href: string, text: string) => `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`;
  const body =
    kind === 'cancellation'
      ? [
          hello,
          `<p>We are sorry: <strong>${escapeHtml(title)}</strong>, planned for ${escapeHtml(when)}, is cancelled. The attached update removes it from your calendar.</p>`,
          `<p>We will write when there is a new date. ${a(webinar.pageUrl, 'The webinar page')} has the latest.</p>`,
        ]
      : [
          hello,
          kind === 'confirmation'
            ? `<p>Your seat is saved for <strong>${escapeHtml(title)}</strong>.</p>`
            : `<p><strong>${escapeHtml(title)}</strong> has a new time. The attached invitation updates the event already in your calendar.</p>`,
          `<p><strong>When:</strong> ${escapeHtml(when)}, ${webinar.durationMinutes} minutes.</p>`,
          ...(target.confirmUrl && kind === 'confirmation'
            ? [
                `<p><strong>Was this you?</strong> ${a(target.confirmUrl, 'Confirm your registration')}, so we know the seat is yours. If you did not register, ignore this email.</p>`,
              ]
            : []),
          `<p><strong>Join:</strong> ${a(webinar.joinUrl, webinar.joinUrl)} (this link is for you; please do not forward it).</p>`,
          `<p><strong>Add to your calendar:</strong> ${a(links.google, 'Google')} · ${a(links.outlook, 'Outlook.com')} · ${a(links.office365, 'Office 365')} · Apple Calendar and others: open the attached <em>invite.ics</em>.</p>`,
          `<p>${a(webinar.pageUrl, 'About the webinar')}. Everyone who registers receives the recording afterwards.</p>`,
        ];
  const org = webinar.organizer;
  const footer = `<p>${escapeHtml(oneLine([org.company, org.postalAddress].filter(Boolean).join(' · ') || org.name))}</p><p>You receive this because ${escapeHtml(target.email)} registered for this webinar.</p>`;
  const layout = await layoutHtml(webinar.locale.split('-')[0] ?? 'en');
  const html = fillLayout(layout, {
    subject: escapeHtml(subject),
    preheader: escapeHtml(kind === 'cancellation' ? 'The webinar is cancelled.' : when),
    body: body.join(''),
    optOut: '',
    footer,
  });
  const text = [
    first ? `Hello ${first},` : 'Hello,',
    kind === 'cancellation'
      ? `We are sorry: ${title}, planned for ${when}, is cancelled. The attached update removes it from your calendar.\n\nThe webinar page has the latest: ${webinar.pageUrl}`
      : [
          kind === 'confirmation'
            ? `Your seat is saved for ${title}.`
            : `${title} has a new time; the attached invitation updates your calendar.`,
          `When: ${when}, ${webinar.durationMinutes} minutes.`,
          ...(target.confirmUrl && kind === 'confirmation'
            ? [
                `Was this you? Confirm your registration: ${target.confirmUrl} (if you did not register, ignore this email).`,
              ]
            : []),
          `Join: ${webinar.joinUrl} (this link is for you; please do not forward it).`,
          `Add to your calendar: Google ${links.google}\nOutlook.com ${links.outlook}\nApple Calendar and others: open the attached invite.ics.`,
          `About the webinar: ${webinar.pageUrl}`,
        ].join('\n\n'),
    `--\n${oneLine([org.company, org.postalAddress].filter(Boolean).join(' · ') || org.name)}`,
  ].join('\n\n');
  const campaign = target.campaign ?? webinar.campaign ?? `webinar-${webinar.slug}`;
  const partner = target.partnerId ?? `registrant-${personKey(target.email)}`;
  const touch =
    kind === 'confirmation' ? `${webinar.slug}-confirmation` : `${webinar.slug}-${kind}-${webinar.sequence}`;
  const ref = { campaign, touch, partner };
  const uid = invitationUid(webinar.slug, target.email);
  return {
    ref,
    idempotencyKey: `webinar-${kind}-${createHash('sha256').update(`${uid}:${webinar.sequence}`).digest('hex').slice(0, 24)}`,
    // Names are data: the formatter quotes them, so a name never adds a recipient (address.ts).
    from: formatAddress(org.name, org.email),
    to: formatAddress(target.name, target.email),
    replyTo: formatAddress(null, org.replyTo),
    subject,
    html,
    text,
    headers: {},
    tags: [...refTags(ref), tag('webinar', webinar.slug)],
    attachments: [
      {
        filename: 'invite.ics',
        content: ics,
        contentType: `text/calendar; charset=utf-8; method=${method}`,
      },
    ],
  };
}

export interface ConfirmDeps extends LoadOptions {
  store: Store;
  /** Default: `createTransport(process.env)` (Resend with a key, else the outbox). */
  transport?: Transport;
  /** The webinar already loaded (tests, the CLI); default: read from content/. */
  webinarInfo?: WebinarInfo;
  now?: Date;
}

/**
 * Sends one invitation email and remembers its Message-ID, so a reply to it threads to the
 * registrant's partner (a registrant who is no partner has none: matched by From, or unmatched).
 */
async function sendOne(
  store: Store,
  transport: Transport,
  message: OutgoingMessage,
  target: { campaign?: string | null; partnerId?: string | null },
): Promise<SendResult> {
  stampMessageId(message);
  for await (const result of transport.send([message])) {
    const partner = target.campaign && target.partnerId ? target : null;
    await rememberSent(store, message, result, {
      kind: 'confirmation',
      campaign: partner?.campaign ?? null,
      partnerId: partner?.partnerId ?? null,
    });
    return result;
  }
  throw new Error('the transport returned no result');
}

/** A confirmation that was not sent because the person said no (unsubscribed, bounced, complained). */
export interface SuppressedResult {
  status: 'suppressed';
  email: string;
}

/**
 * Sends the confirmation with the invitation attached to a new registrant, unless their address
 * is suppressed (a confirmation is a message to a person like any other: saying no wins). Returns
 * the send result; never throws for a failed send (the registration stands either way), only for
 * a webinar that does not exist.
 */
export async function confirmRegistration(
  target: InvitationTarget & { webinar: string },
  deps: ConfirmDeps,
): Promise<SendResult | SuppressedResult> {
  const base = deps.webinarInfo ?? loadWebinar(target.webinar, deps);
  const webinar = await currentWebinar(deps.store, base);
  if (webinar.status === 'cancelled') throw new WebinarError(`webinar "${webinar.slug}" is cancelled`);
  const email = normalizeEmail(target.email);
  if (await deps.store.isSuppressed(email)) return { status: 'suppressed', email };
  let zone = target.timeZone ?? null;
  if (!zone) {
    const partner = (await deps.store.findPartnersByEmail(target.email)).find(
      (p) => !target.campaign || p.campaign === target.campaign,
    );
    zone = partnerTimeZone(partner?.data);
  }
  const message = await invitationMessage(
    webinar,
    { ...target, email, timeZone: zone },
    'confirmation',
    deps.now,
  );
  return sendOne(deps.store, deps.transport ?? createTransport(process.env), message, target);
}

export interface UpdateReport {
  webinar: WebinarInfo;
  registrants: number;
  sent: number;
  failed: { email: string; error: string }[];
  suppressed: string[];
}

/** Sends the current schedule (an update, or a cancellation) to everyone registered. */
export async function notifyRegistrants(
  store: Store,
  webinar: WebinarInfo,
  kind: 'update' | 'cancellation',
  options: { transport?: Transport; now?: Date; onResult?: (r: SendResult, email: string) => void } = {},
): Promise<UpdateReport> {
  const registrations: StoredResponse[] = await store.listResponses({
    webinar: webinar.slug,
    kind: 'registration',
  });
  const emails = registrations.map((r) => r.email).filter((e): e is string => Boolean(e));
  const suppressed = await store.suppressedAmong(emails);
  const zones = new Map<string, string>();
  for (const r of registrations) {
    if (!r.email) continue;
    const partner = (await store.findPartnersByEmail(r.email)).find(
      (p) => !r.campaign || p.campaign === r.campaign,
    );
    const z = partnerTimeZone(partner?.data);
    if (z) zones.set(r.email, z);
  }
  const transport = options.transport ?? createTransport(process.env);
  const report: UpdateReport = {
    webinar,
    registrants: registrations.length,
    sent: 0,
    failed: [],
    suppressed: [],
  };
  for (const r of registrations) {
    if (!r.email) continue;
    if (suppressed.has(normalizeEmail(r.email))) {
      report.suppressed.push(r.email);
      continue;
    }
    const message = await invitationMessage(
      webinar,
      {
        email: r.email,
        name: r.name,
        campaign: r.campaign,
        partnerId: r.partnerId,
        timeZone: zones.get(r.email) ?? null,
      },
      kind,
      options.now,
    );
    const result = await sendOne(store, transport, message, r);
    options.onResult?.(result, r.email);
    if (result.status === 'sent') report.sent += 1;
    else report.failed.push({ email: r.email, error: result.error.message });
    if (result.status === 'stopped') break;
  }
  return report;
}
