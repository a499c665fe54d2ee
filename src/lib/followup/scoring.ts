/**
 * The follow-up score: points per human signal and response, each decayed by its age with a
 * half-life (campaign.yaml `scoring:`). It ranks partners; it never decides a status.
 */
import type { ScoringDef } from '../campaign/schema.ts';
import type { PartnerFacts } from './model.ts';

export interface ScoringConfig {
  halfLifeDays: number;
  weights: {
    visit: number;
    readingMinute: number;
    halfRead: number;
    fullRead: number;
    click: number;
    download: number;
    feedback: number;
    registration: number;
    attended: number;
    callRequest: number;
    reply: number;
    open: number;
  };
}

export const defaultScoring: ScoringConfig = {
  halfLifeDays: 14,
  weights: {
    visit: 1,
    readingMinute: 1,
    halfRead: 4,
    fullRead: 3,
    click: 2,
    download: 3,
    feedback: 10,
    registration: 6,
    attended: 8,
    callRequest: 15,
    reply: 6,
    open: 0,
  },
};

/** The campaign's `scoring:` block over the defaults. */
export function scoringConfig(def: ScoringDef | undefined): ScoringConfig {
  const weights = { ...defaultScoring.weights };
  for (const [key, value] of Object.entries(def?.weights ?? {})) {
    if (typeof value === 'number') weights[key as keyof ScoringConfig['weights']] = value;
  }
  return { halfLifeDays: def?.halfLifeDays ?? defaultScoring.halfLifeDays, weights };
}

const DAY = 86_400_000;

/** Score of one partner at `now`, rounded to one decimal. */
export function scoreFacts(facts: PartnerFacts, config: ScoringConfig, now: Date): number {
  const w = config.weights;
  const decay = (at: string | null | undefined) => {
    if (!at) return 1;
    const days = Math.max(0, (now.getTime() - new Date(at).getTime()) / DAY);
    return 0.5 ** (days / config.halfLifeDays);
  };
  const h = facts.human;
  let score = 0;
  score += w.visit * Math.min(h.visits, 10) * decay(h.lastBy.visit);
  score += w.readingMinute * Math.min(h.visibleSeconds / 60, 10) * decay(h.lastBy.reading);
  if (h.maxProgress >= 0.5) score += w.halfRead * decay(h.lastBy.progress);
  if (h.maxProgress >= 0.9) score += w.fullRead * decay(h.lastBy.progress);
  score += w.click * Math.min(h.clicks, 5) * decay(h.lastBy.click);
  score += w.download * Math.min(h.downloads, 3) * decay(h.lastBy.download);
  if (facts.openedAt) score += w.open * decay(facts.openedAt);
  for (const r of facts.responses) {
    const weight =
      r.kind === 'feedback'
        ? w.feedback
        : r.kind === 'registration'
          ? w.registration
          : r.kind === 'attendance'
            ? w.attended
            : r.kind === 'call-request'
              ? w.callRequest
              : r.kind === 'replied' || r.kind === 'met' || r.kind === 'called'
                ? w.reply
                : 0;
    score += weight * decay(r.occurredAt);
  }
  return Math.round(score * 10) / 10;
}
