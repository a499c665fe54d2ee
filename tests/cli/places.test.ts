/**
 * Errors name the place: an invalid webinar or paper a campaign uses is reported with that
 * content file, line and field (by check and by build), stages that do not depend on each other
 * report together, and frontmatter is read in the project's one YAML dialect.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Problem } from '../../src/lib/campaign/problems.ts';
import { readContent } from '../../src/lib/content/read.ts';
import { projectRoot, runCli } from '../helpers/site-build.ts';

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** A copy of the sample content and campaign, with `edits` applied (path → text transform). */
function project(edits: Record<string, (text: string) => string>) {
  const root = mkdtempSync(join(tmpdir(), 'aircover-places-'));
  roots.push(root);
  cpSync(join(projectRoot, 'content'), join(root, 'content'), { recursive: true });
  cpSync(join(projectRoot, 'campaigns', 'sample'), join(root, 'campaigns', 'sample'), { recursive: true });
  for (const [path, edit] of Object.entries(edits)) {
    const file = join(root, path);
    writeFileSync(file, edit(readFileSync(file, 'utf8')));
  }
  const env = {
    AIRCOVER_CONTENT_DIR: join(root, 'content'),
    AIRCOVER_CAMPAIGNS_DIR: join(root, 'campaigns'),
    AIRCOVER_DATA_DIR: join(root, 'data'),
    AIRCOVER_STATE_DIR: join(root, 'state'),
    AIRCOVER_SECRET: 'places-secret-0123456789-abcdefghijklmnopqrstuv',
  };
  return { root, env };
}

async function check(env: Record<string, string>) {
  const r = await runCli(['check', 'sample', '--json'], env);
  const body = JSON.parse(r.stdout) as { error?: unknown; result: { reports: { problems: Problem[] }[] } };
  return { code: r.code, stderr: r.stderr, problems: body.result.reports.flatMap((x) => x.problems) };
}

const WEBINAR = 'content/webinars/integrators-share-live.md';
const PAPER = 'content/whitepapers/the-integrators-share.mdx';

describe('errors name the place', () => {
  it('an invalid webinar the campaign uses: its file, line and field, not "no webinar"', async () => {
    const { root, env } = project({
      [WEBINAR]: (t) => t.replace('timeZone: Europe/Copenhagen', 'timeZone: Eastern'),
    });
    const { code, problems, stderr } = await check(env);
    expect(code).toBe(1);
    const zone = problems.find((p) => p.field === 'timeZone');
    expect(zone).toMatchObject({ file: join(root, WEBINAR), line: 10, severity: 'error' });
    expect(zone?.message).toMatch(/IANA/);
    expect(problems.some((p) => /no webinar/.test(p.message))).toBe(false);
    expect(problems.some((p) => p.code === 'schedule.no-webinar')).toBe(false);
    // And in the text the operator reads.
    const text = await runCli(['check', 'sample'], env);
    expect(text.stderr).toContain(`${join(root, WEBINAR)}:10 [timeZone]`);
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it('a paper whose summary is too short: its file, line and field', async () => {
    const { root, env } = project({
      [PAPER]: (t) => t.replace(/summary: >-\n( {2}.*\n)+/, 'summary: Too short.\n'),
    });
    const { problems } = await check(env);
    expect(problems.find((p) => p.field === 'summary')).toMatchObject({ file: join(root, PAPER), line: 4 });
    expect(problems.some((p) => /no white paper/.test(p.message))).toBe(false);
  });

  it('build reports invalid content with file, line and field before Astro runs', async () => {
    const { root, env } = project({
      [WEBINAR]: (t) => t.replace('timeZone: Europe/Copenhagen', 'timeZone: Eastern'),
    });
    const r = await runCli(['build', '--outDir', join(root, 'dist')], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(root, WEBINAR)}:10 [timeZone]`);
    expect(r.stderr).not.toMatch(/no webinar/);
  });

  it('a CSV problem does not hide template problems, in one run', async () => {
    const { env } = project({
      'campaigns/sample/partners.csv': (t) =>
        t.replace('ingrid.bakke@nordlys-integrasjon.example.com', 'ingrid-at-nordlys'),
      'campaigns/sample/emails/advance-notice.md': (t) =>
        t.replace(/^subject: .*$/m, 'subject: For {{ partner.no_such_field }}'),
    });
    const { problems } = await check(env);
    const codes = new Set(problems.map((p) => p.code));
    expect(problems.some((p) => p.field === 'email' && /bad email/.test(p.message))).toBe(true);
    expect(problems.some((p) => p.variable === 'partner.no_such_field')).toBe(true);
    expect(codes.size).toBeGreaterThan(1);
  });

  it('a YAML error in campaign.yaml does not hide the CSV and template problems', async () => {
    const { env } = project({
      'campaigns/sample/campaign.yaml': (t) =>
        t.replace('whitepaper: the-integrators-share', 'whitepaper: [unclosed'),
      'campaigns/sample/partners.csv': (t) =>
        t.replace('ingrid.bakke@nordlys-integrasjon.example.com', 'ingrid-at-nordlys'),
      'campaigns/sample/emails/thanks.md': (t) =>
        `---\nsubject: Hi\nsubjct: typo\n${t.replace(/^---\n/, '')}`,
    });
    const { problems } = await check(env);
    expect(problems.some((p) => p.code === 'yaml.syntax')).toBe(true);
    expect(problems.some((p) => p.field === 'email' && /bad email/.test(p.message))).toBe(true);
    expect(problems.some((p) => p.code === 'template.frontmatter' && p.file?.endsWith('thanks.md'))).toBe(
      true,
    );
  });

  it('one YAML dialect: an impossible date is an error, not the next year', async () => {
    const { root } = project({
      'content/blog/what-integrators-ask-us-first.mdx': (t) =>
        t.replace(/^publishDate: .*$/m, 'publishDate: 2027-13-05'),
    });
    const index = readContent(join(root, 'content'), { fresh: true });
    expect(index.blog.has('what-integrators-ask-us-first')).toBe(false);
    const problem = index.problems.find((p) => p.field === 'publishDate');
    expect(problem?.file).toContain('what-integrators-ask-us-first.mdx');
    expect(problem?.line).toBeGreaterThan(1);
  });
});
