/**
 * Outcomes that happen off-line (a reply, a meeting, a call, a "not interested" on the phone) go
 * on the timeline as responses with source `cli`. They stop sequences through the audience rules:
 * replied/met/called make the partner `responded` (follow-ups and referrer nudges skip them),
 * not-interested makes them `declined` (every touch of the campaign skips them).
 *
 * Idempotent: the same outcome with the same note on the same day (in the campaign's zone) is
 * one outcome; its key is `mark:<campaign>:<partner>:<outcome>:<day>:<hash of the note>`, so
 * running `aircover mark` twice by mistake records it once.
 */
import { createHash } from 'node:crypto';
import type { Store } from '../store/types.ts';
import type { FollowupCampaign } from './model.ts';

export const markOutcomes = ['replied', 'met', 'called', 'not-interested'] as const;
export type MarkOutcome = (typeof markOutcomes)[number];

export interface MarkInput {
  /** A partner id, or an email address (matches every campaign the person is in). */
  partner: string;
  outcome: MarkOutcome;
  note?: string | undefined;
  /** Only this campaign; needed when a partner id exists in several campaigns. */
  campaign?: string | undefined;
  at?: Date | undefined;
  /** Find the partners and write nothing (aircover mark --dry-run). */
  dryRun?: boolean | undefined;
}

export interface MarkResult {
  /** `created: false`: the same outcome was already recorded that day with the same note. */
  marked: { campaign: string; partnerId: string; id: number; created: boolean }[];
}

/** The calendar day of `at` in `timeZone` (YYYY-MM-DD). */
function dayIn(at: Date, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }).format(at);
  } catch {
    return at.toISOString().slice(0, 10);
  }
}

export class MarkError extends Error {
  override name = 'MarkError';
}

export async function markOutcome(
  store: Store,
  campaigns: FollowupCampaign[],
  input: MarkInput,
): Promise<MarkResult> {
  if (!markOutcomes.includes(input.outcome))
    throw new MarkError(`unknown outcome "${input.outcome}" (use ${markOutcomes.join(', ')})`);
  const key = input.partner.trim().toLowerCase();
  const pool = input.campaign ? campaigns.filter((c) => c.id === input.campaign) : campaigns;
  if (input.campaign && pool.length === 0) throw new MarkError(`no campaign "${input.campaign}"`);
  const matches = pool.flatMap((c) =>
    c.partners
      .filter((p) => p.id === input.partner || p.email.trim().toLowerCase() === key)
      .map((p) => ({ campaign: c.id, partnerId: p.id, timeZone: c.timeZone })),
  );
  if (matches.length === 0)
    throw new MarkError(`no partner "${input.partner}"${input.campaign ? ` in ${input.campaign}` : ''}`);
  if (!key.includes('@') && matches.length > 1)
    throw new MarkError(
      `partner id "${input.partner}" is in several campaigns (${matches.map((m) => m.campaign).join(', ')}): pass --campaign`,
    );
  const at = input.at ?? new Date();
  const marked: MarkResult['marked'] = [];
  const note = createHash('sha256')
    .update((input.note ?? '').trim())
    .digest('base64url')
    .slice(0, 16);
  for (const { timeZone, ...m } of matches) {
    if (input.dryRun) {
      marked.push({ ...m, id: 0, created: false });
      continue;
    }
    const { id, created } = await store.addResponse({
      kind: input.outcome,
      idempotencyKey: `mark:${m.campaign}:${m.partnerId}:${input.outcome}:${dayIn(at, timeZone)}:${note}`,
      campaign: m.campaign,
      partnerId: m.partnerId,
      text: input.note ?? null,
      source: 'cli',
      occurredAt: at,
    });
    marked.push({ ...m, id, created });
  }
  return { marked };
}
