/** The public pages' cards as the build's warm-up computes them from frontmatter alone. */
import { describe, expect, it } from 'vitest';
import { readContent } from '../../src/lib/content/read.ts';
import { publicCards } from '../../src/lib/og/public-cards.ts';
import { siteSettings } from '../../src/lib/site.ts';

describe('public cards', () => {
  it('cover every public page and no draft or advance copy', () => {
    const content = readContent('tests/fixtures/site-content');
    expect(content.problems).toEqual([]);
    const cards = publicCards({
      site: { ...siteSettings('tests/fixtures/site-content') },
      papers: [...content.whitepapers.values()],
      posts: [...content.blog.values()],
      webinars: [...content.webinars.values()],
      authors: [...content.authors.values()],
    });
    const paths = cards.map((c) => c.path).sort();
    expect(paths).toEqual([
      'authors/ada-fixture',
      'blog',
      'blog/fixture-post',
      'index',
      'webinars',
      'webinars/fixture-webinar',
      'whitepapers',
      'whitepapers/paper-published',
    ]);
    const paper = cards.find((c) => c.path === 'whitepapers/paper-published');
    expect(paper?.content).toMatchObject({
      eyebrow: 'White paper',
      title: 'The published paper',
      footer: 'Fixture Co',
    });
  });
});
