/**
 * The production server (`aircover serve`, `npm start`, the tests): one node:http server on one
 * port. The collector's hot path, `POST /api/events`, is a plain Node handler in front; every
 * other request goes to Astro's Node adapter (static files from dist/client and the on-demand
 * routes). The adapter stays in `standalone` mode so its static file serving is reused; its
 * auto-start is turned off (ASTRO_NODE_AUTOSTART=disabled) and its exported `handler` mounted
 * here instead. `node dist/server/entry.mjs` still works on its own, with `/api/events` served
 * by the (slower, unbatched per request but same-contract) Astro route.
 *
 * Why a fast path: an Astro on-demand endpoint tops out near 6,000 req/s on these machines, a bare
 * Node handler near 44,000. Beacons are the only high-volume route, so only they skip Astro; they
 * are group-committed (see EventBatcher) and answered once durable.
 */
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Answer } from '../lib/engagement/answer.ts';
import { BEACON_PATH, collectBeacon, recordPageFetch } from '../lib/engagement/beacon.ts';
import { nodeBody } from '../lib/engagement/body.ts';
import { syncPartners } from '../lib/engagement/partners-sync.ts';
import { clientOf, trustProxy } from '../lib/engagement/proxy.ts';
import { runtime } from '../lib/engagement/runtime.ts';
import { checkBuildSecret } from '../lib/secret.ts';
import { securityHeaders } from './headers.ts';

type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface ServerOptions {
  host: string;
  port: number;
  /** The build (`dist`), holding server/entry.mjs and client/. */
  outDir: string;
  /** Progress lines (stderr by default). */
  log?: (line: string) => void;
}

export interface RunningAircover {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** Loads the adapter's request handler from a build without letting it start its own server. */
export async function loadAstroHandler(outDir: string): Promise<NodeHandler> {
  const entry = resolve(outDir, 'server/entry.mjs');
  if (!existsSync(entry)) throw new Error(`No build found at ${entry}. Run \`aircover build\` first.`);
  process.env.ASTRO_NODE_AUTOSTART = 'disabled';
  const mod = (await import(pathToFileURL(entry).href)) as { handler?: NodeHandler };
  if (typeof mod.handler !== 'function') throw new Error(`${entry} exports no request handler`);
  return mod.handler;
}

function send(res: ServerResponse, answer: Answer): void {
  res.writeHead(answer.status, answer.headers ?? {});
  res.end(answer.body);
}

const header = (req: IncomingMessage, name: string): string | null => {
  const value = req.headers[name];
  return typeof value === 'string' ? value : Array.isArray(value) ? (value[0] ?? null) : null;
};

/** The client behind a trusted proxy (AIRCOVER_TRUST_PROXY), else the socket's peer. */
const clientIp = (req: IncomingMessage): string | null =>
  clientOf({
    peer: req.socket.remoteAddress ?? null,
    forwardedFor: header(req, 'x-forwarded-for'),
    forwardedProto: header(req, 'x-forwarded-proto'),
  }).ip;

async function handleBeacon(req: IncomingMessage, res: ServerResponse): Promise<void> {
  send(
    res,
    await collectBeacon({
      method: req.method ?? 'GET',
      origin: header(req, 'origin'),
      host: header(req, 'host'),
      userAgent: header(req, 'user-agent'),
      ip: clientIp(req),
      body: nodeBody(req),
    }),
  );
}

const personalPage = /^\/p\/([A-Za-z0-9_-]{32})\/?(?:index\.html)?$/;

export async function startAircoverServer(options: ServerOptions): Promise<RunningAircover> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  // A real secret, and the one the build was made under (secret.ts), before anything listens.
  checkBuildSecret(options.outDir, process.env, (message) => log(`warning ${message}`));
  trustProxy(); // a malformed AIRCOVER_TRUST_PROXY stops the start, naming the bad entry
  const astro = await loadAstroHandler(options.outDir);
  const rt = runtime();

  // Partners and tokens into the store; retried until the database answers.
  let syncTimer: ReturnType<typeof setTimeout> | null = null;
  const sync = async () => {
    syncTimer = null;
    try {
      const result = await syncPartners(await rt.store());
      rt.tokens.clear();
      log(
        `Partners synced: ${result.partners} in ${result.campaigns} campaign(s)${result.skipped.length ? `; skipped ${result.skipped.join(', ')} (errors)` : ''}`,
      );
    } catch (error) {
      log(
        `warning store unavailable, endpoints answer 503 until it is back: ${error instanceof Error ? error.message : String(error)}`,
      );
      syncTimer = setTimeout(sync, 5_000);
      syncTimer.unref();
    }
  };
  await sync();

  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q === -1 ? url : url.slice(0, q);
    // Static files and on-demand routes alike (the middleware adds them to on-demand answers too).
    for (const [name, value] of Object.entries(securityHeaders(pathname))) res.setHeader(name, value);
    if (pathname === BEACON_PATH) {
      handleBeacon(req, res).catch((error: unknown) => {
        log(`error /api/events: ${error instanceof Error ? error.stack : String(error)}`);
        if (!res.headersSent) send(res, { status: 500, body: '' });
      });
      return;
    }
    if (req.method === 'GET') {
      const page = personalPage.exec(pathname);
      if (page?.[1]) {
        recordPageFetch({
          token: page[1],
          query: q === -1 ? '' : url.slice(q + 1),
          userAgent: header(req, 'user-agent'),
          ip: clientIp(req),
        }).catch(() => undefined); // an observation of ours, not a client's accepted event
      }
    }
    astro(req, res);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolvePromise());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    server,
    url: `http://${host}:${port}`,
    async close() {
      if (syncTimer) clearTimeout(syncTimer);
      await new Promise<void>((resolvePromise) => {
        server.close(() => resolvePromise());
        server.closeIdleConnections();
      });
      await rt.close();
    },
  };
}
