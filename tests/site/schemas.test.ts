import { z } from 'astro/zod';
import { describe, expect, it } from 'vitest';
import { authorSchema } from '../../src/schemas/author.ts';
import { blogSchema } from '../../src/schemas/blog.ts';
import type { SchemaContext } from '../../src/schemas/helpers.ts';
import { webinarSchema } from '../../src/schemas/webinar.ts';
import { whitepaperSchema } from '../../src/schemas/whitepaper.ts';

// Stand-ins for Astro's helpers: an image is a path, a reference an id.
const ctx = { image: () => z.string(), reference: () => z.string() } as unknown as SchemaContext;

const paper = {
  title: 'A paper',
  summary: 'A summary long enough to pass the minimum length.',
  customer: { name: 'Nordhavn Fresh', industry: 'Food distribution', size: '640 employees' },
  keyResults: [{ label: 'Less spoilage', value: 38, unit: '%' }],
  authors: ['maren-holt'],
  publishDate: '2026-09-15',
  status: 'published',
  cover: { src: './cover.svg', alt: 'A truck at a loading bay' },
};

const paths = (result: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) =>
  result.error?.issues.map((issue) => issue.path.join('.')) ?? [];

describe('white paper schema', () => {
  it('accepts a complete paper and defaults what may be left out', () => {
    const result = whitepaperSchema(ctx).parse(paper);
    expect(result.publishDate).toBeInstanceOf(Date);
    expect(result.relatedPosts).toEqual([]);
    expect(result.keyResults[0]?.unit).toBe('%');
  });

  it('defaults the status to draft, so nothing is published by accident', () => {
    const { status: _status, ...rest } = paper;
    expect(whitepaperSchema(ctx).parse(rest).status).toBe('draft');
  });

  it('names the field when the cover has no alt text', () => {
    const result = whitepaperSchema(ctx).safeParse({ ...paper, cover: { src: './c.svg', alt: '  ' } });
    expect(result.success).toBe(false);
    expect(paths(result)).toContain('cover.alt');
  });

  it('rejects an unknown status and a paper without key results', () => {
    const result = whitepaperSchema(ctx).safeParse({ ...paper, status: 'live', keyResults: [] });
    expect(paths(result)).toEqual(expect.arrayContaining(['status', 'keyResults']));
  });

  it('documents every top-level field', () => {
    const shape = whitepaperSchema(ctx).shape;
    for (const [name, field] of Object.entries(shape)) {
      expect(field.description, `${name} has no .describe()`).toBeTruthy();
    }
  });
});

describe('webinar schema', () => {
  const webinar = {
    title: 'Live: the findings',
    abstract: 'What integrators earned from monitoring, discussed live.',
    start: '2027-01-21T15:00:00Z',
    timeZone: 'Europe/Copenhagen',
    durationMinutes: 45,
    speakers: ['maren-holt'],
    joinUrl: 'https://meet.example.com/x',
  };

  it('reads the start as an instant, from a string or a YAML date', () => {
    expect(webinarSchema(ctx).parse(webinar).start.toISOString()).toBe('2027-01-21T15:00:00.000Z');
    const fromDate = webinarSchema(ctx).parse({ ...webinar, start: new Date('2027-01-21T15:00:00Z') });
    expect(fromDate.start.getTime()).toBe(Date.parse('2027-01-21T15:00:00Z'));
  });

  it('rejects a start without an offset, an unknown zone and a bad join URL', () => {
    const result = webinarSchema(ctx).safeParse({
      ...webinar,
      start: '2027-01-21 15:00',
      timeZone: 'Mars/Olympus',
      joinUrl: 'not a url',
    });
    expect(paths(result)).toEqual(expect.arrayContaining(['start', 'timeZone', 'joinUrl']));
  });
});

describe('blog and author schemas', () => {
  it('accepts a post and defaults draft to false', () => {
    const post = blogSchema(ctx).parse({
      title: 'A post',
      description: 'A description that is long enough.',
      publishDate: '2026-10-02',
      authors: ['tomas-okafor'],
    });
    expect(post.draft).toBe(false);
    expect(post.tags).toEqual([]);
  });

  it('requires alt text on an author photo', () => {
    const result = authorSchema(ctx).safeParse({
      name: 'Maren Holt',
      role: 'Head of Partnerships',
      bio: 'Builds partner programmes.',
      photo: { src: './m.svg' },
    });
    expect(paths(result)).toContain('photo.alt');
  });
});
