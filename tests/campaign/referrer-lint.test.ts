/**
 * The preflight's one-note-per-referrer lint (src/lib/campaign/lint-referrer.ts): an error when a
 * referrer would get more than one message per referrer-nudge touch (one person under two
 * addresses), or one note that names only the first of the partners they introduced.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCampaign } from '../../src/lib/campaign/load.ts';
import { preflightCampaign } from '../../src/lib/campaign/preflight.ts';
import { contentDir, FIXTURE_SECRET, type Fixture, makeFixture, setReferrers } from '../send/fixture.ts';

const fixtures: Fixture[] = [];
afterAll(() => {
  for (const f of fixtures) rmSync(f.root, { recursive: true, force: true });
});

async function codes(f: Fixture): Promise<string[]> {
  const loaded = loadCampaign(f.dir, { contentDir });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const report = await preflightCampaign(loaded.campaign, { secret: FIXTURE_SECRET });
  return report.problems.filter((p) => p.code.startsWith('referrer.')).map((p) => `${p.severity} ${p.code}`);
}

function fixture(): Fixture {
  const f = makeFixture({ count: 5, touches: ['advance-notice', 'follow-up', 'referrer-nudge'] });
  fixtures.push(f);
  return f;
}

describe('one note per referrer per touch', () => {
  it('passes one referrer of three partners under one address (in any case)', async () => {
    const f = fixture();
    setReferrers(f, {
      0: ['Aoife Brennan', 'aoife@ref.example.org'],
      1: ['Aoife Brennan', 'Aoife@Ref.example.org'],
      2: ['Aoife Brennan', 'aoife@ref.example.org'],
    });
    expect(await codes(f)).toEqual([]);
  });

  it('errs when one referrer is written with two addresses: two notes in one touch', async () => {
    const f = fixture();
    setReferrers(f, {
      0: ['Aoife Brennan', 'aoife@ref.example.org'],
      1: ['Aoife  brennan', 'aoife.brennan@ref.example.org'],
      2: ['Tomasz Nowak', 'tomasz@ref.example.org'],
      3: ['T. Nowak', 'tomasz+partners@ref.example.org'],
    });
    expect(await codes(f)).toEqual(['error referrer.several-notes', 'error referrer.several-notes']);
  });

  it('errs when a referrer of several partners gets a note whose template never lists them', async () => {
    const f = fixture();
    setReferrers(f, {
      0: ['Aoife Brennan', 'aoife@ref.example.org'],
      1: ['Aoife Brennan', 'aoife@ref.example.org'],
    });
    writeFileSync(
      join(f.dir, 'emails/referrer-nudge.md'),
      '---\nsubject: "About {{ partner.first_name }}"\n---\nHello {{ recipient.first_name }}, a word about {{ partner.first_name }} would help.\n',
    );
    expect(await codes(f)).toEqual(['error referrer.note-lists-one']);
  });
});
