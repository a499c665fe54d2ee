import type { APIRoute } from 'astro';

// Personal pages, advance copies and the on-demand routes are not for crawlers.
export const GET: APIRoute = ({ site }) =>
  new Response(
    [
      'User-agent: *',
      'Disallow: /p/',
      'Disallow: /preview/',
      'Disallow: /admin/',
      'Disallow: /api/',
      `Sitemap: ${new URL('/sitemap-index.xml', site).href}`,
      '',
    ].join('\n'),
    { headers: { 'Content-Type': 'text/plain; charset=utf-8' } },
  );
