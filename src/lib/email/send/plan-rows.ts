/**
 * What a send plan says about each partner: the categories a row can fall in, and the row. Its
 * own file, since the planner (plan.ts) and the referrer notes' planning (plan-notes.ts) both
 * build rows.
 */

import type { Partner } from '../../campaign/partners.ts';
import type { LedgerEntry } from '../../store/index.ts';

export const planCategories = [
  'send',
  'retry',
  'in-flight',
  'sent',
  'failed',
  'suppressed',
  'declined',
  'left-company',
  'paused',
  'replied',
  'responded',
  'no-referrer',
  'outside-audience',
  'webinar-cancelled',
  'scheduled',
  'covered',
  'after-note',
] as const;
export type PlanCategory = (typeof planCategories)[number];

export interface PlanRow {
  partner: Partner;
  category: PlanCategory;
  /** The address the message goes to (the referrer's for a referrer nudge). */
  recipient: string;
  /** `paused`: until when. */
  until?: Date;
  /** The ledger row as it was before this plan, if any. */
  ledger?: LedgerEntry;
  /** `send`: the key and content version this plan wrote (none when the plan is not written). */
  idempotencyKey?: string;
  contentVersion?: string;
  /** `failed`: the provider's last error. */
  error?: string;
  /** When the message is due for this partner: the touch's time moved into their send window. */
  dueAt: Date;
  /**
   * A referrer note (one per referrer per touch): the referrer's ledger key and the partners the
   * note covers (`partner` is the first of them). On a `covered` or `after-note` row: the key only.
   */
  note?: { key: string; covers: Partner[] };
}
