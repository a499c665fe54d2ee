/**
 * `loadWebinar` through the campaigns' load cache (campaign/load-cache.ts): the webinar as read
 * and validated from content/, kept until a file of content/ or of the campaigns folder (which
 * names the organizer) changes, or a setting it reads (AIRCOVER_WEBINAR_FROM, AIRCOVER_SITE_URL).
 * A hit loads neither the yaml parser nor zod; a webinar that does not load is never kept, so its
 * error (file, field) comes from loading it again.
 */
import { campaignsDir as defaultCampaignsDir } from '../campaign/dirs.ts';
import { throughCache } from '../campaign/load-cache.ts';
import type { LoadOptions, WebinarInfo } from './schedule.ts';

export async function loadWebinarCached(
  slug: string,
  options: LoadOptions & { cacheDir?: string | undefined } = {},
): Promise<WebinarInfo> {
  const { cacheDir, ...load } = options;
  const contentDir = load.contentDir ?? process.env.AIRCOVER_CONTENT_DIR ?? 'content';
  const campaignsDir = load.campaignsDir ?? defaultCampaignsDir();
  const { result } = await throughCache({
    what: `webinar-${slug.replace(/[^\w-]/g, '_')}`,
    folder: campaignsDir,
    contentDir,
    salt: JSON.stringify([
      slug,
      load.siteUrl ?? process.env.AIRCOVER_SITE_URL ?? null,
      process.env.AIRCOVER_WEBINAR_FROM ?? null,
    ]),
    options: { cacheDir },
    load: async () =>
      (await import('./schedule.ts')).loadWebinar(slug, { ...load, contentDir, campaignsDir }),
    keep: () => [],
  });
  return result;
}
