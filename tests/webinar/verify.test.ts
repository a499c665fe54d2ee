/**
 * Registrations are verified (src/lib/webinar/verify.ts), on the sample build and the real server:
 * a partner's address typed into the public form is stored unverified — the confirmation with the
 * join link goes to that address, carrying a signed confirm link — and the partner counts as
 * registered only after confirming from that email (GET changes nothing; the button POSTs) or
 * registering from their own personal link. The public form keeps working for anyone.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partnerToken } from '../../src/lib/personalize/token.ts';
import { type RunningServer, startServer } from '../helpers/server.ts';
import { ensureBuild, runCli, SAMPLE, type SiteBuild, TEST_SECRET } from '../helpers/site-build.ts';

const WEBINAR = 'integrators-share-live';
const INGRID = 'ingrid.bakke@nordlys-integrasjon.example.com';
const JONAS = 'j.weiss@kuehlhaus-technik.example.com';

describe('unverified registrations', () => {
  let build: SiteBuild;
  let server: RunningServer;
  let outbox: string;
  const form = (fields: Record<string, string>, accept = 'application/json') =>
    fetch(`${server.url}/api/webinars/${WEBINAR}/register`, {
      method: 'POST',
      headers: { origin: server.url, 'content-type': 'application/x-www-form-urlencoded', accept },
      body: new URLSearchParams(fields),
    });
  const statusOf = async (partnerId: string) => {
    const r = await runCli(['followups', 'sample', '--json'], {
      ...build.env,
      AIRCOVER_DATA_DIR: server.dataDir,
    });
    const rows = JSON.parse(r.stdout).followups as { partnerId: string; status: string }[];
    return rows.find((f) => f.partnerId === partnerId)?.status;
  };
  const confirmLinkTo = async (address: string) => {
    for (const f of readdirSync(outbox, { recursive: true }) as string[]) {
      if (!f.endsWith('.eml')) continue;
      const mail = await simpleParser(readFileSync(join(outbox, f)));
      const to = mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : undefined;
      if (to !== address) continue;
      const link = /(http\S+\/api\/webinars\/[^\s"]+\/confirm\?[^\s"]+)/.exec(mail.text ?? '')?.[1];
      return { mail, link: link?.replace(/&amp;/g, '&') };
    }
    return undefined;
  };

  beforeAll(async () => {
    build = await ensureBuild('sample', SAMPLE);
    outbox = mkdtempSync(join(tmpdir(), 'aircover-verify-outbox-'));
    server = await startServer(build, { AIRCOVER_OUTBOX_DIR: outbox, AIRCOVER_TRANSPORT: 'outbox' });
  }, 300_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('a stranger typing a partner address does not make them registered; confirming from the email does', async () => {
    const before = await statusOf('nordlys-integrasjon');
    const answer = await form({ name: 'Someone Else', email: INGRID, company: 'Not Nordlys' });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ ok: true, created: true });
    expect(await statusOf('nordlys-integrasjon')).toBe(before);

    // The confirmation (with the join link) went to the address itself, with a signed link.
    const sent = await confirmLinkTo(INGRID);
    expect(sent?.mail.text).toContain('https://meet.example.com/kestrel/integrators-share-live');
    expect(sent?.link).toBeDefined();
    const link = sent?.link ?? '';
    // A scanner opening the link changes nothing.
    const opened = await fetch(link.replace(/^https?:\/\/[^/]+/, server.url));
    expect(opened.status).toBe(200);
    expect(await opened.text()).toContain('Yes, I registered');
    expect(await statusOf('nordlys-integrasjon')).toBe(before);
    // A forged signature is refused.
    const forged = new URL(link.replace(/^https?:\/\/[^/]+/, server.url));
    forged.searchParams.set('s', 'A'.repeat(32));
    expect((await fetch(forged)).status).toBe(404);
    // The mailbox's owner presses the button.
    const url = new URL(link);
    const confirmed = await fetch(`${server.url}${url.pathname}`, {
      method: 'POST',
      headers: {
        origin: server.url,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams({ e: url.searchParams.get('e') ?? '', s: url.searchParams.get('s') ?? '' }),
    });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.json()).toMatchObject({ ok: true, verified: true, changed: true });
    expect(await statusOf('nordlys-integrasjon')).toBe('registered');
  }, 120_000);

  it('registering from the personal link verifies it; the public form works for anyone', async () => {
    await form({ name: 'Jonas Weiss', email: JONAS });
    expect(await statusOf('kuehlhaus-technik')).not.toBe('registered');
    const token = partnerToken('sample', 'kuehlhaus-technik', TEST_SECRET);
    const own = await fetch(`${server.url}/api/forms/register`, {
      method: 'POST',
      headers: {
        origin: server.url,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams({ token, touch: '' }),
    });
    expect(own.status).toBe(200);
    expect(await statusOf('kuehlhaus-technik')).toBe('registered');
    // Not a partner: registered as before, no confirm link needed.
    const visitor = await form({ name: 'Ann Visitor', email: 'ann@example.org' });
    expect(await visitor.json()).toMatchObject({ ok: true, created: true });
    expect((await confirmLinkTo('ann@example.org'))?.link).toBeUndefined();
  }, 120_000);
});
