/**
 * What the marketer records about a partner, from the terminal (`aircover mark`) or the dashboard
 * (the partner page's forms): one code path, so both write the same rows.
 *
 * Every action is a response (src/lib/store/types.ts), which the one partner state reads
 * (state/status.ts, state/derive.ts):
 * - an outcome: replied/met/called make the partner `in-conversation` (follow-ups and referrer
 *   nudges stop), not-interested makes them `declined` (every touch of the campaign stops);
 * - a note: on the timeline, nothing else;
 * - a pause: a `not-now` until a date (the partner's own "not now" uses the same kind);
 * - a resume: `resume`, which ends a pause running when it was recorded;
 * - a hand-off: `handoff` with `data.owner`, the owner every view and note uses from then on.
 * Each row says who did it (`data.by`) and where (`source`: `cli` or `dashboard`).
 *
 * Idempotent: the dashboard keys a row by its form's nonce (a double submit records once); the
 * terminal by the day (in the campaign's zone) and a hash of the note, so the same outcome with
 * the same note on the same day is one outcome (`mark:<campaign>:<partner>:<kind>:<day>:<hash>`):
 * running `aircover mark` twice by mistake records it once.
 */
import { createHash, randomUUID } from 'node:crypto';
import { emit } from '../hooks/emit.ts';
import { cleanText as cleanInput, cleanLine } from '../input/clean.ts';
import type { ResponseInput, ResponseKind, Store } from '../store/types.ts';
import { type FollowupCampaign, markOutcomes } from './model.ts';

export { markOutcomes };
export type MarkOutcome = (typeof markOutcomes)[number];

export type PartnerAction =
  | { kind: 'outcome'; outcome: MarkOutcome; note?: string | undefined }
  | { kind: 'note'; text: string }
  | { kind: 'pause'; until: Date; note?: string | undefined }
  | { kind: 'resume'; note?: string | undefined }
  | { kind: 'handoff'; owner: string; note?: string | undefined };

export const actionKinds = ['outcome', 'note', 'pause', 'resume', 'handoff'] as const;

export interface ActionInput {
  /** A partner id, or an email address (matches every campaign the person is in). */
  partner: string;
  action: PartnerAction;
  /** Only this campaign; needed when a partner id exists in several campaigns. */
  campaign?: string | undefined;
  /** Who did it: the dashboard's signed-in name, or the terminal's user. */
  by: string;
  source: 'cli' | 'dashboard';
  at?: Date | undefined;
  /**
   * Makes a repeat harmless: the dashboard passes its form's nonce, so a double submit records
   * once. Default: a fresh one per call.
   */
  nonce?: string | undefined;
  /** Find the partners and check the action, write nothing (aircover mark --dry-run). */
  dryRun?: boolean | undefined;
}

export interface MarkInput {
  partner: string;
  outcome: MarkOutcome;
  note?: string | undefined;
  campaign?: string | undefined;
  at?: Date | undefined;
  by?: string | undefined;
  /** Find the partners and write nothing (aircover mark --dry-run). */
  dryRun?: boolean | undefined;
}

export interface MarkResult {
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

export const NOTE_MAX = 2000;
export const OWNER_MAX = 120;

/** Text a person typed, cleaned by the one input cleaner (src/lib/input/clean.ts), trimmed, bounded. */
export function cleanText(value: string, max: number, what: string): string {
  const clean = cleanInput(value).trim();
  if (clean.length > max) throw new MarkError(`${what} is longer than ${max} characters`);
  return clean;
}

/** One line (an owner, a name): as `cleanText`, line breaks and runs of spaces become one space. */
export function cleanName(value: string, max: number, what: string): string {
  return cleanText(cleanLine(value), max, what).replace(/\s+/g, ' ');
}

function rowFor(action: PartnerAction, now: Date): Pick<ResponseInput, 'kind' | 'text' | 'until' | 'data'> {
  const note = (text: string | undefined) => (text ? cleanText(text, NOTE_MAX, 'the note') || null : null);
  switch (action.kind) {
    case 'outcome':
      if (!markOutcomes.includes(action.outcome))
        throw new MarkError(`unknown outcome "${action.outcome}" (use ${markOutcomes.join(', ')})`);
      return { kind: action.outcome as ResponseKind, text: note(action.note) };
    case 'note': {
      const text = note(action.text);
      if (!text) throw new MarkError('the note is empty');
      return { kind: 'note', text };
    }
    case 'pause':
      if (Number.isNaN(action.until.getTime())) throw new MarkError('the pause needs a valid date');
      if (action.until.getTime() <= now.getTime()) throw new MarkError('the pause must end in the future');
      return { kind: 'not-now', text: note(action.note), until: action.until };
    case 'resume':
      return { kind: 'resume', text: note(action.note) };
    case 'handoff': {
      const owner = cleanName(action.owner, OWNER_MAX, 'the owner');
      if (!owner) throw new MarkError('the new owner is empty');
      return { kind: 'handoff', text: note(action.note), data: { owner } };
    }
    default:
      throw new MarkError('unknown action');
  }
}

/** The partners an id or address names, in the given campaign or all. */
export function resolvePartners(
  campaigns: FollowupCampaign[],
  partner: string,
  campaign?: string,
): { campaign: string; partnerId: string }[] {
  const key = partner.trim().toLowerCase();
  const pool = campaign ? campaigns.filter((c) => c.id === campaign) : campaigns;
  if (campaign && pool.length === 0) throw new MarkError(`no campaign "${campaign}"`);
  const matches = pool.flatMap((c) =>
    c.partners
      .filter((p) => p.id === partner || p.email.trim().toLowerCase() === key)
      .map((p) => ({ campaign: c.id, partnerId: p.id })),
  );
  if (matches.length === 0)
    throw new MarkError(`no partner "${partner}"${campaign ? ` in ${campaign}` : ''}`);
  if (!key.includes('@') && matches.length > 1)
    throw new MarkError(
      `partner id "${partner}" is in several campaigns (${matches.map((m) => m.campaign).join(', ')}): pass --campaign`,
    );
  return matches;
}

/** Record one action for the partner(s) named; announces replies and declines (hooks/). */
export async function recordAction(
  store: Store,
  campaigns: FollowupCampaign[],
  input: ActionInput,
): Promise<MarkResult> {
  const at = input.at ?? new Date();
  const row = rowFor(input.action, at);
  const by = cleanName(input.by.slice(0, OWNER_MAX), OWNER_MAX, 'who did it') || 'unknown';
  const matches = resolvePartners(campaigns, input.partner, input.campaign);
  const noteHash = createHash('sha256')
    .update(row.text ?? '')
    .digest('base64url')
    .slice(0, 16);
  const nonceFor = (campaign: string) => {
    if (input.nonce) return input.nonce;
    if (input.source === 'dashboard') return randomUUID();
    const zone = campaigns.find((c) => c.id === campaign)?.timeZone ?? 'UTC';
    const extra = row.until
      ? `:${new Date(row.until).toISOString()}`
      : typeof row.data?.owner === 'string'
        ? `:${row.data.owner}`
        : '';
    return `${dayIn(at, zone)}:${noteHash}${extra}`;
  };
  const marked: MarkResult['marked'] = [];
  for (const m of matches) {
    if (input.dryRun) {
      marked.push({ ...m, id: 0, created: false });
      continue;
    }
    const { id, created } = await store.addResponse({
      ...row,
      idempotencyKey: `${input.source === 'dashboard' ? 'dash' : 'mark'}:${m.campaign}:${m.partnerId}:${row.kind}:${nonceFor(m.campaign)}`,
      campaign: m.campaign,
      partnerId: m.partnerId,
      source: input.source,
      occurredAt: at,
      data: { ...(row.data ?? {}), by },
    });
    marked.push({ ...m, id, created });
    if (!created) continue;
    const hook =
      row.kind === 'replied' ? 'partner.replied' : row.kind === 'not-interested' ? 'partner.declined' : null;
    if (hook)
      await emit(store, hook, {
        campaign: m.campaign,
        partnerId: m.partnerId,
        at: at.toISOString(),
        source: input.source,
        by,
        ...(row.text ? { note: row.text } : {}),
      });
  }
  return { marked };
}

/** Who is acting at the terminal: AIRCOVER_USER, else the login name, else "cli". */
export function cliIdentity(env: NodeJS.ProcessEnv = process.env): string {
  return env.AIRCOVER_USER ?? env.USER ?? 'cli';
}

/** `aircover mark`: an outcome, through the same path as the dashboard. */
export async function markOutcome(
  store: Store,
  campaigns: FollowupCampaign[],
  input: MarkInput,
): Promise<MarkResult> {
  return recordAction(store, campaigns, {
    partner: input.partner,
    campaign: input.campaign,
    action: { kind: 'outcome', outcome: input.outcome, note: input.note },
    by: input.by ?? cliIdentity(),
    source: 'cli',
    at: input.at,
    dryRun: input.dryRun,
  });
}
