/**
 * Renders a partner page through the built server, for `aircover build` to write as a static
 * file (src/lib/build/partner-render.ts). Part of the server bundle, because only there does
 * Astro's app know its routes, styles and CSP hashes; exported from dist/server/entry.mjs.
 *
 * Rendered on demand, Astro sends the page's CSP (its script and style hashes) as a header. A
 * static file has no header of its own, so the policy goes into the page as the `<meta>` that
 * Astro writes into prerendered pages, first in the head, before anything it governs.
 */
import { createApp } from 'astro/app/entrypoint';
import type { PartnerPage } from '../lib/campaign/site.ts';
import { securityHeaders } from './headers.ts';

let app: ReturnType<typeof createApp> | undefined;

const attribute = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The page as HTML with its policy in a `<meta>`; throws with the status when it is not 200. */
export async function renderPartnerPage(page: PartnerPage, site = 'http://localhost'): Promise<string> {
  // Not streamed: a string is faster to write, as Astro's own prerendering does.
  app ??= createApp({ streaming: false });
  const response = await app.render(new Request(new URL(`/p/${page.token}/`, site)), {
    locals: { partnerPage: page } as App.Locals,
  });
  const html = await response.text();
  if (response.status !== 200)
    throw new Error(
      `The partner page ${page.token} rendered with status ${response.status}: ${html.slice(0, 200)}`,
    );
  return withPolicyMeta(html, response.headers.get('content-security-policy'), `/p/${page.token}/`);
}

/**
 * The header carries two policies (a comma between them): the page's own, from Astro, and the
 * one the server sends with every response, static files included (src/server/headers.ts).
 * The page's goes into the `<meta>`; the server's stays a header, where its frame-ancestors
 * works (a `<meta>` policy ignores it).
 */
export function withPolicyMeta(html: string, header: string | null, pathname = '/p/'): string {
  const served = securityHeaders(pathname)['content-security-policy'];
  const own = (header ?? '')
    .split(',')
    .map((one) => one.trim())
    .filter((one) => one && one !== served);
  // A `<meta>` holds one policy; a second of unknown origin is not ours to drop or merge.
  if (own.length > 1) throw new Error(`A partner page with ${own.length} policies of its own: ${header}`);
  const policy = own[0];
  if (!policy) return html;
  // After the charset, which must come first, and before anything the policy governs.
  const head = /<head(?:\s[^>]*)?>(?:\s*<meta charset=[^>]*>)?/i.exec(html);
  if (!head) throw new Error('A partner page without <head>: nowhere to put its content security policy');
  const at = head.index + head[0].length;
  return `${html.slice(0, at)}<meta http-equiv="content-security-policy" content="${attribute(policy)}">${html.slice(at)}`;
}
