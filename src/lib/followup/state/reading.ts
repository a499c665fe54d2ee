/**
 * What a partner's human evidence says about reading. Reading means the paper: its progress and
 * reading time come only from the paper itself (the advance copy, the public paper page, and the
 * paper section of the personal page), measured over the paper's own headings. The collector
 * files everything else a personal page reports as `section_seen` / `page_time` ("sections seen":
 * shown, never reading). Bots and suspects never reach these numbers (human verdicts only).
 */
import type { HumanSignals } from '../model.ts';
import { engagement, type HumanEngagementModel } from '../signals.ts';
import type { Reading, ReadingLevel } from './types.ts';

/** One partner's reading from their human signals and the personal page's sections seen. */
export function readingOf(
  h: HumanSignals,
  sectionsSeen: number,
  model: HumanEngagementModel = engagement,
  paperTitle?: string,
): Reading {
  const hot = model.isHot(h);
  const warm = model.isWarm(h);
  const visited = h.visits > 0 || sectionsSeen > 0 || h.maxProgress > 0 || h.visibleSeconds > 0;
  const level: ReadingLevel = hot ? 'hot' : warm ? 'warm' : visited ? 'visited' : 'none';
  const hotAt = model.hotAt(h);
  const paper = paperTitle ? `"${paperTitle}"` : 'the paper';
  const minutes = Math.round(h.visibleSeconds / 60);
  const parts = [
    h.maxProgress > 0
      ? `read ${Math.round(h.maxProgress * 100)}% of ${paper}`
      : h.sections > 0
        ? `read ${h.sections} section${h.sections === 1 ? '' : 's'} of ${paper}`
        : '',
    h.visibleSeconds > 0
      ? `${minutes >= 1 ? `${minutes} min` : `${Math.round(h.visibleSeconds)} s`} reading it`
      : '',
    h.downloads > 0 ? `downloaded it` : '',
    sectionsSeen > 0 ? `saw ${sectionsSeen} section${sectionsSeen === 1 ? '' : 's'} of their page` : '',
  ].filter(Boolean);
  return {
    level,
    paperProgress: h.maxProgress,
    paperSeconds: h.visibleSeconds,
    paperSections: h.sections,
    sectionsSeen,
    visits: h.visits,
    downloads: h.downloads,
    hotAt,
    lastAt: h.lastAt,
    summary: parts.join(', '),
  };
}
