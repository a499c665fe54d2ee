/**
 * Who engaged: the rule the follow-up engine and the dashboard use. A partner counts as engaged
 * only on human evidence: time visible on their page or the paper, reading progress through the
 * paper's sections, a form, a reply. Opens never count (image proxies open everything), clicks
 * and page fetches alone never count (scanners click everything), and only events labelled
 * `human` are looked at.
 */
import type { StoredEvent } from '../store/types.ts';

/** Visible-and-focused time (summed over `visible_time` beacons) that counts as reading. */
export const ENGAGED_VISIBLE_MS = 15_000;
/** Distinct sections (paper or personal page) a reader dwelt on that count as reading. */
export const ENGAGED_SECTIONS = 2;
/** A section counts as read after this long on screen while the page is visible and focused. */
export const SECTION_DWELL_MS = 1_500;

/** Event types the collector writes. */
export const eventTypes = {
  pageView: 'page_view',
  visibleTime: 'visible_time',
  readProgress: 'read_progress',
  ctaClick: 'cta_click',
  download: 'download',
  /** A GET of a personal page, seen by the server (scanners fetch; people too). */
  pageFetch: 'page_fetch',
  /** `form.register`, `form.feedback`, `form.call`, `form.not-now`, `form.no-thanks`. */
  formPrefix: 'form.',
  unsubscribe: 'unsubscribe',
  /** `email.delivered`, `email.opened`, `email.clicked`, ... from the Resend webhook. */
  emailPrefix: 'email.',
} as const;

/** The types that can show human engagement; pass them as `types` to `listEvents` if you like. */
export const evidenceTypes = [eventTypes.visibleTime, eventTypes.readProgress, 'email.received'] as const;

export interface Engagement {
  engaged: boolean;
  /** Why (empty when not engaged): `visible 42 s`, `read 3 sections`, `form call`, `replied`. */
  reasons: string[];
  visibleMs: number;
  sectionsRead: number;
  forms: string[];
  ctaClicks: number;
  /** The latest human event of any kind, ISO. */
  lastHumanAt: string | null;
  /** The moment the evidence became sufficient (for "speed wins" ordering), ISO. */
  engagedAt: string | null;
}

type EventLike = Pick<StoredEvent, 'type' | 'verdict' | 'occurredAt' | 'metadata'>;

/**
 * Sums one partner's events (any order, any verdicts: non-human ones are ignored). Pass the
 * events of one partner, optionally of one campaign or touch.
 */
export function engagementOf(events: readonly EventLike[]): Engagement {
  const human = events
    .filter((e) => e.verdict === 'human')
    .sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
  let visibleMs = 0;
  const sections = new Set<string>();
  const forms: string[] = [];
  let ctaClicks = 0;
  let engagedAt: string | null = null;
  const reasons = new Set<string>();
  for (const event of human) {
    const meta = event.metadata ?? {};
    if (event.type === eventTypes.visibleTime) {
      const ms = Number(meta.ms);
      if (Number.isFinite(ms) && ms > 0) visibleMs += Math.min(ms, 10 * 60_000);
      if (visibleMs >= ENGAGED_VISIBLE_MS) reasons.add('visible');
    } else if (event.type === eventTypes.readProgress) {
      sections.add(`${String(meta.page ?? '')}#${String(meta.section ?? '')}`);
      if (sections.size >= ENGAGED_SECTIONS) reasons.add('read');
    } else if (event.type.startsWith(eventTypes.formPrefix)) {
      forms.push(event.type.slice(eventTypes.formPrefix.length));
      reasons.add('form');
    } else if (event.type === 'email.received') {
      reasons.add('replied');
    } else if (event.type === eventTypes.ctaClick) {
      ctaClicks += 1;
    }
    if (reasons.size > 0 && engagedAt === null) engagedAt = event.occurredAt;
  }
  const named = [...reasons].map((r) =>
    r === 'visible'
      ? `visible ${Math.round(visibleMs / 1000)} s`
      : r === 'read'
        ? `read ${sections.size} sections`
        : r === 'form'
          ? `form ${[...new Set(forms)].join(', ')}`
          : r,
  );
  return {
    engaged: reasons.size > 0,
    reasons: named,
    visibleMs,
    sectionsRead: sections.size,
    forms,
    ctaClicks,
    lastHumanAt: human.at(-1)?.occurredAt ?? null,
    engagedAt,
  };
}

/** True when the events show a person engaging (see `engagementOf` for the rule). */
export function isHumanEngagement(events: readonly EventLike[]): boolean {
  return engagementOf(events).engaged;
}
