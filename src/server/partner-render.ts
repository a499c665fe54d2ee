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
  return withPolicyMeta(html, response.headers.get('content-security-policy'));
}

export function withPolicyMeta(html: string, header: string | null): string {
  // A `<meta>` holds one policy; the build's renders skip the middleware that adds the
  // server's own (src/middleware.ts), so a second is not ours to drop or merge.
  if (header?.includes(','))
    throw new Error(`A partner page rendered with more than one content security policy: ${header}`);
  const policy = header?.trim();
  if (!policy) return html;
  // After the charset, which must come first, and before anything the policy governs.
  const head = /<head(?:\s[^>]*)?>(?:\s*<meta charset=[^>]*>)?/i.exec(html);
  if (!head) throw new Error('A partner page without <head>: nowhere to put its content security policy');
  const at = head.index + head[0].length;
  return `${html.slice(0, at)}<meta http-equiv="content-security-policy" content="${attribute(policy)}">${html.slice(at)}`;
}
