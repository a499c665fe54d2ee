/**
 * Whose message is it? In order: the thread (In-Reply-To, References, a report's copy of our
 * message) against the Message-IDs we sent; the From address (or a bounce's failed recipient)
 * against partners, gatekeepers and referrers, case-insensitive and without plus tags, or a
 * display name at the same domain; the domain against the partners' domains, flagged "same
 * company, another person". Free-mail domains never match a company.
 *
 * A message answering only the team's own mail (a hot or reply note, the digest: kinds with no
 * partner) is the team's: it is matched as `team` and never falls through to the From address,
 * so an owner who answers a note, or forwards it, is not taken for a prospect who replied.
 */
import type { FollowupCampaign } from '../followup/model.ts';
import { normalizeEmail } from '../store/sql-shared.ts';
import type { MatchKind, SentMessageKind, Store } from '../store/types.ts';
import type { Classification } from './classify/index.ts';
import type { ParsedMessage } from './parse.ts';

export interface PartnerRef {
  campaign: string;
  partnerId: string;
}

export interface Match extends PartnerRef {
  kind: Exclude<MatchKind, 'team'>;
  /** For a thread match: what kind of message was answered (a touch, a note to the owner...). */
  sentKind?: SentMessageKind;
  /** For `same-company`: every partner at that company (the same-company rule acts on them). */
  company?: PartnerRef[];
  /**
   * For `referrer`: every partner of the campaign this referrer introduced (their address in
   * partners.csv), in partners.csv order. The referrer answering is not any of them answering.
   */
  referred?: PartnerRef[];
  /** The address that matched. */
  address: string;
}

interface Person extends PartnerRef {
  role: 'partner' | 'gatekeeper' | 'referrer';
  name: string;
  /** Their address as a key (`addressKey`). */
  address: string;
}

/** A reply to the team's own mail: no partner, no effects. */
export interface TeamMatch {
  kind: 'team';
  sentKind: SentMessageKind;
  address: string;
}

/**
 * What a message tied to no partner is shown as, everywhere (the dashboard's inbox, `inbox
 * classify`, a dry-run sync): "team" when it answers the team's own mail, else "unmatched".
 * `kind`: the match's kind, live or as stored (`matchKind`).
 */
export function unmatchedLabel(kind: string | null | undefined): 'team' | 'unmatched' {
  return kind === 'team' ? 'team' : 'unmatched';
}

/** Kinds of sent mail that go to the team, not to a partner. */
const teamKinds: ReadonlySet<SentMessageKind> = new Set<SentMessageKind>(['hot-note', 'note', 'digest']);

/** Who is who, built once from the campaigns: addresses, names by domain, partners by domain. */
export interface Directory {
  byAddress: Map<string, Person[]>;
  byDomainName: Map<string, Person[]>;
  partnersByDomain: Map<string, PartnerRef[]>;
  /** `campaign|touch` of every referrer-nudge touch: its mail went to the partner's referrer. */
  referrerTouches: Set<string>;
  /** `campaign|partnerId` to the partner's referrer (and the partner's own address key). */
  referrerOf: Map<string, { referrer: Person; partnerAddress: string }>;
}

/** Free-mail and big-provider domains: two people there are not colleagues. */
const freemail = new Set([
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'hotmail.com',
  'live.com',
  'msn.com',
  'yahoo.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'aol.com',
  'gmx.de',
  'gmx.net',
  'web.de',
  't-online.de',
  'proton.me',
  'protonmail.com',
  'mail.com',
  'yandex.com',
  'orange.fr',
  'free.fr',
  'libero.it',
  'hey.com',
  'fastmail.com',
  'zoho.com',
  'qq.com',
  '163.com',
]);

/** An address as a key: lower case, and `ann+news@x` is `ann@x`. */
export function addressKey(email: string): string {
  const e = normalizeEmail(email);
  const at = e.lastIndexOf('@');
  if (at < 0) return e;
  const local = e.slice(0, at).split('+')[0] ?? '';
  return `${local}@${e.slice(at + 1)}`;
}

export const domainOf = (email: string) => normalizeEmail(email).split('@').at(-1) ?? '';
const nameKey = (name: string) =>
  name.normalize('NFKC').toLowerCase().replace(/["'’]/g, '').replace(/\s+/g, ' ').trim();

export function buildDirectory(campaigns: FollowupCampaign[]): Directory {
  const dir: Directory = {
    byAddress: new Map(),
    byDomainName: new Map(),
    partnersByDomain: new Map(),
    referrerTouches: new Set(),
    referrerOf: new Map(),
  };
  const push = <K, V>(map: Map<K, V[]>, key: K, value: V) => {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  };
  for (const c of campaigns) {
    for (const t of c.touches) if (t.kind === 'referrer-nudge') dir.referrerTouches.add(`${c.id}|${t.id}`);
    for (const p of c.partners) {
      const ref = { campaign: c.id, partnerId: p.id };
      const people: (Omit<Person, 'address'> & { email: string })[] = [
        {
          ...ref,
          role: 'partner',
          name: [p.firstName, p.lastName].filter(Boolean).join(' '),
          email: p.email,
        },
        ...p.gatekeepers
          .filter((g) => g.email)
          .map((g) => ({ ...ref, role: 'gatekeeper' as const, name: g.name, email: g.email ?? '' })),
        ...(p.referrer
          ? [{ ...ref, role: 'referrer' as const, name: p.referrer.name, email: p.referrer.email }]
          : []),
      ];
      for (const person of people) {
        const { email, ...rest } = person;
        const who: Person = { ...rest, address: addressKey(email) };
        push(dir.byAddress, who.address, who);
        if (who.role === 'referrer')
          dir.referrerOf.set(`${c.id}|${p.id}`, { referrer: who, partnerAddress: addressKey(p.email) });
        if (who.name) push(dir.byDomainName, `${domainOf(email)}|${nameKey(who.name)}`, who);
      }
      const domain = domainOf(p.email);
      if (domain && !freemail.has(domain)) push(dir.partnersByDomain, domain, ref);
    }
  }
  return dir;
}

const roleKind: Record<Person['role'], Match['kind']> = {
  partner: 'from',
  gatekeeper: 'gatekeeper',
  referrer: 'referrer',
};

/** The partners of `campaign` whose referrer has the address `key`, in partners.csv order. */
function referredBy(dir: Directory, campaign: string, key: string): PartnerRef[] {
  return (dir.byAddress.get(key) ?? [])
    .filter((p) => p.role === 'referrer' && p.campaign === campaign)
    .map((p) => ({ campaign: p.campaign, partnerId: p.partnerId }));
}

/** A person's match: a referrer's names every partner they introduced in that campaign. */
function personMatch(dir: Directory, person: Person, address: string): Match {
  const ref = { campaign: person.campaign, partnerId: person.partnerId };
  if (person.role !== 'referrer') return { ...ref, kind: roleKind[person.role], address };
  const referred = referredBy(dir, person.campaign, person.address);
  return { ...ref, kind: 'referrer', referred, address };
}

/**
 * The one label of a match, everywhere it is shown (`inbox classify`, `inbox list`, the
 * dashboard's inbox): the kind, and for a referrer whose partners they introduced ("referrer of
 * ann, bob"), so nobody reads the referrer's answer as the partner's.
 */
export function matchLabel(kind: string | null | undefined, referred?: readonly PartnerRef[] | null): string {
  if (kind === 'referrer' && referred?.length)
    return `referrer of ${referred.map((r) => r.partnerId).join(', ')}`;
  return kind ?? '';
}

/** The partner an inbound message belongs to, the team's, or null (kept and listed as unmatched). */
export async function matchMessage(
  store: Store | null,
  dir: Directory,
  message: ParsedMessage,
  c: Classification,
): Promise<Match | TeamMatch | null> {
  if (store && c.threadIds.length) {
    const sent = await store.findSentMessages(c.threadIds);
    // Our own touch to a partner first, then anything else sent to a partner (a confirmation).
    const best =
      sent.find((s) => s.partnerId && s.kind === 'touch') ??
      sent.find((s) => s.partnerId && !teamKinds.has(s.kind));
    if (best?.campaign && best.partnerId) {
      // A referrer note (recorded under its first covered partner) went to the referrer: whoever
      // answers it is the referrer, not the partner. Told by the touch (a referrer-nudge goes to
      // the referrer: followup/state `recipientOf`) or by the recipient being that referrer.
      const referred = dir.referrerOf.get(`${best.campaign}|${best.partnerId}`);
      const sentTo = addressKey(best.recipient);
      if (
        referred &&
        ((best.touch && dir.referrerTouches.has(`${best.campaign}|${best.touch}`)) ||
          (referred.referrer.address === sentTo && referred.partnerAddress !== sentTo))
      )
        return {
          ...personMatch(dir, referred.referrer, message.from?.email ?? best.recipient),
          sentKind: best.kind,
        };
      return {
        campaign: best.campaign,
        partnerId: best.partnerId,
        kind: 'thread',
        sentKind: best.kind,
        address: best.recipient,
      };
    }
    const team = sent.find((s) => teamKinds.has(s.kind));
    if (team) return { kind: 'team', sentKind: team.kind, address: message.from?.email ?? team.recipient };
  }
  // A report's "from" is a mailer daemon: the address it is about is the failed recipient.
  const address = c.bounce?.recipient ?? c.complaint?.recipient ?? message.from?.email ?? null;
  if (!address) return null;
  const people = dir.byAddress.get(addressKey(address));
  const person = people?.find((p) => p.role === 'partner') ?? people?.[0];
  if (person) return personMatch(dir, person, address);
  if (c.bounce || c.complaint) return null;
  const domain = domainOf(address);
  const name = message.from?.name ? nameKey(message.from.name) : '';
  const named = name ? dir.byDomainName.get(`${domain}|${name}`)?.[0] : undefined;
  if (named) return personMatch(dir, named, address);
  const company = dir.partnersByDomain.get(domain);
  const first = company?.[0];
  if (company && first) return { ...first, kind: 'same-company', company, address };
  return null;
}
