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
  /** The address that matched. */
  address: string;
}

interface Person extends PartnerRef {
  role: 'partner' | 'gatekeeper' | 'referrer';
  name: string;
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
  const dir: Directory = { byAddress: new Map(), byDomainName: new Map(), partnersByDomain: new Map() };
  const push = <K, V>(map: Map<K, V[]>, key: K, value: V) => {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  };
  for (const c of campaigns) {
    for (const p of c.partners) {
      const ref = { campaign: c.id, partnerId: p.id };
      const people: (Person & { email: string })[] = [
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
        const { email, ...who } = person;
        push(dir.byAddress, addressKey(email), who);
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
    if (best?.campaign && best.partnerId)
      return {
        campaign: best.campaign,
        partnerId: best.partnerId,
        kind: 'thread',
        sentKind: best.kind,
        address: best.recipient,
      };
    const team = sent.find((s) => teamKinds.has(s.kind));
    if (team) return { kind: 'team', sentKind: team.kind, address: message.from?.email ?? team.recipient };
  }
  // A report's "from" is a mailer daemon: the address it is about is the failed recipient.
  const address = c.bounce?.recipient ?? c.complaint?.recipient ?? message.from?.email ?? null;
  if (!address) return null;
  const people = dir.byAddress.get(addressKey(address));
  const person = people?.find((p) => p.role === 'partner') ?? people?.[0];
  if (person)
    return { campaign: person.campaign, partnerId: person.partnerId, kind: roleKind[person.role], address };
  if (c.bounce || c.complaint) return null;
  const domain = domainOf(address);
  const name = message.from?.name ? nameKey(message.from.name) : '';
  const named = name ? dir.byDomainName.get(`${domain}|${name}`)?.[0] : undefined;
  if (named)
    return { campaign: named.campaign, partnerId: named.partnerId, kind: roleKind[named.role], address };
  const company = dir.partnersByDomain.get(domain);
  const first = company?.[0];
  if (company && first) return { ...first, kind: 'same-company', company, address };
  return null;
}
