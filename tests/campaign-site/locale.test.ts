/**
 * Times as people read them, in a real build: two copies of the sample campaign, one en-US in
 * America/New_York and one de-DE in Europe/Berlin. Each shows its own locale's formats, with the
 * zone named, on a partner's personal page (in the partner's zone), in the `followups` table and
 * on the dashboard's campaign page (in the campaign's zone); JSON keeps ISO instants.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partnerToken } from '../../src/lib/personalize/token.ts';
import { type RunningServer, startServer } from '../helpers/server.ts';
import { ensureBuild, projectRoot, runCli, type SiteBuild, TEST_SECRET } from '../helpers/site-build.ts';

const PASSWORD = 'locale-dashboard-password';
/** The first partner of the sample, in Europe/Oslo; the webinar starts 2027-01-21T15:00Z. */
const PARTNER = 'nordlys-integrasjon';

const campaigns = {
  'us-team': {
    locale: 'en-US',
    zone: 'America/New_York',
    // Thursday 21 January 2027, 16:00 in Oslo, written the American way.
    page: 'Thursday, January 21, 2027, 4:00 PM GMT+1',
    publicOn: 'Advance copy · public on January 12, 2027',
    // "Nov 3, 2026, 9:00 AM EST": month first, 12-hour clock, the zone's name.
    due: /\b[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s[AP]M E[SD]T\b/,
  },
  'de-team': {
    locale: 'de-DE',
    zone: 'Europe/Berlin',
    page: 'Donnerstag, 21. Januar 2027, 16:00 MEZ',
    publicOn: 'Advance copy · public on 12. Januar 2027',
    // "3. Nov. 2026, 09:00 MEZ": day first, 24-hour clock, the zone's German name.
    due: /\b\d{1,2}\. [A-ZÄÖÜ][a-zä]{2,3}\.? \d{4}, \d{2}:\d{2} MES?Z\b/,
  },
} as const;

let root: string;
let build: SiteBuild;
let env: Record<string, string>;
let server: RunningServer;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'aircover-locale-'));
  const dir = join(root, 'campaigns');
  for (const [id, c] of Object.entries(campaigns)) {
    cpSync(join(projectRoot, 'campaigns/sample'), join(dir, id), { recursive: true });
    const file = join(dir, id, 'campaign.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8')
        .replace(/^locale: .*$/m, `locale: ${c.locale}`)
        .replace(/^timeZone: .*$/m, `timeZone: ${c.zone}`),
    );
  }
  build = await ensureBuild('locale', { campaignsDir: dir });
  env = {
    ...build.env,
    AIRCOVER_DATA_DIR: join(root, 'data'),
    AIRCOVER_ADMIN_PASSWORD: PASSWORD,
    DATABASE_URL: '',
  };
  server = await startServer(build, env);
}, 600_000);

afterAll(async () => {
  await server?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe.each(Object.entries(campaigns))('the %s campaign', (id, c) => {
  it("a personal page writes the webinar's start in the campaign's locale and the partner's zone, named", () => {
    const token = partnerToken(id, PARTNER, TEST_SECRET);
    const html = readFileSync(join(build.client, 'p', token, 'index.html'), 'utf8');
    // The page's own <time> (the Liquid copy around it formats through the same module).
    expect(html).toContain(`<time datetime="2027-01-21T15:00:00.000Z">${c.page}</time>`);
    expect(html).toContain('(Europe/Oslo)');
    expect(html).toContain(c.publicOn);
  });

  it("the followups table writes due times in the campaign's zone and locale and names the zone", async () => {
    const { code, stdout, stderr } = await runCli(['followups', id], env);
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(c.due);
    expect(stdout).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    expect(`${stdout}${stderr}`).toContain(`times in ${c.zone}`);
    // JSON keeps the instant, ISO 8601 in UTC.
    const json = await runCli(['followups', id, '--json'], env);
    const due = (JSON.parse(json.stdout) as { followups: { due: string | null }[] }).followups[0]?.due;
    expect(due).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it("the dashboard's campaign page writes times in the campaign's zone and locale and names the zone", async () => {
    const login = await fetch(`${server.url}/admin/login`, {
      method: 'POST',
      body: new URLSearchParams({ password: PASSWORD }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url },
      redirect: 'manual',
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const page = await fetch(`${server.url}/admin/campaigns/${id}`, { headers: { cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`times in ${c.zone}`);
    const table = html.slice(html.indexOf('<table data-partners'));
    expect(table).toMatch(c.due);
    expect(table).not.toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
  });
});
