/**
 * The endpoints campaign.yaml files add (`webhooks:`), for the places that emit and deliver. Only
 * the `webhooks` key of each campaign.yaml is read (not partners.csv or the templates), with the
 * same schema the campaign loader validates it with, and kept until the file changes
 * (content/cached.ts), so an event costs no file read. `aircover check` reports a wrong entry
 * with its file, line and field; here a wrong one is an error naming the file, and the caller
 * (emit) logs it: the fact is recorded either way.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { campaignsDir } from '../campaign/site.ts';
import { cachedUntilChanged } from '../content/cached.ts';
import { campaignEndpointsOf, campaignWebhooksSchema, type Endpoint, HookConfigError } from './config.ts';

const ID = /^[a-z0-9][a-z0-9-]*$/;
const loaders = new Map<string, () => ReturnType<typeof campaignWebhooksSchema.parse>>();

function definitions(dir: string, campaign: string) {
  const file = join(dir, campaign, 'campaign.yaml');
  const key = file;
  let load = loaders.get(key);
  if (!load) {
    if (loaders.size >= 500) loaders.clear();
    load = cachedUntilChanged(
      () => [join(dir, campaign)],
      () => {
        let raw: unknown;
        try {
          raw = parse(readFileSync(file, 'utf8'));
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
          throw new HookConfigError(`${file}: ${error instanceof Error ? error.message : String(error)}`);
        }
        const result = campaignWebhooksSchema.safeParse((raw as { webhooks?: unknown } | null)?.webhooks);
        if (!result.success)
          throw new HookConfigError(
            `${file} ${result.error.issues.map((i) => `webhooks.${i.path.join('.')}: ${i.message}`).join('; ')}`,
          );
        return result.data;
      },
    );
    loaders.set(key, load);
  }
  return load();
}

/** The endpoints of one campaign's campaign.yaml (none for an unknown campaign). */
export function campaignEndpoints(campaign: string, env: NodeJS.ProcessEnv = process.env): Endpoint[] {
  if (!ID.test(campaign)) return [];
  return campaignEndpointsOf(campaign, definitions(campaignsDir(env), campaign), env);
}
