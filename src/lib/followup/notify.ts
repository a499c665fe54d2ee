/**
 * Notes to the team through the same transports as the campaign (outbox by default, Resend with
 * RESEND_API_KEY): the daily digest, and an immediate note to a partner's owner when the partner
 * turns hot (speed wins: the collector calls `notifyOwnerOfHotPartner`).
 */
import { formatAddress, parseMailbox, reformatMailbox } from '../email/address.ts';
import type { OutgoingMessage, SendResult, Transport } from '../email/message.ts';
import { sendAll } from '../email/message.ts';
import { rememberSent, stampMessageId } from '../email/sent-ids.ts';
import { createTransport, type TransportEnv } from '../email/transport/index.ts';
import { emit } from '../hooks/emit.ts';
import { siteUrl } from '../personalize/links.ts';
import type { Store } from '../store/types.ts';
import { dayKey, formatDate, formatShort } from '../time/format.ts';
import { partnerPath } from './links.ts';
import type { FollowUp, FollowupCampaign } from './model.ts';
import { buildQueue } from './queue.ts';
import { dueTodayTest } from './rules.ts';
import { type TeamClock, teamClock } from './team-clock.ts';

export interface NotifyEnv extends TransportEnv {
  /** Where the digest goes (and hot notes when an owner has no address). */
  AIRCOVER_TEAM_EMAIL?: string | undefined;
  /** Owners' addresses: `maren=maren@example.com,tomas=tomas@example.com`. */
  AIRCOVER_OWNER_EMAILS?: string | undefined;
  /** From address of team notes; default the campaign's sender. */
  AIRCOVER_NOTIFY_FROM?: string | undefined;
  /** The public site's address: hot notes link the partner's dashboard page under it. */
  AIRCOVER_SITE_URL?: string | undefined;
}

export interface DigestData {
  since: string;
  now: string;
  /** The team's zone and locale (the first campaign's): "today" is its day, times read in it. */
  timeZone: string;
  locale: string;
  /** Today in that zone, `2026-12-02`. */
  today: string;
  /** Partners whose mail the inbox read and who wait for us: a reply, a referral, a left notice. */
  wroteBack: FollowUp[];
  hot: FollowUp[];
  dueToday: FollowUp[];
  registrations: { campaign: string; name: string; email: string; webinar: string | null; at: string }[];
  feedback: {
    campaign: string;
    name: string;
    company: string;
    text: string;
    rating: number | null;
    consentToQuote: boolean;
    at: string;
  }[];
}

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** Statuses the inbox sets that wait for a person: the digest lists them first. */
const wroteBack: ReadonlySet<string> = new Set(['replied', 'referred', 'left-company']);

/** Hot partners since `since` (default 24 hours ago), follow-ups due today, new registrations and feedback. */
export async function buildDigest(
  store: Store,
  campaigns: FollowupCampaign[],
  options: { now?: Date; since?: Date } = {},
): Promise<DigestData> {
  const now = options.now ?? new Date();
  const since = (options.since ?? new Date(now.getTime() - 86_400_000)).toISOString();
  const queue = await buildQueue(store, campaigns, { now });
  const { timeZone: tz, locale } = teamClock(campaigns);
  const partnerOf = new Map(campaigns.flatMap((c) => c.partners.map((p) => [`${c.id}/${p.id}`, p] as const)));
  const registrations: DigestData['registrations'] = [];
  const feedback: DigestData['feedback'] = [];
  for (const c of campaigns) {
    for (const r of await store.listResponses({ campaign: c.id, kind: ['registration', 'feedback'] })) {
      if (r.occurredAt < since) continue;
      const p = partnerOf.get(`${c.id}/${r.partnerId ?? ''}`);
      const name = p ? `${p.firstName} ${p.lastName ?? ''}`.trim() : (r.name ?? r.email ?? '?');
      if (r.kind === 'registration')
        registrations.push({
          campaign: c.id,
          name,
          email: r.email ?? p?.email ?? '',
          webinar: r.webinar,
          at: r.occurredAt,
        });
      else
        feedback.push({
          campaign: c.id,
          name,
          company: p?.company ?? '',
          text: r.text ?? '',
          rating: r.rating,
          consentToQuote: Boolean(r.consentToQuote),
          at: r.occurredAt,
        });
    }
  }
  const isDue = dueTodayTest(now, tz);
  return {
    since,
    now: now.toISOString(),
    timeZone: tz,
    locale,
    today: dayKey(now, tz),
    wroteBack: queue.filter((i) => wroteBack.has(i.status)),
    hot: queue.filter((i) => i.hot && i.hotAt !== null && i.hotAt >= since),
    dueToday: queue.filter((i) => isDue(i) && i.action !== 'hold'),
    registrations,
    feedback,
  };
}

function itemOf(i: FollowUp, data: DigestData): string {
  const due = i.due ? `, due ${formatShort(i.due, data.timeZone, data.locale)}` : '';
  return `${i.company} (${i.name}, ${i.campaign}) — ${i.actionLabel}${i.owner ? ` by ${i.owner}` : ''}${due}: ${i.reason}`;
}

export function digestMessage(data: DigestData, address: { to: string; from: string }): OutgoingMessage {
  // The day is the team's today, in its zone (an Auckland team's morning digest is already
  // tomorrow in UTC); it keys the message, so one digest per local day.
  const day = data.today;
  const title = `${formatDate(data.now, data.timeZone, data.locale)} (${data.timeZone})`;
  const itemLine = (i: FollowUp) => itemOf(i, data);
  const sections: [string, string[]][] = [
    ['Wrote back', (data.wroteBack ?? []).map((i) => `${itemLine(i)}\n    → ${i.suggestion}`)],
    ['Hot since yesterday', data.hot.map(itemLine)],
    ['Follow-ups due today', data.dueToday.map((i) => `${itemLine(i)}\n    → ${i.suggestion}`)],
    [
      'New registrations',
      data.registrations.map(
        (r) => `${r.name} <${r.email}> (${r.campaign}${r.webinar ? `, ${r.webinar}` : ''})`,
      ),
    ],
    [
      'New feedback',
      data.feedback.map(
        (f) =>
          `${f.name}, ${f.company} (${f.campaign})${f.rating ? ` ${f.rating}/5` : ''}${f.consentToQuote ? ' [may quote]' : ''}: "${f.text}"`,
      ),
    ],
  ];
  const text = [
    `aircover digest for ${title}`,
    '',
    ...sections.flatMap(([title, lines]) => [
      `${title} (${lines.length})`,
      ...(lines.length ? lines.map((l) => `  - ${l}`) : ['  none']),
      '',
    ]),
  ].join('\n');
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.45">
<h1 style="font-size:20px">aircover digest for ${escapeHtml(title)}</h1>
${sections
  .map(
    ([title, lines]) =>
      `<h2 style="font-size:16px">${escapeHtml(title)} (${lines.length})</h2>${
        lines.length
          ? `<ul>${lines.map((l) => `<li>${escapeHtml(l).replace(/\n/g, '<br>')}</li>`).join('')}</ul>`
          : '<p>none</p>'
      }`,
  )
  .join('\n')}
</body></html>`;
  return {
    ref: { campaign: 'team', touch: `digest-${day}`, partner: 'team' },
    idempotencyKey: `digest:${day}:${address.to}`,
    from: reformatMailbox(address.from, 'the From of team notes'),
    to: reformatMailbox(address.to, 'the recipient'),
    subject: `aircover: ${data.hot.length} hot, ${data.dueToday.length} due today (${day})`,
    html,
    text,
    headers: {},
    tags: [{ name: 'kind', value: 'digest' }],
  };
}

/**
 * The From of team notes, always with a name: AIRCOVER_NOTIFY_FROM as given ("Name <address>";
 * a bare address is named "aircover"), else the campaign sender as "Their Name via aircover".
 */
export function fromAddress(campaigns: FollowupCampaign[], env: NotifyEnv): string {
  if (env.AIRCOVER_NOTIFY_FROM) {
    const { name, address } = parseMailbox(env.AIRCOVER_NOTIFY_FROM, 'AIRCOVER_NOTIFY_FROM');
    return formatAddress(name || 'aircover', address);
  }
  const sender = campaigns.find((c) => c.sender)?.sender;
  if (!sender) throw new Error('no From address for team notes: set AIRCOVER_NOTIFY_FROM');
  return formatAddress(sender.name ? `${sender.name} via aircover` : 'aircover', sender.email);
}

export async function sendDigest(
  store: Store,
  campaigns: FollowupCampaign[],
  options: { to?: string; now?: Date; transport?: Transport; env?: NotifyEnv; dryRun?: boolean } = {},
): Promise<{ data: DigestData; message: OutgoingMessage; result: SendResult | undefined }> {
  const env = options.env ?? (process.env as NotifyEnv);
  const to = options.to ?? env.AIRCOVER_TEAM_EMAIL;
  if (!to) throw new Error('no recipient for the digest: pass --to or set AIRCOVER_TEAM_EMAIL');
  const data = await buildDigest(store, campaigns, options.now ? { now: options.now } : {});
  const message = digestMessage(data, { to, from: fromAddress(campaigns, env) });
  // A dry run (aircover digest --dry-run) builds the message and sends nothing.
  if (options.dryRun) return { data, message, result: undefined };
  const transport = options.transport ?? createTransport(env);
  stampMessageId(message);
  const [result] = await sendAll(transport, [message]);
  // Team mail: a reply to the digest names no partner (the inbox keeps it as the team's).
  await rememberSent(store, message, result, { kind: 'digest' });
  return { data, message, result };
}

/** The owner's address: an address in partners.csv, AIRCOVER_OWNER_EMAILS, else the team's. */
export function ownerAddress(owner: string | null, env: NotifyEnv): string | undefined {
  if (owner?.includes('@')) return owner;
  if (owner && env.AIRCOVER_OWNER_EMAILS) {
    for (const pair of env.AIRCOVER_OWNER_EMAILS.split(',')) {
      const [name, address] = pair.split('=').map((s) => s.trim());
      if (name && address && name.toLowerCase() === owner.toLowerCase()) return address;
    }
  }
  return env.AIRCOVER_TEAM_EMAIL || undefined;
}

export function hotNoteMessage(
  item: FollowUp,
  address: { to: string; from: string },
  now: Date,
  /** The campaign's zone and locale, which the note's time is written in; its dashboard page. */
  options: { clock: TeamClock; dashboard?: string },
): OutgoingMessage {
  const { clock, ...links } = options;
  const lines = [
    `${item.name} at ${item.company} just turned hot (${item.campaign}).`,
    '',
    `Why: ${item.reason}`,
    `Do: ${item.suggestion}`,
    `By: ${item.due ? formatShort(item.due, clock.timeZone, clock.locale) : 'today'} (one business day, ${clock.timeZone})`,
    `Write to: ${item.contact ?? item.email}`,
    ...(links.dashboard ? ['', `Open in the dashboard: ${links.dashboard}`] : []),
  ];
  return {
    ref: { campaign: item.campaign, touch: 'hot-note', partner: item.partnerId },
    // One a day, the team's day (the campaign's zone), as the collector's claim (engagement/hot.ts).
    idempotencyKey: `hot:${item.campaign}:${item.partnerId}:${dayKey(now, clock.timeZone)}`,
    from: reformatMailbox(address.from, 'the From of team notes'),
    to: reformatMailbox(address.to, 'the recipient'),
    subject: `Hot: ${item.name}, ${item.company} — follow up within a business day`,
    text: lines.join('\n'),
    html: `<!doctype html><html><body style="font-family:system-ui,sans-serif">${lines
      .map((l) => (l ? `<p>${escapeHtml(l)}</p>` : ''))
      .join('')}</body></html>`,
    headers: {},
    tags: [{ name: 'kind', value: 'hot-note' }],
  };
}

/**
 * An immediate note to the partner's owner when they turn hot. Returns null when the partner is
 * not hot (or has no owner address and no team address). Idempotent per partner and day: the
 * collector may call it on every qualifying event.
 */
export async function notifyOwnerOfHotPartner(
  store: Store,
  campaigns: FollowupCampaign[],
  ref: { campaign: string; partnerId: string },
  options: { now?: Date; transport?: Transport; env?: NotifyEnv } = {},
): Promise<{ message: OutgoingMessage; result: SendResult | undefined } | null> {
  const env = options.env ?? (process.env as NotifyEnv);
  const now = options.now ?? new Date();
  const campaign = campaigns.find((c) => c.id === ref.campaign);
  if (!campaign) return null;
  const queue = await buildQueue(store, [campaign], { now });
  const item = queue.find((i) => i.partnerId === ref.partnerId);
  if (!item?.hot) return null;
  const dashboard = `${siteUrl(env as NodeJS.ProcessEnv)}${partnerPath(item.campaign, item.partnerId)}`;
  await emit(
    store,
    'partner.hot',
    {
      campaign: item.campaign,
      partnerId: item.partnerId,
      owner: item.owner,
      reason: item.reason,
      hotAt: item.hotAt,
      dashboardUrl: dashboard,
    },
    { env: env as NodeJS.ProcessEnv },
  );
  const to = ownerAddress(item.owner, env);
  if (!to) return null;
  const message = hotNoteMessage(item, { to, from: fromAddress([campaign], env) }, now, {
    clock: teamClock([campaign]),
    dashboard,
  });
  const transport = options.transport ?? createTransport(env);
  stampMessageId(message);
  const [result] = await sendAll(transport, [message]);
  await rememberSent(store, message, result, { kind: 'hot-note', campaign: item.campaign });
  return { message, result };
}
