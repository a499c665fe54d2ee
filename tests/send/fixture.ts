/**
 * A synthetic campaign with many partners, generated in a temp folder: the sample campaign's
 * templates and copy, content from `content/`, and a partners.csv of `count` rows cycling
 * through the sample partners (ids and addresses made unique).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { parse as parseYaml, stringify } from 'yaml';

/** No vitest imports here: bench/send.ts uses this fixture too. */
export const projectRoot = resolve(import.meta.dirname, '../..');
export const FIXTURE_SECRET = 'send-fixture-secret-0123456789-abcdefghijklmnop';

export const sampleDir = join(projectRoot, 'campaigns', 'sample');
export const contentDir = join(projectRoot, 'content');

export interface Fixture {
  root: string;
  campaignsDir: string;
  campaign: string;
  dir: string;
  /** Environment for the CLI: secret, state, data and outbox folders in the temp root. */
  env: Record<string, string>;
  /** Partner ids in file order. */
  ids: string[];
  emailOf: (id: string) => string;
}

export interface FixtureOptions {
  count: number;
  /** Touch ids to keep (default: advance-notice and follow-up). */
  touches?: string[];
  /** Overrides of a touch's `when` (e.g. a past date for --due). */
  when?: Record<string, string>;
  name?: string;
}

export function makeFixture(options: FixtureOptions): Fixture {
  const root = mkdtempSync(join(tmpdir(), 'aircover-send-'));
  const name = options.name ?? 'synthetic';
  const campaignsDir = join(root, 'campaigns');
  const dir = join(campaignsDir, name);
  mkdirSync(join(dir, 'emails'), { recursive: true });
  for (const file of readdirSync(join(sampleDir, 'emails'))) {
    copyFileSync(join(sampleDir, 'emails', file), join(dir, 'emails', file));
  }
  const def = parseYaml(readFileSync(join(sampleDir, 'campaign.yaml'), 'utf8')) as {
    touches: { id: string; when: unknown }[];
  };
  const keep = new Set(options.touches ?? ['advance-notice', 'follow-up']);
  def.touches = def.touches.filter((t) => keep.has(t.id));
  for (const touch of def.touches) {
    const override = options.when?.[touch.id];
    if (override) touch.when = override;
    // Offsets from touches that were dropped: anchor on the first touch kept.
    const when = touch.when as { after?: string };
    if (typeof when === 'object' && when.after && !keep.has(when.after)) {
      when.after = def.touches[0]?.id as string;
    }
  }
  writeFileSync(join(dir, 'campaign.yaml'), stringify(def));

  const rows = parse(readFileSync(join(sampleDir, 'partners.csv'), 'utf8'), { bom: true }) as string[][];
  const header = rows[0] as string[];
  const sample = rows.slice(1);
  const col = (n: string) => header.indexOf(n);
  const ids: string[] = [];
  const emails = new Map<string, string>();
  const out = [header];
  for (let i = 0; i < options.count; i++) {
    const row = [...(sample[i % sample.length] as string[])];
    const id = `p${String(i).padStart(5, '0')}-${row[col('id')]}`;
    const email = `partner${i}@example${i % 7}.com`;
    row[col('id')] = id;
    row[col('email')] = email;
    // Gatekeeper and referrer addresses unique per row too, and so the referrer's name: one
    // person with one address per row (the referrer lint refuses one name at many addresses).
    for (const c of ['gatekeeper_1_email', 'gatekeeper_2_email', 'referrer_email']) {
      const k = col(c);
      if (k >= 0 && row[k]) row[k] = `${c.split('_')[0]}${i}@example.org`;
    }
    const referrerName = col('referrer_name');
    if (i >= sample.length && referrerName >= 0 && row[referrerName])
      row[referrerName] = `${row[referrerName]} ${i}`;
    ids.push(id);
    emails.set(id, email);
    out.push(row);
  }
  const csv = out
    .map((r) => r.map((cell) => (/[",\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell)).join(','))
    .join('\n');
  writeFileSync(join(dir, 'partners.csv'), `${csv}\n`);
  return {
    root,
    campaignsDir,
    campaign: name,
    dir,
    env: {
      AIRCOVER_SECRET: FIXTURE_SECRET,
      AIRCOVER_STATE_DIR: join(root, 'state'),
      AIRCOVER_DATA_DIR: join(root, 'data'),
      AIRCOVER_OUTBOX_DIR: join(root, 'outbox'),
      AIRCOVER_CAMPAIGNS_DIR: campaignsDir,
      AIRCOVER_CONTENT_DIR: contentDir,
      DATABASE_URL: '',
      RESEND_API_KEY: '',
    },
    ids,
    emailOf: (id) => emails.get(id) as string,
  };
}

/** partners.csv with the given referrers (by row index); every other row has none. */
export function setReferrers(f: Fixture, referrers: Record<number, [name: string, email: string]>) {
  const file = join(f.dir, 'partners.csv');
  const rows = parse(readFileSync(file, 'utf8'), { bom: true }) as string[][];
  const header = rows[0] as string[];
  const col = (n: string) => header.indexOf(n);
  rows.slice(1).forEach((row, i) => {
    const [name, email] = referrers[i] ?? ['', ''];
    row[col('referrer_name')] = name;
    row[col('referrer_email')] = email;
    row[col('referrer_relationship')] = name ? 'a former colleague' : '';
  });
  const csv = rows
    .map((r) => r.map((cell) => (/[",\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell)).join(','))
    .join('\n');
  writeFileSync(file, `${csv}\n`);
}
