/**
 * The review gallery: every email of a campaign for every partner, exactly as it will be
 * sent, next to a link to each partner's personal page. A marketer reads it before anything
 * goes out. Served by `aircover preview` on 127.0.0.1; the personal pages come from the last
 * build (`dist/client`), which holds them as static files.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import type { Campaign } from '../campaign/load.ts';
import { formatProblem } from '../campaign/problems.ts';
import { tryRenderMessage } from '../email/render/index.ts';
import { escapeHtml } from '../personalize/escape.ts';
import { partnerToken } from '../personalize/token.ts';
import { formatShort } from '../time/format.ts';

export interface GalleryOptions {
  campaign: Campaign;
  /** The built site's static files, for personal pages; optional. */
  clientDir?: string;
  secret?: string;
}

const page = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;padding:1.5rem;color:#0f172a}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #e2e8f0;padding:.4rem .6rem;text-align:left;vertical-align:top}
.meta{background:#f1f5f9;border-radius:.5rem;padding:.75rem 1rem;margin-bottom:1rem}.meta dt{font-weight:700}.meta dd{margin:0 0 .4rem}
iframe{width:100%;height:70vh;border:1px solid #e2e8f0;border-radius:.5rem}pre{white-space:pre-wrap;background:#f8fafc;padding:1rem;border-radius:.5rem}
.error{color:#b91c1c}
</style></head><body>${body}</body></html>`;

const link = (href: string, text: string) => `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`;

/** A touch's time as the team reads it: the campaign's zone (its short name shown) and locale. */
const when = (campaign: Campaign, at: Date) => formatShort(at, campaign.def.timeZone, campaign.def.locale);

export function galleryIndex({ campaign, clientDir, secret }: GalleryOptions): string {
  const touches = campaign.touches;
  const rows = campaign.partners
    .map((partner) => {
      const token = partnerToken(campaign.id, partner.id, secret);
      const built = clientDir && existsSync(join(clientDir, 'p', token, 'index.html'));
      const pageCell = built
        ? link(`/p/${token}/`, 'personal page')
        : '<span title="run aircover build">not built</span>';
      const cells = touches.map(
        (t) =>
          `<td>${link(`/email/${encodeURIComponent(t.id)}/${encodeURIComponent(partner.id)}`, t.id)}</td>`,
      );
      return `<tr><th scope="row">${escapeHtml(partner.company)}<br><small>${escapeHtml(partner.email)}</small></th><td>${pageCell}</td>${cells.join('')}</tr>`;
    })
    .join('\n');
  const head = touches
    .map(
      (t) =>
        `<th scope="col">${escapeHtml(t.id)}<br><small><time datetime="${t.at.toISOString()}">${escapeHtml(when(campaign, t.at))}</time></small></th>`,
    )
    .join('');
  return page(
    `Preview: ${campaign.def.name}`,
    `<h1>${escapeHtml(campaign.def.name)}</h1>
<p>${campaign.partners.length} partners × ${touches.length} touches. Every message below is rendered exactly as it will be sent.</p>
<table><thead><tr><th scope="col">Partner</th><th scope="col">Page</th>${head}</tr></thead><tbody>${rows}</tbody></table>`,
  );
}

export async function galleryEmail(
  options: GalleryOptions,
  touchId: string,
  partnerId: string,
): Promise<string | undefined> {
  const { campaign, secret } = options;
  const touch = campaign.touches.find((t) => t.id === touchId);
  const partner = campaign.partners.find((p) => p.id === partnerId);
  if (!touch || !partner) return undefined;
  const result = await tryRenderMessage(campaign, touch, partner, secret ? { secret } : {});
  if (!result.ok) {
    return page(
      'Render failed',
      `<h1 class="error">This message does not render</h1><ul>${result.problems.map((p) => `<li>${escapeHtml(formatProblem(p))}</li>`).join('')}</ul>`,
    );
  }
  const m = result.message;
  return page(
    `${touch.id} → ${partner.company}`,
    `<p>${link('/', '← all messages')}</p>
<dl class="meta"><dt>From</dt><dd>${escapeHtml(`${m.from.name} <${m.from.email}>`)}</dd>
<dt>To</dt><dd>${escapeHtml(`${m.toName} <${m.to}>`)} (${m.recipient})</dd>
<dt>Reply-To</dt><dd>${escapeHtml(m.replyTo)}</dd>
<dt>Subject</dt><dd>${escapeHtml(m.subject)}</dd>
<dt>Preheader</dt><dd>${escapeHtml(m.preheader)}</dd>
<dt>Sends at</dt><dd>${escapeHtml(when(campaign, touch.at))} to audience “${escapeHtml(touch.audience)}”</dd></dl>
<h2>HTML</h2><iframe sandbox="" title="HTML part" srcdoc="${escapeHtml(m.html)}"></iframe>
<h2>Plain text</h2><pre>${escapeHtml(m.text)}</pre>`,
  );
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css',
  '.js': 'text/javascript',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.xml': 'application/xml',
};

/** Starts the gallery on 127.0.0.1. */
export function startGallery(options: GalleryOptions, port: number): Promise<Server> {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    try {
      if (url.pathname === '/') {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(galleryIndex(options));
        return;
      }
      const email = /^\/email\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (email) {
        const html = await galleryEmail(
          options,
          decodeURIComponent(email[1] ?? ''),
          decodeURIComponent(email[2] ?? ''),
        );
        res
          .writeHead(html ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8' })
          .end(html ?? 'Not found');
        return;
      }
      if (options.clientDir) {
        // Static files of the build; normalise so "../" cannot leave the folder.
        const root = resolve(options.clientDir);
        let file = normalize(join(root, decodeURIComponent(url.pathname)));
        if (file.startsWith(root) && existsSync(file) && statSync(file).isDirectory())
          file = join(file, 'index.html');
        if (file.startsWith(root) && existsSync(file)) {
          res.writeHead(200, { 'Content-Type': types[extname(file)] ?? 'application/octet-stream' });
          createReadStream(file).pipe(res);
          return;
        }
      }
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
    } catch (error) {
      res.writeHead(500, { 'Content-Type': 'text/plain' }).end(String(error));
    }
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolvePromise(server));
  });
}
