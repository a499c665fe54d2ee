/**
 * dist/server/entry.mjs (see src/server/adapter.ts): the Node adapter's own entry, with the
 * security headers (src/server/headers.ts) set on every response before the adapter answers,
 * static files included. `aircover serve` imports it with ASTRO_NODE_AUTOSTART=disabled and
 * mounts `handler` behind the beacon fast path; `node dist/server/entry.mjs` starts the adapter's
 * standalone server (HOST, PORT, SERVER_CERT_PATH as the adapter documents) with the headers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { securityHeaders } from './headers.ts';

type Listener = (req: IncomingMessage, res: ServerResponse, ...rest: never[]) => unknown;

/** A request listener that sets the headers first; a route's own policy still wins or joins. */
export function withHeaders<L extends Listener>(listener: L): L {
  return ((req: IncomingMessage, res: ServerResponse, ...rest: never[]) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    for (const [name, value] of Object.entries(securityHeaders(q === -1 ? url : url.slice(0, q))))
      res.setHeader(name, value);
    return listener(req, res, ...rest);
  }) as L;
}

// The adapter starts its own server on import unless told not to: tell it, and start it here with
// the headers in front (a dynamic import, so this runs first whatever the bundler does with order).
const autostart = process.env.ASTRO_NODE_AUTOSTART !== 'disabled';
process.env.ASTRO_NODE_AUTOSTART = 'disabled';
const adapter = await import('@astrojs/node/server.js');
if (autostart) delete process.env.ASTRO_NODE_AUTOSTART;

export const options = adapter.options;
export const handler = withHeaders(adapter.handler);

export function startServer(): ReturnType<typeof adapter.startServer> {
  const started = adapter.startServer();
  // The adapter's listener (static files, then the app) keeps serving, behind the headers.
  const http = started.server.server;
  const listeners = http.listeners('request') as Listener[];
  http.removeAllListeners('request');
  for (const listener of listeners) http.on('request', withHeaders(listener));
  return started;
}

if (autostart && adapter.options.mode === 'standalone') startServer();

// For `aircover build`: partner pages rendered by this server's app (src/server/partner-render.ts).
export { renderPartnerPage } from './partner-render.ts';
