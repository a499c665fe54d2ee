/**
 * The webinar at its current schedule, apart from schedule.ts (which reads content/ with the yaml
 * parser and zod), so `webinar status` with the webinar from the cache (load-cached.ts) loads neither.
 */
import type { Store } from '../store/types.ts';
import type { WebinarInfo } from './info.ts';
import { lifecycleOf, scheduleChangesOf } from './lifecycle.ts';

/** The webinar at its current schedule: the frontmatter with the store's changes applied. */
export async function currentWebinar(
  store: Store,
  webinar: WebinarInfo,
  now: Date = new Date(),
): Promise<WebinarInfo> {
  const life = lifecycleOf(webinar.frontmatter, await scheduleChangesOf(store, webinar.slug), now);
  return {
    ...webinar,
    start: life.start,
    timeZone: life.timeZone,
    status: life.state === 'cancelled' ? 'cancelled' : 'confirmed',
    sequence: life.sequence,
    lifecycle: life,
  };
}
