/** A campaign of five partners, one per zone, with a weekday 08:30–10:30 send window. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify as csv } from 'csv-stringify/sync';
import { parse as parseYaml, stringify } from 'yaml';
import { type Fixture, makeFixture } from '../send/fixture.ts';

export const zones = [
  'Pacific/Honolulu',
  'America/New_York',
  'Europe/Berlin',
  'Australia/Sydney',
  'Asia/Kolkata',
];

/** A fixture of five partners, one per zone, with a weekday 08:30–10:30 window. */
export function windowFixture(extra: Record<string, unknown> = {}): Fixture {
  const f = makeFixture({
    count: zones.length,
    touches: ['advance-notice', 'follow-up'],
    when: { 'advance-notice': '2027-03-10T12:00:00Z' },
  });
  const rows = parse(readFileSync(join(f.dir, 'partners.csv'), 'utf8')) as string[][];
  const header = rows[0] as string[];
  const zoneCol = header.indexOf('time_zone');
  rows.slice(1).forEach((row, i) => {
    row[zoneCol] = zones[i] as string;
  });
  writeFileSync(join(f.dir, 'partners.csv'), csv(rows));
  const def = parseYaml(readFileSync(join(f.dir, 'campaign.yaml'), 'utf8')) as Record<string, unknown>;
  def.sendWindow = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:30', end: '10:30' };
  Object.assign(def, extra);
  writeFileSync(join(f.dir, 'campaign.yaml'), stringify(def));
  return f;
}
