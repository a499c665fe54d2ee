import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadCampaign } from '../../src/lib/campaign/load.ts';
import { parsePartners } from '../../src/lib/campaign/partners.ts';
import { checkCampaign } from '../../src/lib/campaign/preflight.ts';
import type { Problem } from '../../src/lib/campaign/problems.ts';
import { contentDir, craft, fixtureDir, secret } from './helpers.ts';

const check = (dir: string, strict = false) => checkCampaign(dir, { contentDir, secret, strict });
const errors = (problems: Problem[]) => problems.filter((p) => p.severity === 'error');
const find = (problems: Problem[], code: string) => problems.filter((p) => p.code === code);

describe('preflight', () => {
  it('passes the fixture and the sample campaign with zero errors and zero warnings', async () => {
    for (const dir of [fixtureDir, 'campaigns/sample']) {
      const report = await check(dir, true);
      expect(report.problems).toEqual([]);
      expect(report.messages).toBeGreaterThan(0);
      expect(report.pages).toBe(report.partners);
    }
  });

  it('names the partner, row, template, line and variable of a missing value', async () => {
    const dir = craft({ 'partners.csv': (csv) => csv.replace('warm trailers', '') });
    const report = await check(dir);
    const missing = find(report.problems, 'template.missing-variable');
    expect(missing.length).toBeGreaterThan(0);
    const body = missing.find((p) => p.field === 'body');
    expect(body).toMatchObject({ partner: 'acme', row: 2, variable: 'partner.pain', line: 7 });
    expect(body?.file).toMatch(/emails\/advance-notice\.md$/);
    expect(find(report.problems, 'template.missing-variable').some((p) => p.field === 'landing.intro')).toBe(
      true,
    );
    expect(report.ok).toBe(false);
  });

  it('gives the join link only to touches for registrants', async () => {
    // advance-notice goes to everyone: using the join link there is an error, not a leak.
    const leaking = craft({ 'emails/advance-notice.md': (md) => `${md}\n[Join]({{ webinar.join_url }})\n` });
    const missing = find((await check(leaking)).problems, 'template.missing-variable');
    expect(missing.map((p) => p.variable)).toContain('webinar.join_url');
    // The same line in a touch for registrants renders the link.
    const registered = craft({
      'campaign.yaml': (yaml) =>
        yaml.replace(/(id: advance-notice\n(?:\s+\w+: .*\n)*?\s+when: .*\n)/, '$1    audience: registered\n'),
      'emails/advance-notice.md': (md) => `${md}\n[Join]({{ webinar.join_url }})\n`,
    });
    const report = await check(registered);
    expect(errors(report.problems)).toEqual([]);
  });

  it('accepts a deliberate fallback with | default:', async () => {
    const dir = craft({
      'partners.csv': (csv) => csv.replace('warm trailers', ''),
      'emails/advance-notice.md': (t) =>
        t.replace('{{ partner.pain }}', '{{ partner.pain | default: "cold rooms" }}'),
      'campaign.yaml': (y) => y.replace('{{ partner.pain }}', "{{ partner.pain | default: 'spoilage' }}"),
    });
    expect(errors((await check(dir)).problems)).toEqual([]);
  });

  it('reports an unknown column used by a template, once, with file and line', async () => {
    const dir = craft({
      'emails/follow-up.md': (t) => t.replace('Something new', '{{ partner.favourite_fish }}'),
    });
    const problems = find((await check(dir)).problems, 'template.unknown-column');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ variable: 'partner.favourite_fish', touch: 'follow-up' });
    expect(problems[0]?.file).toMatch(/follow-up\.md$/);
  });

  it('reports bad rows: bad email, duplicate id and email, bad time zone, with row and column', async () => {
    const dir = craft({
      'partners.csv': (csv) =>
        `${csv}acme,Dup Co,Di,Dup,CEO,ADA@acme.example.com,Mars/Olympus,x,y,,,\nbad,Bad Co,Bea,Bad,CEO,not-an-email,,x,y,,,\n`,
    });
    const report = await check(dir);
    const at = (code: string) => find(report.problems, code).map((p) => [p.row, p.field]);
    expect(at('csv.duplicate-id')).toEqual([[4, 'id']]);
    expect(at('csv.duplicate-email')).toEqual([[4, 'email']]);
    expect(at('csv.bad-time-zone')).toEqual([[4, 'time_zone']]);
    expect(at('csv.bad-email')).toEqual([[5, 'email']]);
    for (const p of errors(report.problems)) expect(p.file).toMatch(/partners\.csv$/);
  });

  it('reports a bad touch reference and a cycle with file, line and field', async () => {
    const dir = craft({
      'campaign.yaml': (y) =>
        y
          .replace('after: advance-notice', 'after: announce')
          .replace('after: follow-up', 'after: referrer-nudge'),
    });
    const report = await check(dir);
    const unknown = find(report.problems, 'schedule.unknown-touch');
    expect(unknown).toHaveLength(1);
    expect(unknown[0]).toMatchObject({ touch: 'follow-up', field: 'touches.1.when', line: 26 });
    expect(unknown[0]?.file).toMatch(/campaign\.yaml$/);
    expect(find(report.problems, 'schedule.cycle')[0]).toMatchObject({ touch: 'referrer-nudge', line: 31 });
  });

  it('reports bad yaml fields with line and field, all at once', async () => {
    const dir = craft({
      'campaign.yaml': (y) =>
        y
          .replace('kind: follow-up', 'kind: followup')
          .replace('email: maren@kestrel.example.com', 'email: not an address')
          .replace('name: Fixture campaign', 'name: Fixture campaign\ncolour: teal'),
    });
    const report = await check(dir);
    const fields = report.problems.map((p) => [p.field, p.line]);
    expect(fields).toContainEqual(['touches.1.kind', 25]);
    expect(fields).toContainEqual(['sender.email', 9]);
    expect(fields).toContainEqual(['colour', 3]);
  });

  it('reports unknown content and template files', async () => {
    const dir = craft({
      'campaign.yaml': (y) =>
        y.replace('the-integrators-share', 'no-such-paper').replace('emails/follow-up.md', 'emails/nope.md'),
    });
    const codes = (await check(dir)).problems.map((p) => [p.code, p.field]);
    expect(codes).toContainEqual(['content.unknown', 'whitepaper']);
    expect(codes).toContainEqual(['template.missing', 'touches.1.template']);
  });

  it('reads Excel exports: BOM, semicolons, quoted newlines', () => {
    const text =
      '\uFEFFid;company;first_name;email;pain\r\na;"Semi; Colon AS";Åse;a@x.example.com;"two\r\nlines"\r\nb;B;Bo;b@x.example.com;x\r\n';
    const { list, problems } = parsePartners(text, 'p.csv', 'UTC');
    expect(problems).toEqual([]);
    expect(list.delimiter).toBe(';');
    expect(list.partners.map((p) => [p.id, p.company, p.firstName, p.row, p.line])).toEqual([
      ['a', 'Semi; Colon AS', 'Åse', 2, 2],
      ['b', 'B', 'Bo', 3, 4],
    ]);
    expect(list.partners[0]?.fields.pain).toBe('two\r\nlines');
  });

  it('maps gatekeeper and referrer columns', () => {
    const text =
      'id,company,first_name,email,gatekeeper_1_name,gatekeeper_1_role,gatekeeper_2_name,referrer_name,referrer_email,referrer_relationship,wms\n' +
      'a,A,Ann,a@x.example.com,Gus,Assistant,Gil,Rae,rae@y.example.org,old boss,SAP EWM\n';
    const { list } = parsePartners(text, 'p.csv', 'UTC');
    expect(list.partners[0]).toMatchObject({
      gatekeepers: [{ name: 'Gus', role: 'Assistant' }, { name: 'Gil' }],
      referrer: { name: 'Rae', email: 'rae@y.example.org', relationship: 'old boss' },
      fields: { wms: 'SAP EWM' },
    });
  });
});

describe('lints', () => {
  it('flag nagging phrases, a follow-up with nothing new, a missing opt-out and a missing referrer nudge', async () => {
    const dir = craft({
      'emails/follow-up.md': `---\nsubject: "Just following up, {{ partner.company }}"\n---\nDid you get my last email? [The paper]({{ links.paper }})\n`,
      'campaign.yaml': (y) =>
        y
          .replace(/ {2}- id: referrer-nudge[\s\S]*$/, '')
          .replace('audience: silent', 'audience: silent\n    optOutLinks: false'),
    });
    const report = await check(dir);
    const codes = report.problems.map((p) => p.code);
    expect(codes.filter((c) => c === 'lint.nagging')).toHaveLength(2);
    expect(codes).toContain('lint.earn-the-response');
    expect(codes).toContain('lint.no-opt-out');
    expect(find(report.problems, 'lint.no-referrer-nudge')[0]).toMatchObject({ partner: 'birch', row: 3 });
    expect(
      report.problems.filter((p) => p.code.startsWith('lint.')).every((p) => p.severity === 'warning'),
    ).toBe(true);
    expect(report.ok).toBe(true);
    const strict = await check(dir, true);
    expect(strict.ok).toBe(false);
    expect(strict.errors).toBe(report.warnings);
  });
});

describe('aircover check', () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['scripts/aircover.mjs', 'check', ...args], {
      encoding: 'utf8',
      env: { ...process.env, AIRCOVER_SECRET: secret, NO_COLOR: '1' },
    });

  it('exits 0 on the sample and non-zero, listing every error, on a broken campaign', () => {
    const ok = run('sample', '--json');
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, errors: 0, warnings: 0 });
    const dir = craft({
      'partners.csv': (csv) =>
        csv.replace('ada@acme.example.com', 'ada-at-acme').replace('warm trailers', ''),
    });
    const bad = run(dir);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/partners\.csv:2 row 2 \[email\] partner acme: bad email "ada-at-acme"/);
  });

  it('loads every campaign of a folder', () => {
    const loaded = loadCampaign(fixtureDir, { contentDir });
    expect(loaded.ok).toBe(true);
  });
});
