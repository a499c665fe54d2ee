/**
 * The card of every public page, from plain entries (`{ id, data }`). One function serves the
 * Astro endpoint that serves the cards (entries from the content collections) and the build's
 * card drawing beside Astro (entries from src/lib/content/read.ts), so both
 * always agree on what a card says and therefore on its cache key.
 */
import { isPublicPaper, isPublicPost } from '../publishing.ts';
import type { SiteSettings } from '../site.ts';
import { formatInZone, localeFromOpenGraph } from '../time/format.ts';
import type { CardContent } from './card.ts';

interface Entry<T> {
  id: string;
  data: T;
}

export interface PublicCardSources {
  site: SiteSettings;
  papers: Entry<{ title: string; subtitle?: string | undefined; status: string; publishDate: Date }>[];
  posts: Entry<{ title: string; draft: boolean; publishDate: Date }>[];
  webinars: Entry<{ title: string; start: Date; timeZone: string }>[];
  authors: Entry<{ name: string; role: string }>[];
}

/** Path under /og/ (without `.png`) and content of every public page's card. */
export function publicCards({ site, papers, posts, webinars, authors }: PublicCardSources) {
  const card = (path: string, content: Omit<CardContent, 'footer'>) => ({
    path,
    content: { ...content, footer: site.name } as CardContent,
  });
  return [
    card('index', { eyebrow: site.name, title: site.tagline }),
    card('whitepapers', { eyebrow: 'White papers', title: 'Case studies with the numbers behind them' }),
    card('blog', { eyebrow: 'Blog', title: `Field notes from ${site.name}` }),
    card('webinars', { eyebrow: 'Webinars', title: 'Live sessions on our findings' }),
    ...papers
      .filter((p) => isPublicPaper(p.data))
      .map((p) =>
        card(`whitepapers/${p.id}`, {
          eyebrow: 'White paper',
          title: p.data.title,
          subtitle: p.data.subtitle,
        }),
      ),
    ...posts
      .filter((p) => isPublicPost(p.data))
      .map((p) => card(`blog/${p.id}`, { eyebrow: 'Blog', title: p.data.title })),
    ...webinars.map((w) =>
      card(`webinars/${w.id}`, {
        eyebrow: 'Webinar',
        title: w.data.title,
        subtitle: formatInZone(w.data.start, w.data.timeZone, localeFromOpenGraph(site.locale)),
        accent: '#7c3aed',
      }),
    ),
    ...authors.map((a) => card(`authors/${a.id}`, { eyebrow: a.data.role, title: a.data.name })),
  ];
}
