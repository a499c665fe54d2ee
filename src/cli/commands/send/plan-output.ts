/**
 * How `aircover send` shows a plan: a table of counts per category (with the notes of a referrer
 * nudge), and the same decisions as JSON under `--json`.
 */
import type { Campaign } from '../../../lib/campaign/load.ts';
import type { PlanCategory, TouchPlan } from '../../../lib/email/send/index.ts';
import { formatDate, formatShort } from '../../../lib/time/format.ts';
import { color, out } from '../../output.ts';

const categoryLabels: Record<PlanCategory, string> = {
  send: 'to send',
  retry: 'to retry',
  'in-flight': 'in flight when a run stopped (replayed under the same key)',
  sent: 'already sent',
  failed: 'failed earlier (refused by the provider)',
  suppressed: 'suppressed (unsubscribed, bounced, complained)',
  declined: 'declined ("no thanks")',
  'left-company': 'left the company (the inbox read the notice): find a new contact',
  paused: 'paused ("not now")',
  replied: 'replied (the inbox read their answer)',
  responded: 'already did what it asks',
  'no-referrer': 'no referrer to nudge',
  'outside-audience': 'outside the audience',
  'webinar-cancelled': 'not planned: the webinar is cancelled',
  scheduled: "waiting for the send window on the partner's clock (aircover schedule)",
  covered: "in their referrer's one note (listed below)",
  'after-note': "joined after their referrer's note of this touch; the next referrer touch covers them",
};

export function planJson(plan: TouchPlan) {
  return {
    touch: plan.touch.id,
    at: plan.touch.at.toISOString(),
    counts: plan.counts,
    toSend: plan.toSend,
    ...(plan.blocked ? { blocked: plan.blocked } : {}),
    paused: plan.rows
      .filter((r) => r.category === 'paused')
      .map((r) => ({ partner: r.partner.id, until: r.until?.toISOString() ?? null })),
    scheduled: plan.rows
      .filter((r) => r.category === 'scheduled')
      .map((r) => ({ partner: r.partner.id, dueAt: r.dueAt.toISOString() })),
    // Every partner's decision, as the follow-up queue's `touches` shows it (one state model).
    partners: plan.rows
      .filter((r) => !r.note || r.category === 'covered' || r.category === 'after-note')
      .map((r) => ({
        partner: r.partner.id,
        recipient: r.recipient,
        category: r.category,
        ...(r.note ? { note: r.note.key } : {}),
      })),
    // Referrer nudges: one row per referrer, with the partners the one message covers.
    ...(plan.touch.kind === 'referrer-nudge' ? { notes: notesOf(plan) } : {}),
  };
}

/** A referrer-nudge plan's notes: one per referrer (`covered` rows point at them). */
function notesOf(plan: TouchPlan) {
  return plan.rows
    .filter((r) => r.note && r.category !== 'covered' && r.category !== 'after-note')
    .map((r) => ({
      referrer: r.note?.key ?? '',
      recipient: r.recipient,
      category: r.category,
      partners: (r.note?.covers ?? []).map((p) => p.id),
    }));
}

export function printPlan(campaign: Campaign, plan: TouchPlan, planCategories: readonly PlanCategory[]) {
  // Times as the team reads them: the campaign's zone (named) and locale.
  const { timeZone, locale } = campaign.def;
  const at = (instant: Date) => formatShort(instant, timeZone, locale);
  out.print(
    `${color.bold(`${campaign.id} / ${plan.touch.id}`)} (${plan.touch.kind}, due ${at(plan.touch.at)})`,
  );
  const rows = planCategories
    .filter((c) => plan.counts[c] > 0 || c === 'send')
    .map((c) => {
      let label = categoryLabels[c];
      if (c === 'paused') {
        const last = Math.max(
          ...plan.rows.filter((r) => r.category === 'paused').map((r) => r.until?.getTime() ?? 0),
        );
        if (last > 0) label += `, until ${formatDate(new Date(last), timeZone, locale)} at the latest`;
      }
      if (c === 'scheduled') {
        const next = Math.min(
          ...plan.rows.filter((r) => r.category === 'scheduled').map((r) => r.dueAt.getTime()),
        );
        label += `; the next at ${at(new Date(next))}`;
      }
      return [String(plan.counts[c]).padStart(6), label];
    });
  out.table(
    ['count', plan.touch.kind === 'referrer-nudge' ? 'messages (one per referrer) and partners' : 'partners'],
    rows,
  );
  const notes = plan.touch.kind === 'referrer-nudge' ? notesOf(plan) : [];
  if (notes.length > 0)
    out.table(
      ['referrer', 'note', 'partners covered'],
      notes.map((n) => [n.recipient, categoryLabels[n.category], n.partners.join(', ')]),
    );
  if (plan.blocked) out.print(`Nothing planned: ${plan.blocked}.`);
  out.print();
}
