/**
 * One note per referrer: a referrer-nudge touch writes each referrer ONE message covering every
 * silent partner they introduced, however many partners.csv rows name them.
 *
 * Who is in a note is decided partner by partner exactly as for any touch (the one state module's
 * flags through `touchDecision`); this file only groups the partners the plan would send to by
 * their referrer's address, so the audience never has a second mapping.
 *
 * The ledger holds one row per referrer per touch: its partner_id is `referrerKey(address)` (no
 * partners.csv id can look like it: ids never contain a colon) and `covers` lists the partners
 * the note speaks of. Each covered partner's own row is `skipped` with `in the note to <key>`.
 * A rerun finds the referrer's row and sends nothing again. A partner who joins the group after
 * the note was attempted (they went silent later, or were added to the CSV) is not worth a second
 * note in the same touch: their row says so (`after-note`), and the next referrer touch covers them.
 */
import { createHash } from 'node:crypto';
import type { Partner } from '../../campaign/partners.ts';
import { normalizeEmail } from '../../store/index.ts';

const PREFIX = 'referrer:';

/** The ledger's partner_id for a referrer's note: stable per address, never a partner id. */
export function referrerKey(email: string): string {
  return `${PREFIX}${createHash('sha256').update(normalizeEmail(email)).digest('hex').slice(0, 16)}`;
}

export function isReferrerKey(partnerId: string): boolean {
  return partnerId.startsWith(PREFIX);
}

export interface ReferrerGroup {
  key: string;
  /** The referrer's address as partners.csv writes it first. */
  recipient: string;
  /** The referrer as the first of these rows names them (name, email, relationship). */
  referrer: NonNullable<Partner['referrer']>;
  /** In partners.csv order; the first is the note's `partner` in the template. */
  partners: Partner[];
}

/** Groups partners by their referrer's normalised address, keeping partners.csv order. */
export function groupByReferrer(partners: readonly Partner[]): ReferrerGroup[] {
  const groups = new Map<string, ReferrerGroup>();
  for (const partner of partners) {
    if (!partner.referrer) continue;
    const key = referrerKey(partner.referrer.email);
    const group = groups.get(key);
    if (group) group.partners.push(partner);
    else
      groups.set(key, {
        key,
        recipient: partner.referrer.email,
        referrer: partner.referrer,
        partners: [partner],
      });
  }
  return [...groups.values()];
}

/** The skip reason a covered partner's own row carries. */
export function coveredReason(key: string): string {
  return `in the note to ${key}`;
}
