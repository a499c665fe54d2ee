/**
 * The one way a message comes in, whatever brought it (IMAP, Resend inbound, a file): parse,
 * classify, match, store once by Message-ID, apply its effects. A message seen again (a second
 * delivery, a re-read after a restart) is found by its Message-ID and changes nothing.
 */
import type { FollowupCampaign } from '../followup/model.ts';
import { cleanLine } from '../input/clean.ts';
import type { Store, StoredInbound } from '../store/types.ts';
import { type Classification, classify, detailOf } from './classify/index.ts';
import { type AppliedEffects, applyEffects } from './effects.ts';
import { buildDirectory, type Directory, matchMessage } from './match.ts';
import { type ParsedMessage, parseMessage } from './parse.ts';

export interface InboxContext {
  store: Store;
  campaigns: FollowupCampaign[];
  directory?: Directory;
  /**
   * Called once per new message whose effects want the owner told (a person's reply): the CLI and
   * the server's watch pass followup/reply-note.ts `replyNotifier` (the note and the webhooks).
   * Never on a re-read, a second delivery or a correction.
   */
  onOwnerNote?: (message: StoredInbound, effects: AppliedEffects) => Promise<void>;
}

export interface Ingested {
  id: number;
  created: boolean;
  message: StoredInbound;
  classification: Classification;
  effects: AppliedEffects | null;
}

export async function ingest(
  ctx: InboxContext,
  raw: Buffer | string,
  source: string,
  receivedAt?: Date,
): Promise<Ingested> {
  const parsed = await parseMessage(raw);
  return ingestParsed(ctx, parsed, source, receivedAt);
}

/** What a message is and whose it is: reads the store, writes nothing (a dry run stops here). */
export async function classifyAndMatch(ctx: InboxContext, parsed: ParsedMessage) {
  ctx.directory ??= buildDirectory(ctx.campaigns);
  const classification = classify(parsed);
  const match = await matchMessage(ctx.store, ctx.directory, parsed, classification);
  return { classification, match };
}

export async function ingestParsed(
  ctx: InboxContext,
  parsed: ParsedMessage,
  source: string,
  receivedAt?: Date,
): Promise<Ingested> {
  const { classification, match } = await classifyAndMatch(ctx, parsed);
  // A reply to the team's own mail (match kind `team`) is kept, tied to no partner.
  const partner = match && match.kind !== 'team' ? match : null;
  const { created, id } = await ctx.store.addInbound({
    messageId: parsed.messageId,
    source,
    fromEmail: parsed.from?.email ?? null,
    fromName: parsed.from?.name ?? null,
    subject: parsed.subject,
    class: classification.class,
    evidence: classification.evidence,
    detail: {
      ...detailOf(classification),
      ...(partner?.company ? { company: partner.company } : {}),
      ...(partner?.referred ? { referred: partner.referred } : {}),
      ...(match?.sentKind ? { sentKind: match.sentKind } : {}),
    },
    headers: parsed.headers,
    campaign: partner?.campaign ?? null,
    partnerId: partner?.partnerId ?? null,
    matchKind: match?.kind ?? null,
    receivedAt: receivedAt ?? parsed.date ?? new Date(),
  });
  const stored = await ctx.store.getInbound(id);
  if (!stored) throw new Error(`inbound message ${id} vanished`);
  // Effects are applied until recorded, so a crash between storing and applying is mended by
  // the next delivery or re-read; once recorded, applying again changes nothing.
  const firstTime = !(stored.effects as { class?: string }).class;
  const effects = firstTime ? await applyEffects(ctx.store, stored, ctx.campaigns) : null;
  if (effects?.notifyOwner && ctx.onOwnerNote) await ctx.onOwnerNote(stored, effects);
  return { id, created, message: stored, classification, effects };
}

/**
 * A person's correction: it wins, and the old class's effects are undone before the new ones.
 * The one path for `aircover inbox correct` and the dashboard's inbox forms; `by` is who did it.
 */
export async function correct(
  store: Store,
  campaigns: FollowupCampaign[],
  id: number,
  klass: StoredInbound['class'],
  by?: string,
): Promise<{ message: StoredInbound; effects: AppliedEffects } | null> {
  // A label people give themselves: one line, bounded, like the owner names of mark.ts.
  const who = by ? cleanLine(by).replace(/\s+/g, ' ').trim().slice(0, 120) : '';
  if (!(await store.correctInbound(id, klass, who || undefined))) return null;
  const message = await store.getInbound(id);
  if (!message) return null;
  const effects = await applyEffects(store, message, campaigns);
  return { message: (await store.getInbound(id)) ?? message, effects };
}
