/**
 * Who engaged, for a list of one partner's events (the tests, and anything holding raw events):
 * a thin call into the one partner-state model. The events are folded into the same human
 * signals the store's summary keeps (src/lib/followup/signals.ts) and judged by the same reading
 * rule (src/lib/followup/state/reading.ts): only `human` verdicts; reading means the paper;
 * personal-page sections and time, opens, clicks and page fetches alone never count; a form or a
 * reply does.
 */
import { emptySignals, engagement } from '../followup/signals.ts';
import { readingOf } from '../followup/state/reading.ts';
import type { StoredEvent } from '../store/types.ts';
import { eventTypes } from './vocabulary.ts';

export { ENGAGED_SECTIONS, ENGAGED_VISIBLE_MS, eventTypes, SECTION_DWELL_MS } from './vocabulary.ts';

/** The types that can show human engagement; pass them as `types` to `listEvents` if you like. */
export const evidenceTypes = [eventTypes.visibleTime, eventTypes.readProgress, 'email.received'] as const;

export interface Engagement {
  engaged: boolean;
  /** Why (empty when not engaged): `read 60% of the paper`, `form call`, `replied`. */
  reasons: string[];
  /** Paper reading time. */
  visibleMs: number;
  /** Paper headings read. */
  sectionsRead: number;
  /** Personal-page sections seen (not reading). */
  sectionsSeen: number;
  forms: string[];
  ctaClicks: number;
  /** The latest human event of any kind, ISO. */
  lastHumanAt: string | null;
}

type EventLike = Pick<StoredEvent, 'type' | 'verdict' | 'occurredAt' | 'metadata'>;

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

export function engagementOf(events: readonly EventLike[]): Engagement {
  const human = events
    .filter((e) => e.verdict === 'human')
    .sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
  const signals = emptySignals();
  let sectionsSeen = 0;
  const forms: string[] = [];
  let replied = false;
  for (const e of human) {
    const meta = e.metadata ?? {};
    engagement.add(signals, {
      campaign: '',
      partnerId: null,
      day: null,
      type: e.type,
      verdict: 'human',
      count: 1,
      first: e.occurredAt,
      last: e.occurredAt,
      sum: { ms: num(meta.ms), index: num(meta.index), of: num(meta.of) },
      max: { ms: num(meta.ms), index: num(meta.index), of: num(meta.of) },
    });
    if (e.type === eventTypes.sectionSeen) sectionsSeen += 1;
    else if (e.type.startsWith(eventTypes.formPrefix)) forms.push(e.type.slice(eventTypes.formPrefix.length));
    else if (e.type === 'email.received') replied = true;
  }
  const reading = readingOf(signals, sectionsSeen);
  const reasons = [
    reading.level === 'warm' || reading.level === 'hot'
      ? (reading.summary.split(', saw')[0] ?? 'read the paper')
      : '',
    forms.length ? `form ${[...new Set(forms)].join(', ')}` : '',
    replied ? 'replied' : '',
  ].filter(Boolean);
  return {
    engaged: reasons.length > 0,
    reasons,
    visibleMs: signals.visibleSeconds * 1000,
    sectionsRead: signals.sections,
    sectionsSeen,
    forms,
    ctaClicks: signals.clicks,
    lastHumanAt: human.at(-1)?.occurredAt ?? null,
  };
}

/** True when the events show a person engaging (see `engagementOf`). */
export function isHumanEngagement(events: readonly EventLike[]): boolean {
  return engagementOf(events).engaged;
}
