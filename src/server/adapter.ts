/**
 * The Node adapter, with our own server entry (src/server/entry.ts) in place of its
 * `@astrojs/node/server.js`, so `node dist/server/entry.mjs` sends the security headers on every
 * response too. Astro's middleware never sees a prerendered page or an asset: the adapter serves
 * them from dist/client before Astro runs, so the headers have to be set in front of it, as
 * `aircover serve` (src/server/index.ts) does. Everything else about the adapter is unchanged.
 */
import { fileURLToPath } from 'node:url';
import node from '@astrojs/node';
import type { AstroIntegration } from 'astro';

type NodeOptions = Parameters<typeof node>[0];

export const serverEntry = fileURLToPath(new URL('./entry.ts', import.meta.url));

export function nodeWithSecurityHeaders(options: NodeOptions): AstroIntegration {
  const integration = node(options);
  const configDone = integration.hooks['astro:config:done'];
  if (!configDone) throw new Error('@astrojs/node no longer sets its adapter in astro:config:done');
  integration.hooks['astro:config:done'] = (params) =>
    configDone({
      ...params,
      setAdapter: (adapter) => params.setAdapter({ ...adapter, serverEntrypoint: serverEntry }),
    });
  return integration;
}
