/**
 * The card cache is pruned of cards no output folder uses: the stamps of the builds say which
 * they use; a card younger than an hour stays (another build or the server may be writing it),
 * and a stamp that does not list its cards keeps them all.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cardsInUse } from '../../src/lib/build/up-to-date.ts';
import { pruneCards } from '../../src/lib/og/prune.ts';

let state: string;
let og: string;
const builds = () => join(state, 'cache', 'builds');
const hash = (c: string) => c.repeat(64);

function card(name: string, ageHours: number): void {
  const file = join(og, `${name}.png`);
  writeFileSync(file, 'png');
  const when = new Date(Date.now() - ageHours * 3_600_000);
  utimesSync(file, when, when);
}

beforeEach(() => {
  state = mkdtempSync(join(tmpdir(), 'aircover-prune-'));
  og = join(state, 'cache', 'og');
  mkdirSync(og, { recursive: true });
  mkdirSync(builds(), { recursive: true });
});
afterEach(() => rmSync(state, { recursive: true, force: true }));

describe('pruning the card cache', () => {
  it('deletes the old cards no stamp lists, and keeps the used and the recent', async () => {
    writeFileSync(join(builds(), 'a.json'), JSON.stringify({ key: 'k', files: [], cards: [hash('a')] }));
    writeFileSync(join(builds(), 'b.json'), JSON.stringify({ key: 'k', files: [], cards: [hash('b')] }));
    card(hash('a'), 48);
    card(hash('b'), 48);
    card(hash('c'), 48); // used by no build: goes
    card(hash('d'), 0.1); // unused but new: stays
    expect(await pruneCards(cardsInUse(state), og)).toBe(1);
    expect(readdirSync(og).sort()).toEqual([hash('a'), hash('b'), hash('d')].map((h) => `${h}.png`));
  });

  it('keeps every card when a stamp does not say which it uses', async () => {
    writeFileSync(join(builds(), 'a.json'), JSON.stringify({ key: 'k', files: [], cards: [hash('a')] }));
    writeFileSync(join(builds(), 'old.json'), JSON.stringify({ key: 'k', files: [] }));
    card(hash('c'), 48);
    expect(cardsInUse(state)).toBeUndefined();
    expect(await pruneCards(cardsInUse(state), og)).toBe(0);
    expect(readdirSync(og)).toEqual([`${hash('c')}.png`]);
  });
});
