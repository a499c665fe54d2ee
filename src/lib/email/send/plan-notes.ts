/**
 * The referrer notes of one referrer-nudge touch (see plan.ts and referrer-notes.ts): the partners
 * the per-partner decisions would send to, grouped into one ledger row per referrer.
 */
import type { Campaign, Touch } from '../../campaign/load.ts';
import type { Partner } from '../../campaign/partners.ts';
import type { LedgerEntry, PlanEntry } from '../../store/index.ts';
import { contentVersionOf, type RenderOptions } from '../render/index.ts';
import { idempotencyKeyFor } from './idempotency.ts';
import type { PlanCategory, PlanRow } from './plan-rows.ts';
import { coveredReason, groupByReferrer, isReferrerKey } from './referrer-notes.ts';

export interface NoteInputs {
  campaign: Campaign;
  touch: Touch;
  ledger: Map<string, LedgerEntry>;
  render: RenderOptions;
  now: Date;
}

export interface PlanOutputs {
  rows: PlanRow[];
  entries: PlanEntry[];
  toSkip: { key: string; reason: string }[];
  counts: Record<PlanCategory, number>;
}

/**
 * The referrer notes of one referrer-nudge touch: one row per referrer, keyed by the referrer's
 * address (referrer-notes.ts), covering the partners the per-partner decisions would send to.
 */
export async function planNotes(
  input: NoteInputs,
  toNote: { partner: Partner; dueAt: Date }[],
  out: PlanOutputs,
): Promise<void> {
  const { campaign, touch, ledger, render } = input;
  const dueOf = new Map(toNote.map((n) => [n.partner.id, n.dueAt]));
  const add = (row: PlanRow) => {
    out.rows.push(row);
    out.counts[row.category]++;
  };
  const skipMember = (partner: Partner, reason: string) =>
    out.entries.push({
      campaign: campaign.id,
      touch: touch.id,
      partnerId: partner.id,
      recipient: partner.referrer?.email ?? partner.email,
      idempotencyKey: idempotencyKeyFor(campaign.id, touch.id, partner.id, 'skipped'),
      state: 'skipped',
      skipReason: reason,
    });
  const groups = groupByReferrer(toNote.map((n) => n.partner));
  const live = new Set(groups.map((g) => g.key));
  for (const group of groups) {
    const existing = ledger.get(group.key);
    const lead = group.partners[0] as Partner;
    const dueAt = dueOf.get(lead.id) ?? input.now;
    const attempted =
      existing && (existing.attempts > 0 || existing.state === 'sent' || existing.state === 'sending');
    if (existing && attempted) {
      // The referrer's note of this touch was already (possibly) sent: nobody gets a second one.
      const covered = new Set(existing.covers ?? []);
      const covers = campaign.partners.filter((p) => covered.has(p.id));
      const category: PlanCategory =
        existing.state === 'sent'
          ? 'sent'
          : existing.state === 'sending'
            ? 'in-flight'
            : existing.state === 'failed' && !existing.retryable
              ? 'failed'
              : 'retry';
      add({
        partner: covers[0] ?? lead,
        category,
        recipient: existing.recipient,
        dueAt,
        ledger: existing,
        note: { key: group.key, covers },
        ...(category === 'retry' ? { idempotencyKey: existing.idempotencyKey } : {}),
        ...(category === 'failed' && existing.lastError ? { error: existing.lastError } : {}),
      });
      for (const partner of group.partners) {
        const inNote = covered.has(partner.id);
        add({
          partner,
          category: inNote ? 'covered' : 'after-note',
          recipient: group.recipient,
          dueAt: dueOf.get(partner.id) ?? dueAt,
          note: { key: group.key, covers: [] },
        });
        skipMember(
          partner,
          inNote
            ? coveredReason(group.key)
            : `after the note to ${group.key} (one note per referrer per touch; the next referrer touch covers them)`,
        );
      }
      continue;
    }
    // The content version reads the covered partners too: a partner joining before the send
    // makes a new version, so the planned row is refreshed, never doubled.
    const versioned = await contentVersionOf(campaign, touch, lead, { ...render, referred: group.partners });
    if (!versioned.ok) {
      throw new Error(
        `${touch.id} for ${group.recipient} does not render: ${versioned.problems.map((p) => p.message).join('; ')}`,
      );
    }
    const idempotencyKey = idempotencyKeyFor(campaign.id, touch.id, group.key, versioned.version);
    add({
      partner: lead,
      category: 'send',
      recipient: group.recipient,
      dueAt,
      ...(existing ? { ledger: existing } : {}),
      idempotencyKey,
      contentVersion: versioned.version,
      note: { key: group.key, covers: group.partners },
    });
    out.entries.push({
      campaign: campaign.id,
      touch: touch.id,
      partnerId: group.key,
      recipient: group.recipient,
      idempotencyKey,
      contentVersion: versioned.version,
      state: 'planned',
      covers: group.partners.map((p) => p.id),
    });
    for (const partner of group.partners) {
      add({
        partner,
        category: 'covered',
        recipient: group.recipient,
        dueAt: dueOf.get(partner.id) ?? dueAt,
        note: { key: group.key, covers: [] },
      });
      skipMember(partner, coveredReason(group.key));
    }
  }
  // A note planned earlier whose partners all left the group (they answered, paused, ...) must
  // not go out: it becomes skipped, or, if it was tried before, is marked skipped.
  for (const [key, row] of ledger) {
    if (!isReferrerKey(key) || live.has(key)) continue;
    const covered = new Set(row.covers ?? []);
    const covers = campaign.partners.filter((p) => covered.has(p.id));
    const first = covers[0];
    if (first && (row.state === 'sent' || row.state === 'sending')) {
      // Sent before its partners left the group (one answered since): still this touch's note.
      add({
        partner: first,
        category: row.state === 'sent' ? 'sent' : 'in-flight',
        recipient: row.recipient,
        dueAt: input.now,
        ledger: row,
        note: { key, covers },
      });
      continue;
    }
    if (row.state === 'planned' && row.attempts === 0) {
      out.entries.push({
        campaign: campaign.id,
        touch: touch.id,
        partnerId: key,
        recipient: row.recipient,
        idempotencyKey: row.idempotencyKey,
        state: 'skipped',
        skipReason: 'no silent partner left to write about',
        covers: row.covers,
      });
    } else if (row.state === 'failed' && row.retryable) {
      out.toSkip.push({ key: row.idempotencyKey, reason: 'no silent partner left to write about' });
    }
  }
}
