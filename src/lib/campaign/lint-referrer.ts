/**
 * One note per referrer per touch, checked before a send. The plan writes each referrer one
 * message per referrer-nudge touch, keyed by their address (email/send/referrer-notes.ts), so a
 * referrer gets two only when partners.csv gives the same person two addresses. Errors:
 *
 * - `referrer.several-notes`: one referrer (the same name, or the same mailbox once a `+tag` is
 *   taken off) under more than one address: they would get one note per address in each touch.
 * - `referrer.note-lists-one`: a referrer introduced several partners, but the touch's template
 *   never reads `partners`, so their one note would speak of the first partner only.
 */
import { groupByReferrer, type ReferrerGroup } from '../email/send/referrer-notes.ts';
import { compileTouch } from '../personalize/compile.ts';
import { variablesOf } from '../personalize/engine.ts';
import type { Campaign, Touch } from './load.ts';
import { error, type Problem } from './problems.ts';

/** The mailbox an address most likely reaches: lower case, without a `+tag`. */
function mailbox(email: string): string {
  const [local = '', domain = ''] = email.trim().toLowerCase().split('@');
  return `${local.split('+')[0]}@${domain}`;
}

const personOf = (name: string) => name.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, ' ');

function readsPartners(campaign: Campaign, touch: Touch): boolean {
  const { compiled } = compileTouch(campaign, touch);
  if (!compiled) return true; // A template that does not compile is reported as such already.
  const templates = [compiled.subject, compiled.body, ...(compiled.preheader ? [compiled.preheader] : [])];
  return templates.some((t) => variablesOf(t).some((segments) => segments[0] === 'partners'));
}

export function referrerNoteProblems(campaign: Campaign, touches: readonly Touch[]): Problem[] {
  const nudges = touches.filter((t) => t.kind === 'referrer-nudge');
  if (nudges.length === 0) return [];
  const groups = groupByReferrer(campaign.partners);
  const problems: Problem[] = [];

  // The same person under several addresses: one note per address, so several per touch.
  const byPerson = new Map<string, ReferrerGroup[]>();
  for (const group of groups) {
    for (const key of new Set([`name:${personOf(group.referrer.name)}`, `box:${mailbox(group.recipient)}`])) {
      const list = byPerson.get(key) ?? [];
      list.push(group);
      byPerson.set(key, list);
    }
  }
  const reported = new Set<string>();
  for (const same of byPerson.values()) {
    if (same.length < 2) continue;
    const id = same.map((g) => g.key).join('|');
    if (reported.has(id)) continue;
    reported.add(id);
    const first = same[1]?.partners[0];
    const addresses = same.map((g) => g.recipient).join(', ');
    for (const touch of nudges) {
      problems.push(
        error(
          'referrer.several-notes',
          `${same[0]?.referrer.name ?? 'a referrer'} would get ${same.length} notes in "${touch.id}", one per address (${addresses}); write one address for them in every row`,
          {
            file: campaign.partnersFile,
            ...(first ? { line: first.line, row: first.row, partner: first.id } : {}),
            field: 'referrer_email',
            touch: touch.id,
          },
        ),
      );
    }
  }

  // A referrer with several partners gets one note: it must list them.
  const several = groups.filter((g) => g.partners.length > 1);
  for (const touch of nudges) {
    if (several.length === 0 || readsPartners(campaign, touch)) continue;
    const g = several[0] as ReferrerGroup;
    problems.push(
      error(
        'referrer.note-lists-one',
        `${g.referrer.name} introduced ${g.partners.length} partners (${g.partners.map((p) => p.id).join(', ')}) and gets one note per touch, but the template never reads {{ partners }}: list them with {% for p in partners %}`,
        {
          file: touch.email.file,
          line: touch.email.bodyLine,
          field: 'body',
          touch: touch.id,
          template: touch.email.file,
        },
      ),
    );
  }
  return problems;
}
