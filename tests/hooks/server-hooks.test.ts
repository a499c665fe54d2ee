/**
 * Webhooks from the real server, on the sample build: the public webinar registration, its email
 * confirmation and the personal page's "No thanks" reach a receiver that verifies every request
 * with `standardwebhooks`, both through AIRCOVER_WEBHOOKS and through the campaign's own
 * `webhooks:` in campaign.yaml (its secret read from the variable it names). A partner's address
 * typed into the public form is announced only once the mailbox confirms it (webinar/announce.ts).
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partnerToken } from '../../src/lib/personalize/token.ts';
import { type RunningServer, startServer } from '../helpers/server.ts';
import { ensureBuild, projectRoot, SAMPLE, TEST_SECRET } from '../helpers/site-build.ts';

const WEBINAR = 'integrators-share-live';
const INGRID = 'ingrid.bakke@nordlys-integrasjon.example.com';
const ENV_SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const TEAM_SECRET = `whsec_${randomBytes(24).toString('base64')}`;

interface Arrival {
  path: string;
  verified: boolean;
  type: string;
  data: Record<string, unknown>;
}

describe('webhooks from the server', () => {
  let server: RunningServer;
  let receiver: Server;
  let campaigns: string;
  let outbox: string;
  const arrived: Arrival[] = [];

  const waitFor = async (what: string, pred: (a: Arrival) => boolean, count = 1): Promise<Arrival[]> => {
    for (let i = 0; i < 200; i++) {
      const found = arrived.filter(pred);
      if (found.length >= count) return found;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(
      `${what} never arrived; got ${JSON.stringify(arrived.map((a) => [a.path, a.type]))}\n${server.log()}`,
    );
  };
  const post = (path: string, fields: Record<string, string>) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: {
        origin: server.url,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        // A person's browser: a known bot agent (Node's own fetch among them) announces nothing.
        'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36',
      },
      body: new URLSearchParams(fields),
    });

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const secret = req.url === '/team' ? TEAM_SECRET : ENV_SECRET;
        let verified = false;
        try {
          new Webhook(secret).verify(body, req.headers as Record<string, string>);
          verified = true;
        } catch {}
        const payload = JSON.parse(body) as { type: string; data: Record<string, unknown> };
        arrived.push({ path: req.url ?? '', verified, type: payload.type, data: payload.data });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

    // The sample campaigns, with a webhook of the campaign's own in campaign.yaml.
    campaigns = mkdtempSync(join(tmpdir(), 'aircover-hook-campaigns-'));
    cpSync(join(projectRoot, 'campaigns'), campaigns, { recursive: true });
    appendFileSync(
      join(campaigns, 'sample', 'campaign.yaml'),
      `\nwebhooks:\n  - name: team\n    url: ${base}/team\n    secretEnv: TEAM_HOOK_SECRET\n    events: [registration.created, partner.declined]\n`,
    );
    outbox = mkdtempSync(join(tmpdir(), 'aircover-hook-outbox-'));
    const build = await ensureBuild('sample', SAMPLE);
    server = await startServer(build, {
      AIRCOVER_CAMPAIGNS_DIR: campaigns,
      AIRCOVER_OUTBOX_DIR: outbox,
      AIRCOVER_TRANSPORT: 'outbox',
      AIRCOVER_WEBHOOKS: JSON.stringify([{ name: 'crm', url: `${base}/crm`, secret: ENV_SECRET }]),
      TEAM_HOOK_SECRET: TEAM_SECRET,
    });
  }, 300_000);

  afterAll(async () => {
    await server?.stop();
    await new Promise((resolve) => receiver?.close(resolve));
    for (const dir of [campaigns, outbox]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a public registration by someone who is not a partner goes to both endpoints, signed, verified: null', async () => {
    const answer = await post(`/api/webinars/${WEBINAR}/register`, {
      name: 'Vera Visitor',
      email: 'vera@visitor.example.org',
      company: 'Visitor Ltd',
    });
    expect(answer.status).toBe(200);
    const got = await waitFor(
      'the visitor registration',
      (a) => a.type === 'registration.created' && a.data.email === 'vera@visitor.example.org',
      2,
    );
    expect(got.map((a) => a.path).sort()).toEqual(['/crm', '/team']);
    expect(got.every((a) => a.verified)).toBe(true);
    expect(got[0]?.data).toMatchObject({
      webinar: WEBINAR,
      name: 'Vera Visitor',
      company: 'Visitor Ltd',
      partnerId: null,
      verified: null,
      via: 'public-page',
    });
  }, 120_000);

  it("a partner's address typed into the public form is announced only when the mailbox confirms it", async () => {
    const answer = await post(`/api/webinars/${WEBINAR}/register`, { name: 'Not Ingrid', email: INGRID });
    expect(answer.status).toBe(200);
    let link: string | undefined;
    for (const f of readdirSync(outbox, { recursive: true }) as string[]) {
      if (!f.endsWith('.eml')) continue;
      const mail = await simpleParser(readFileSync(join(outbox, f)));
      const found = /(http\S+\/api\/webinars\/[^\s"]+\/confirm\?[^\s"]+)/.exec(mail.text ?? '')?.[1];
      if (found) link = found.replace(/&amp;/g, '&');
    }
    expect(link).toBeDefined();
    const url = new URL(link ?? '');
    const confirmed = await post(url.pathname, {
      e: url.searchParams.get('e') ?? '',
      s: url.searchParams.get('s') ?? '',
    });
    expect(confirmed.status).toBe(200);
    await waitFor(
      'the confirmed registration',
      (a) => a.type === 'registration.created' && a.data.email === INGRID,
      2,
    );
    // Then something after it, so an early (unverified) announcement would have arrived by now.
    const token = partnerToken('sample', 'vistula-wms', TEST_SECRET);
    expect((await post('/api/forms/no-thanks', { token, touch: '', reason: 'not our market' })).status).toBe(
      200,
    );
    await waitFor('the decline', (a) => a.type === 'partner.declined', 2);

    const ingrid = arrived.filter((a) => a.type === 'registration.created' && a.data.email === INGRID);
    expect(ingrid).toHaveLength(2); // one per endpoint, none before the confirmation
    expect(ingrid[0]?.data).toMatchObject({
      campaign: 'sample',
      partnerId: 'nordlys-integrasjon',
      verified: true,
      via: 'email-confirm',
    });
    const declined = arrived.filter((a) => a.type === 'partner.declined');
    expect(declined.every((a) => a.verified)).toBe(true);
    expect(declined[0]?.data).toMatchObject({
      campaign: 'sample',
      partnerId: 'vistula-wms',
      text: 'not our market',
      dashboardUrl: expect.stringContaining('/admin/partners/sample/vistula-wms'),
    });
  }, 120_000);
});
