/**
 * Builds the sample site and a fixture site (published, preview and draft papers, a draft
 * post) with the real Astro build, then reads the output as a crawler and a reader would.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { SyntaxValidator } from 'fast-xml-validator';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildEnv,
  ensureBuild,
  FIXTURE,
  NO_CAMPAIGNS,
  runCli,
  SAMPLE,
  type SiteBuild,
} from '../helpers/site-build.ts';
import { pngSize } from './png.ts';

const SITE = 'http://localhost:4321';

function htmlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.html'))
    .map((file) => join(dir, file));
}

const pagePath = (client: string, file: string) =>
  `/${relative(client, file)
    .replace(/index\.html$/, '')
    .replace(/\.html$/, '')}`;

const meta = (html: string, attr: 'name' | 'property', key: string) =>
  new RegExp(`<meta ${attr}="${key}" content="([^"]*)"`).exec(html)?.[1];

const allText = (dir: string) =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((file) => join(dir, file))
    .filter((file) => /\.(html|xml|txt|js|json|mjs)$/.test(file))
    .map((file) => readFileSync(file, 'utf8'))
    .join('\n');

describe('fixture site: what gets built', () => {
  let build: SiteBuild;
  beforeAll(async () => {
    build = await ensureBuild('fixture', FIXTURE);
  });

  it('builds the published paper, never the draft, and the preview only at an unlisted URL', () => {
    const client = build.client;
    expect(existsSync(join(client, 'whitepapers/paper-published/index.html'))).toBe(true);
    expect(existsSync(join(client, 'whitepapers/paper-draft'))).toBe(false);
    expect(existsSync(join(client, 'whitepapers/paper-preview'))).toBe(false);
    const previews = readdirSync(join(client, 'preview'));
    expect(previews).toHaveLength(1);
    expect(previews[0]).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const preview = readFileSync(join(client, 'preview', previews[0] as string, 'index.html'), 'utf8');
    expect(preview).toContain('SECRET-preview-BODY');
    expect(preview).toContain('<meta name="robots" content="noindex, nofollow">');
    // The draft's text appears nowhere in the output, server or client.
    expect(allText(build.dir)).not.toContain('SECRET-draft');
  });

  it('keeps previews and drafts out of the sitemap, RSS and every index page', () => {
    const client = build.client;
    const sitemap = readFileSync(join(client, 'sitemap-0.xml'), 'utf8');
    const rss = readFileSync(join(client, 'rss.xml'), 'utf8');
    for (const xml of [sitemap, rss]) {
      // Throws, naming line and column, on XML that is not well-formed.
      expect(SyntaxValidator.validate(xml)).toBe(true);
      expect(xml).not.toMatch(/paper-draft|paper-preview|draft-post|\/preview\//);
    }
    expect(sitemap).toContain(`${SITE}/whitepapers/paper-published/`);
    const items = new XMLParser().parse(rss).rss.channel.item;
    expect(items.map((item: { title: string }) => item.title).sort()).toEqual([
      'A published fixture post',
      'The published paper',
    ]);
    const previewKey = readdirSync(join(client, 'preview'))[0] as string;
    for (const file of htmlFiles(client).filter((f) => !f.includes('/preview/'))) {
      const html = readFileSync(file, 'utf8');
      expect(html, file).not.toContain(previewKey);
      expect(html, file).not.toContain('The draft paper');
    }
  });

  it('never renders the webinar join link into public HTML', () => {
    expect(allText(build.client)).not.toContain('SECRET-JOIN-LINK');
  });

  it('names a preview paper on the webinar page without linking to it', () => {
    const html = readFileSync(join(build.client, 'webinars/fixture-webinar/index.html'), 'utf8');
    expect(html).toContain('our upcoming paper <em>The preview paper</em>');
    expect(html).not.toMatch(/href="[^"]*paper-preview/);
  });
});

describe('sample site', () => {
  let build: SiteBuild;
  beforeAll(async () => {
    build = await ensureBuild('sample', SAMPLE);
  });

  it('has the pages a reader expects', () => {
    for (const path of [
      'index.html',
      '404.html',
      'whitepapers/index.html',
      'whitepapers/cold-chain-warm-margins/index.html',
      'blog/index.html',
      'blog/spoilage-hides-in-the-handoffs/index.html',
      'blog/what-integrators-ask-us-first/index.html',
      'webinars/index.html',
      'webinars/integrators-share-live/index.html',
      'authors/maren-holt/index.html',
      'authors/tomas-okafor/index.html',
      'rss.xml',
      'sitemap-index.xml',
      'robots.txt',
    ]) {
      expect(existsSync(join(build.client, path)), path).toBe(true);
    }
  });

  it('gives every public page a canonical URL and a 1200×630 PNG card', () => {
    const pages = htmlFiles(build.client).filter((f) => !/\/(p|preview)\/|404\.html$/.test(f));
    expect(pages.length).toBeGreaterThanOrEqual(10);
    for (const file of pages) {
      const html = readFileSync(file, 'utf8');
      const path = pagePath(build.client, file);
      expect(html, path).toContain(`<link rel="canonical" href="${SITE}${path}">`);
      const image = meta(html, 'property', 'og:image');
      expect(image, `${path} og:image`).toMatch(new RegExp(`^${SITE}/og/.+\\.png$`));
      expect(meta(html, 'name', 'twitter:card'), path).toBe('summary_large_image');
      const png = readFileSync(join(build.client, new URL(image as string).pathname));
      expect(pngSize(png), `${path} card`).toEqual({ width: 1200, height: 630 });
    }
  });

  it('describes papers, posts and webinars with JSON-LD of the right type', () => {
    const ld = (path: string) => {
      const html = readFileSync(join(build.client, path), 'utf8');
      const json = /<script type="application\/ld\+json">(.*?)<\/script>/s.exec(html)?.[1];
      return JSON.parse(json ?? 'null');
    };
    expect(ld('whitepapers/cold-chain-warm-margins/index.html')['@type']).toBe('Article');
    expect(ld('blog/spoilage-hides-in-the-handoffs/index.html')['@type']).toBe('BlogPosting');
    const event = ld('webinars/integrators-share-live/index.html');
    expect(event['@type']).toBe('Event');
    expect(event.eventAttendanceMode).toBe('https://schema.org/OnlineEventAttendanceMode');
    expect(event.startDate).toBe('2027-01-21T15:00:00.000Z');
  });

  it('ships no client JavaScript on content pages, except the webinar time and the paper beacon', () => {
    const paper = readFileSync(join(build.client, 'whitepapers/cold-chain-warm-margins/index.html'), 'utf8');
    // The public paper carries only the partner beacon: it counts a partner who came from their
    // page (?p=<token>) and does nothing for anyone else.
    const scripts = [
      ...paper.matchAll(/<script(?! type="application\/ld\+json")([^>]*)>([\s\S]*?)<\/script>/g),
    ];
    expect(scripts).toHaveLength(1);
    const src = /src="([^"]+)"/.exec(scripts[0]?.[1] ?? '')?.[1];
    const code = src ? readFileSync(join(build.client, src), 'utf8') : (scripts[0]?.[2] ?? '');
    expect(code).toContain('/api/events');
    const webinar = readFileSync(join(build.client, 'webinars/integrators-share-live/index.html'), 'utf8');
    expect(webinar).toMatch(/<script type="module"/);
  });
});

describe('invalid content', () => {
  it('fails the build naming the file and the field', async () => {
    const { code, stdout, stderr } = await runCli(
      ['build'],
      buildEnv('broken', { contentDir: 'tests/fixtures/broken-content', campaignsDir: NO_CAMPAIGNS }),
    );
    expect(code).toBe(1);
    const output = stdout + stderr;
    expect(output).toContain('bad-zone');
    expect(output).toContain('timeZone');
    expect(output).toContain('IANA time zone');
  });
});
