/**
 * Resend inbound end to end: the fake Resend "receives" a message and POSTs a signed
 * `email.received` to the real server (`aircover serve` on the sample build), which fetches the
 * message with the real SDK (`emails.receiving.get`, then the raw .eml) and ingests it through
 * the same pipeline as IMAP. Effects are read back through the partner-state module.
 */
import { Resend } from 'resend';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FollowupCampaign,
  loadCampaignStates,
  loadFollowupCampaigns,
} from '../../src/lib/followup/index.ts';
import { touchDecisions } from '../../src/lib/followup/state/index.ts';
import { parseMessage } from '../../src/lib/inbox/parse.ts';
import { rebuildMessage } from '../../src/lib/inbox/resend.ts';
import { openStore, type Partner, type Store } from '../../src/lib/store/index.ts';
import { WEBHOOK_SECRET } from '../collector/helpers.ts';
import { type FakeResend, startFakeResend } from '../fake-resend/server.ts';
import { type RunningServer, startServer } from '../helpers/server.ts';
import { ensureBuild, SAMPLE } from '../helpers/site-build.ts';

const rfc2822 = (d: Date) => d.toUTCString().replace('GMT', '+0000');

function eml(headers: Record<string, string>, body: string): string {
  const lines = Object.entries({
    Date: rfc2822(new Date()),
    'MIME-Version': '1.0',
    'Content-Type': 'text/plain; charset=utf-8',
    ...headers,
  });
  return `${lines.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body.replace(/\n/g, '\r\n')}\r\n`;
}

function dsn(recipient: string, ourMessageId: string, id: string): string {
  return [
    'From: Mail Delivery System <MAILER-DAEMON@mx.partner.example>',
    'To: replies@aircover.test',
    'Subject: Undelivered Mail Returned to Sender',
    `Message-ID: <${id}>`,
    `Date: ${rfc2822(new Date())}`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain',
    '',
    'This is the mail system. Your message could not be delivered.',
    '--b1',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.partner.example',
    '',
    `Final-Recipient: rfc822; ${recipient}`,
    'Action: failed',
    'Status: 5.1.1',
    'Diagnostic-Code: smtp; 550 5.1.1 user unknown',
    '--b1',
    'Content-Type: text/rfc822-headers',
    '',
    `Message-ID: ${ourMessageId}`,
    `To: ${recipient}`,
    '--b1--',
    '',
  ].join('\r\n');
}

describe('Resend inbound: email.received through the inbox pipeline', () => {
  let fake: FakeResend;
  let server: RunningServer;
  let store: Store;
  let sample: FollowupCampaign;
  let partners: Partner[];
  const replier = () => partners[0] as Partner;
  const bounced = () => partners[1] as Partner;
  const touchId = (p: Partner) => `<advance-notice-${p.partnerId}@aircover.test>`;

  beforeAll(async () => {
    fake = await startFakeResend({ rateLimit: 0 });
    server = await startServer(await ensureBuild('sample', SAMPLE), {
      RESEND_WEBHOOK_SECRET: WEBHOOK_SECRET,
      RESEND_API_KEY: fake.apiKey,
      RESEND_BASE_URL: fake.url,
      AIRCOVER_TEAM_EMAIL: 'team@aircover.test',
    });
    fake.receiving.setWebhook({ url: `${server.url}/api/webhooks/resend`, secret: WEBHOOK_SECRET });
    store = await openStore({ dataDir: server.dataDir });
    partners = await store.listPartners('sample');
    [sample] = loadFollowupCampaigns({ only: 'sample' }) as [FollowupCampaign];
    await store.recordSentMessages(
      partners.slice(0, 3).map((p) => ({
        messageId: touchId(p),
        kind: 'touch' as const,
        campaign: 'sample',
        partnerId: p.partnerId,
        touch: 'advance-notice',
        recipient: p.email,
      })),
    );
  }, 180_000);

  afterAll(async () => {
    await store?.close();
    await server?.stop();
    await fake?.close();
  });

  it('a reply with In-Reply-To marks the partner replied and the plan leaves them out; a retry is one message', async () => {
    const p = replier();
    // From a private address: only the thread (In-Reply-To, in the raw .eml, not in the webhook)
    // ties the message to the partner.
    const { email, delivery } = await fake.receiving.receive(
      eml(
        {
          From: 'Someone Private <someone.private@elsewhere.example>',
          To: 'replies@aircover.test',
          Subject: 'Re: An advance copy for you',
          'Message-ID': '<resend-reply-1@elsewhere.example>',
          'In-Reply-To': touchId(p),
          References: touchId(p),
        },
        'Thank you, this is useful. Please send me the full paper.\n\nOn Mon, Marketing wrote:\n> Hello',
      ),
    );
    expect(delivery.status).toBe(200);
    const rows = await store.listInbound({ partnerId: p.partnerId });
    expect(rows.map((r) => [r.source, r.effectiveClass, r.matchKind, r.messageId])).toEqual([
      [`resend:${email.id}`, 'reply', 'thread', 'resend-reply-1@elsewhere.example'],
    ]);
    const { states } = await loadCampaignStates(store, sample);
    const state = states.get(p.partnerId);
    expect(state?.status).toBe('replied');
    const plan = touchDecisions(
      state ?? (undefined as never),
      sample.partners.find((x) => x.id === p.partnerId) ?? (undefined as never),
      sample,
      new Date(),
    );
    expect(plan.length).toBeGreaterThan(0);
    expect(plan.every((d) => !d.send)).toBe(true);
    expect(plan.filter((d) => d.reason === 'replied').length).toBeGreaterThan(0);

    // Resend retries with the same svix-id (an answer lost on the way); a second delivery of the
    // same email under a new id also happens. Either way: one message, its effects once.
    const before = (await store.listResponses({})).length;
    const again = await fake.receiving.redeliver(delivery);
    expect(again.status).toBe(200);
    expect(JSON.parse(again.body)).toMatchObject({ duplicate: true });
    const fresh = await fake.receiving.redeliver({ ...delivery, svixId: 'msg_another_delivery_of_it' });
    expect(fresh.status).toBe(200);
    expect(
      (await store.listInbound({})).filter((r) => r.messageId === 'resend-reply-1@elsewhere.example'),
    ).toHaveLength(1);
    expect((await store.listResponses({})).length).toBe(before);
    // The owner heard of it once, through Resend, the note's Message-ID recorded for its replies.
    const notes = fake.received.filter((m) =>
      m.tags.some((t) => t.name === 'kind' && t.value === 'reply-note'),
    );
    expect(notes.map((m) => m.to)).toEqual([['team@aircover.test']]);
    expect(notes[0]?.text).toContain('> Thank you, this is useful. Please send me the full paper.');
    const noteId = notes[0]?.headers['Message-ID'] ?? '';
    expect(await store.findSentMessages([noteId])).toMatchObject([{ kind: 'note', partnerId: null }]);
  }, 60_000);

  it('a DSN received through Resend suppresses the address', async () => {
    const p = bounced();
    expect(await store.isSuppressed(p.email)).toBe(false);
    const { delivery } = await fake.receiving.receive(
      dsn(p.email, touchId(p), 'dsn-resend-1@mx.partner.example'),
    );
    expect(delivery.status).toBe(200);
    expect(await store.isSuppressed(p.email)).toBe(true);
    const [row] = await store.listInbound({ partnerId: p.partnerId });
    expect(row).toMatchObject({ effectiveClass: 'bounce', matchKind: 'thread' });
  }, 60_000);

  it('a bad signature is refused and nothing is fetched or stored', async () => {
    const count = (await store.listInbound({})).length;
    const fetches = fake.requests.filter((r) => r.path.startsWith('/emails/receiving')).length;
    const forged = `whsec_${Buffer.from('not-the-secret-of-this-server-000000').toString('base64')}`;
    const { delivery } = await fake.receiving.receive(
      eml(
        {
          From: 'Mallory <mallory@evil.example>',
          To: 'replies@aircover.test',
          Subject: 'Re: hi',
          'Message-ID': '<forged-1@evil.example>',
        },
        'Please stop.',
      ),
      { secret: forged },
    );
    expect(delivery.status).toBe(401);
    expect((await store.listInbound({})).length).toBe(count);
    expect(fake.requests.filter((r) => r.path.startsWith('/emails/receiving')).length).toBe(fetches);
  }, 60_000);

  it('a fetch that fails answers 503, so Resend retries, and the retry stores the message', async () => {
    const p = partners[2] as Partner;
    fake.inject({ type: 'server_error', count: 1, status: 502 });
    const { delivery } = await fake.receiving.receive(
      eml(
        {
          From: `Partner Three <${p.email}>`,
          To: 'replies@aircover.test',
          Subject: 'Re: An advance copy for you',
          'Message-ID': '<resend-after-failure@partner.example>',
          'In-Reply-To': touchId(p),
        },
        'Not interested, please remove me from your list.',
      ),
      // No raw .eml: the message is rebuilt from the API's headers and text.
      { noRaw: true },
    );
    expect(delivery.status).toBe(503);
    expect(await store.listInbound({ partnerId: p.partnerId })).toEqual([]);
    const retry = await fake.receiving.redeliver(delivery);
    expect(retry.status).toBe(200);
    expect(JSON.parse(retry.body)).toMatchObject({ duplicate: false });
    const rows = await store.listInbound({ partnerId: p.partnerId });
    expect(rows.map((r) => [r.effectiveClass, r.matchKind])).toEqual([['reply', 'thread']]);
    const { states } = await loadCampaignStates(store, sample);
    expect(states.get(p.partnerId)?.status).toBe('declined');
  }, 60_000);
});

describe('the fake Resend receiving API, through the real SDK', () => {
  it('lists newest first with a cursor, and its raw link works only as signed', async () => {
    const fake = await startFakeResend({ rateLimit: 0 });
    try {
      fake.receiving.setWebhook({ url: `${fake.url}/nowhere`, secret: WEBHOOK_SECRET });
      for (const n of [1, 2, 3])
        await fake.receiving.receive(
          eml(
            {
              From: `p${n}@x.example`,
              To: 'in@aircover.test',
              Subject: `m${n}`,
              'Message-ID': `<m${n}@x.example>`,
            },
            'hi',
          ),
        );
      const resend = new Resend(fake.apiKey, { baseUrl: fake.url });
      const first = await resend.emails.receiving.list({ limit: 2 });
      expect(first.data?.data.map((e) => e.subject)).toEqual(['m3', 'm2']);
      expect(first.data?.has_more).toBe(true);
      const rest = await resend.emails.receiving.list({ limit: 2, after: first.data?.data[1]?.id as string });
      expect(rest.data?.data.map((e) => e.subject)).toEqual(['m1']);
      expect(rest.data?.has_more).toBe(false);

      const one = await resend.emails.receiving.get(fake.receiving.emails[0]?.id as string);
      expect(one.data).toMatchObject({ subject: 'm1', message_id: '<m1@x.example>' });
      const link = one.data?.raw?.download_url as string;
      expect((await (await fetch(link)).text()).includes('Message-ID: <m1@x.example>')).toBe(true);
      expect((await fetch(link.replace(/signature=[0-9a-f]+/, 'signature=forged'))).status).toBe(403);
      expect((await resend.emails.receiving.get('no-such-email')).error?.statusCode).toBe(404);
    } finally {
      await fake.close();
    }
  });

  it('a raw link stops working when it expires', async () => {
    let clock = Date.now();
    const fake = await startFakeResend({ rateLimit: 0, now: () => clock });
    try {
      fake.receiving.setWebhook({ url: `${fake.url}/nowhere`, secret: WEBHOOK_SECRET });
      const { email } = await fake.receiving.receive(
        eml(
          { From: 'p@x.example', To: 'in@aircover.test', Subject: 's', 'Message-ID': '<e@x.example>' },
          'hi',
        ),
      );
      const got = await new Resend(fake.apiKey, { baseUrl: fake.url }).emails.receiving.get(email.id);
      const link = got.data?.raw?.download_url as string;
      expect((await fetch(link)).status).toBe(200);
      clock += 2 * 60 * 60 * 1000;
      expect((await fetch(link)).status).toBe(403);
    } finally {
      await fake.close();
    }
  });
});

describe('a message rebuilt from the receiving API (no raw .eml)', () => {
  it("keeps threading headers and cannot be given extra headers through Resend's JSON", async () => {
    const raw = rebuildMessage({
      from: 'Ann <ann@acme.example>',
      to: ['replies@aircover.test'],
      subject: 'Re: paper\r\nBcc: victim@example.com',
      message_id: '<m1@acme.example>',
      created_at: '2026-12-01T10:00:00.000Z',
      text: 'Yes please.\n\nAnn',
      html: null,
      headers: {
        'In-Reply-To': '<touch-1@aircover.test>',
        'X-Evil': 'a\r\nReply-To: evil@example.com',
        'Bad Name': 'dropped',
        'Content-Type': 'text/html',
      },
    });
    const parsed = await parseMessage(raw);
    expect(parsed.inReplyTo).toEqual(['touch-1@aircover.test']);
    expect(parsed.messageId).toBe('m1@acme.example');
    expect(parsed.from).toEqual({ email: 'ann@acme.example', name: 'Ann' });
    expect(parsed.text.trim()).toBe('Yes please.\n\nAnn');
    expect(parsed.headers['reply-to']).toBeUndefined();
    expect(parsed.contentType).toMatch(/^text\/plain/);
    expect(raw.toString()).not.toMatch(/^(Bcc|Reply-To|Bad Name):/im);
  });
});
