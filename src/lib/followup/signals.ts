/**
 * Human signals, added up from the store's aggregates (the queue cannot read half a million events
 * one by one), and the reading thresholds. The vocabulary and thresholds live in
 * src/lib/engagement/vocabulary.ts; the verdict built on them is the state module's
 * (state/reading.ts). Only `human` verdicts count; `visible_time` and `read_progress` are the
 * PAPER's own (the collector files personal-page sections and time as `section_seen` and
 * `page_time`, which never reach these numbers); opens, clicks and page fetches alone never count.
 *
 * The queue reads the store's engagement summary (one row per partner, kept as events are written:
 * `addSummary`); the collector's hot check reads one partner's `summarizeEvents` groups (`add`).
 * Both add up to the same signals; tests/store checks the summary against a full recount.
 *
 * Metadata read (as the collector writes it): `visible_time` {ms}, `read_progress` {index, of}.
 * Reading progress is (highest section index + 1) / section count.
 */
import {
  eventTypes as collectorTypes,
  ENGAGED_SECTIONS,
  ENGAGED_VISIBLE_MS,
} from '../engagement/vocabulary.ts';
import type { EngagementSummary, EventSummary } from '../store/types.ts';
import type { HumanSignals } from './model.ts';

export interface EngagementThresholds {
  /** Visible seconds for a visit to count as engaged (warm): the collector's ENGAGED_VISIBLE_MS. */
  warmSeconds: number;
  /** Sections read that count as engaged (warm): the collector's ENGAGED_SECTIONS. */
  warmSections: number;
  /** Visible seconds of real reading that make a partner hot. */
  hotSeconds: number;
  /** Reading progress that makes a partner hot (half the paper). */
  hotProgress: number;
}

export interface HumanEngagementModel {
  thresholds: EngagementThresholds;
  /** The numeric metadata fields the summary query must total (`summarizeEvents` metrics). */
  metrics: string[];
  /** Adds one summary group (human verdict only) to a partner's signals. */
  add(signals: HumanSignals, group: EventSummary): void;
  /** Adds a partner's row of the store's engagement summary (human columns only). */
  addSummary(signals: HumanSignals, row: EngagementSummary): void;
  isWarm(signals: HumanSignals): boolean;
  isHot(signals: HumanSignals): boolean;
  /** When the partner turned hot, as far as the groups tell (the latest qualifying signal). */
  hotAt(signals: HumanSignals): string | null;
}

export const eventTypes = {
  visit: [collectorTypes.pageView],
  visible: [collectorTypes.visibleTime],
  progress: [collectorTypes.readProgress],
  click: [collectorTypes.ctaClick],
  download: [collectorTypes.download],
  delivered: ['email.delivered'],
  opened: ['email.opened'],
  bounced: ['email.bounced'],
  replied: ['email.received'],
} as const;

export const defaultThresholds: EngagementThresholds = {
  warmSeconds: ENGAGED_VISIBLE_MS / 1000,
  warmSections: ENGAGED_SECTIONS,
  hotSeconds: 120,
  hotProgress: 0.5,
};

export function emptySignals(): HumanSignals {
  return {
    visits: 0,
    visibleSeconds: 0,
    sections: 0,
    maxProgress: 0,
    clicks: 0,
    downloads: 0,
    firstAt: null,
    lastAt: null,
    lastBy: {},
  };
}

const later = (a: string | null | undefined, b: string) => (a && a > b ? a : b);
const is = (list: readonly string[], type: string) => list.includes(type);

export function createEngagementModel(
  thresholds: EngagementThresholds = defaultThresholds,
): HumanEngagementModel {
  const engagementTypes: readonly string[] = [
    ...eventTypes.visit,
    ...eventTypes.visible,
    ...eventTypes.progress,
    ...eventTypes.click,
    ...eventTypes.download,
  ];
  return {
    thresholds,
    metrics: ['ms', 'index', 'of'],
    add(s, g) {
      if (g.verdict !== 'human' || !engagementTypes.includes(g.type)) return;
      const t = g.type;
      let kind: keyof HumanSignals['lastBy'];
      if (is(eventTypes.visit, t)) {
        s.visits += g.count;
        kind = 'visit';
      } else if (is(eventTypes.visible, t)) {
        s.visibleSeconds += (g.sum.ms ?? 0) / 1000;
        kind = 'reading';
      } else if (is(eventTypes.progress, t)) {
        const of = g.max.of ?? 0;
        if (of > 0) s.maxProgress = Math.max(s.maxProgress, Math.min(1, ((g.max.index ?? 0) + 1) / of));
        s.sections += g.count;
        kind = 'progress';
      } else if (is(eventTypes.click, t)) {
        s.clicks += g.count;
        kind = 'click';
      } else {
        s.downloads += g.count;
        kind = 'download';
      }
      s.lastBy[kind] = later(s.lastBy[kind], g.last);
      s.firstAt = s.firstAt && s.firstAt < g.first ? s.firstAt : g.first;
      s.lastAt = later(s.lastAt, g.last);
    },
    addSummary(s, r) {
      s.visits += r.visits;
      s.visibleSeconds += r.visibleMs / 1000;
      const of = r.maxOf ?? 0;
      if (r.sections > 0 && of > 0)
        s.maxProgress = Math.max(s.maxProgress, Math.min(1, ((r.maxIndex ?? 0) + 1) / of));
      s.sections += r.sections;
      s.clicks += r.clicks;
      s.downloads += r.downloads;
      const lastBy: [keyof HumanSignals['lastBy'], string | null][] = [
        ['visit', r.lastVisitAt],
        ['reading', r.lastReadingAt],
        ['progress', r.lastProgressAt],
        ['click', r.lastClickAt],
        ['download', r.lastDownloadAt],
      ];
      for (const [kind, at] of lastBy) if (at) s.lastBy[kind] = later(s.lastBy[kind], at);
      if (r.firstAt) s.firstAt = s.firstAt && s.firstAt < r.firstAt ? s.firstAt : r.firstAt;
      if (r.lastAt) s.lastAt = later(s.lastAt, r.lastAt);
    },
    // Reading means the paper: visible time and progress here are the paper's own (the collector
    // files personal-page sections and time as section_seen / page_time). Clicks alone never count.
    isWarm(s) {
      return (
        this.isHot(s) ||
        s.visibleSeconds >= thresholds.warmSeconds ||
        s.sections >= thresholds.warmSections ||
        s.downloads > 0
      );
    },
    isHot(s) {
      return s.visibleSeconds >= thresholds.hotSeconds || s.maxProgress >= thresholds.hotProgress;
    },
    hotAt(s) {
      if (!this.isHot(s)) return null;
      const reading = s.visibleSeconds >= thresholds.hotSeconds ? s.lastBy.reading : undefined;
      const progress = s.maxProgress >= thresholds.hotProgress ? s.lastBy.progress : undefined;
      return [reading, progress].filter((x): x is string => Boolean(x)).sort()[0] ?? s.lastAt;
    },
  };
}

/** The model the queue uses (swap for the collector's when it exports one). */
export const engagement: HumanEngagementModel = createEngagementModel();
