/**
 * What a reply does for the team, against a real Dovecot (messages by IMAP APPEND, read by
 * `syncOnce` with the CLI's hook): the owner's note, once per reply, with the new text cleaned and
 * escaped, from a named sender, linking the dashboard; a decline's note says so; a reply from an
 * unsubscribed partner still reaches the owner; `partner.replied` / `partner.declined` webhooks
 * once per message, verified with standardwebhooks; the replied partner first in the queue; the
 * Message-IDs of notes, the digest and webinar confirmations recorded, so replies to them thread
 * (the team's own mail to no partner, a confirmation to its partner); "left the company" and
 * "talk to <someone>" read by the state module, the queue, the summary, the digest and the sender.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { touchDecision } from '../../src/lib/campaign/audience.ts';
import type { OutgoingMessage, Transport } from '../../src/lib/email/message.ts';
import { createOutboxTransport } from '../../src/lib/email/transport/index.ts';
import {
  buildDigest,
  buildQueue,
  digestMessage,
  type FollowupCampaign,
  loadCampaignStates,
  loadPartnerStates,
  sendDigest,
} from '../../src/lib/followup/index.ts';
import { partnerSummary } from '../../src/lib/followup/partner-summary.ts';
import { replyNotifier } from '../../src/lib/followup/reply-note.ts';
import { deliveriesIdle, stopDeliveries } from '../../src/lib/hooks/emit.ts';
import { imapConfig, mailboxKey, syncOnce } from '../../src/lib/inbox/imap.ts';
import { correct } from '../../src/lib/inbox/pipeline.ts';
import type { Store } from '../../src/lib/store/index.ts';
import { formatDate } from '../../src/lib/time/format.ts';
import { confirmRegistration } from '../../src/lib/webinar/index.ts';
import { craftedCampaign, partner, sent, tempStore } from '../followup/helpers.ts';
import { describeWith } from '../helpers/requires.ts';
import { sampleWebinar } from '../webinar/helpers.ts';
import { type Dovecot, startDovecot } from './dovecot.ts';

const now = new Date();
const rfc2822 = (d: Date) => d.toUTCString().replace('GMT', '+0000');
const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const OWNER = 'maren@kestrel.example.com';

function eml(headers: Record<string, string>, body: string): string {
  const lines = Object.entries({
    Date: rfc2822(now),
    'MIME-Version': '1.0',
    'Content-Type': 'text/plain; charset=utf-8',
    To: 'Maren Holt <maren@kestrel.example.com>',
    ...headers,
  });
  return `${lines.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body.replace(/\n/g, '\r\n')}\r\n`;
}

/** A reply from a partner to their announce touch. */
const replyTo = (id: string, from: string, body: string, extra: Record<string, string> = {}) =>
  eml(
    {
      From: from,
      Subject: 'Re: Your advance copy',
      'Message-ID': `<reply-${id}@mail.example>`,
      'In-Reply-To': `<announce-${id}@aircover.test>`,
      References: `<announce-${id}@aircover.test>`,
      ...extra,
    },
    body,
  );

/** The Message-ID header of a message the outbox wrote (`outbox:<relative path>`). */
function outboxMessageId(dir: string, providerId: string): string {
  const raw = readFileSync(join(dir, providerId.replace(/^outbox:/, '')), 'utf8');
  const id = /^Message-ID:\s*(\S+)/im.exec(raw)?.[1];
  if (!id) throw new Error(`no Message-ID in ${providerId}`);
  return id;
}

describeWith('dovecot')('replies tell the team (Dovecot)', () => {
  let dovecot: Dovecot;
  let store: Store;
  let cleanup: () => Promise<void>;
  let air: FollowupCampaign;
  let client: ImapFlow;
  let receiver: Server;
  let outboxDir: string;
  const notes: OutgoingMessage[] = [];
  const hooks: { type: string; partnerId: string; verified: boolean }[] = [];
  let transport: Transport;
  let env: NodeJS.ProcessEnv;

  const append = (raw: string) => client.append('INBOX', raw, [], now);
  const config = () => imapConfig(dovecot.url, {});
  const sync = async () => {
    const onOwnerNote = replyNotifier(store, [air], { transport, env });
    const result = await syncOnce({ store, campaigns: [air], onOwnerNote }, config());
    await deliveriesIdle();
    return result;
  };
  const queue = () => buildQueue(store, [air]);

  beforeAll(async () => {
    dovecot = await startDovecot();
    ({ store, cleanup } = await tempStore());
    air = craftedCampaign('air', [
      partner('ann', { email: 'ann@acme.example', company: 'Acme' }),
      partner('dee', { email: 'dee@initech.example', company: 'Initech' }),
      partner('uma', { email: 'uma@umbra.example', company: 'Umbra' }),
      partner('hal', { email: 'hal@hotco.example', company: 'Hotco' }),
      // The owner is this partner's referrer: a reply to the team's own mail must not be theirs.
      partner('ref', {
        email: 'ref@referred.example',
        company: 'Referred',
        referrer: { name: 'Maren Holt', email: OWNER },
      }),
      partner('gina', { email: 'gina@hooli.example', company: 'Hooli' }),
      partner('dan', { email: 'dan@umbrella.example', company: 'Umbrella' }),
      partner('cora', { email: 'cora@cora.example', company: 'Cora' }),
      partner('sam', { email: 'sam@samco.example', company: 'Samco' }),
    ]);
    const ids = air.partners.map((p) => p.id);
    await sent(store, air, 'announce', ids);
    await store.recordSentMessages(
      ids.map((id) => ({
        messageId: `<announce-${id}@aircover.test>`,
        kind: 'touch' as const,
        campaign: 'air',
        partnerId: id,
        touch: 'announce',
        recipient: `${id}@x.example`,
      })),
    );
    // Hal asked for a call: hot, the top of the queue until someone replies.
    await store.addResponse({
      kind: 'call-request',
      idempotencyKey: 'call-hal',
      campaign: 'air',
      partnerId: 'hal',
      source: 'form',
    });
    await store.addSuppression({ email: 'uma@umbra.example', reason: 'unsubscribed', source: 'test' });

    outboxDir = mkdtempSync(join(tmpdir(), 'aircover-replies-'));
    const outbox = createOutboxTransport({ dir: outboxDir });
    // The real outbox; the test keeps what it was given, to read the notes back.
    transport = {
      kind: 'outbox',
      send(messages, options) {
        // Every caller here passes an array.
        notes.push(...(messages as OutgoingMessage[]));
        return outbox.send(messages, options);
      },
    };
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let verified = false;
        try {
          new Webhook(SECRET).verify(body, req.headers as Record<string, string>);
          verified = true;
        } catch {}
        const payload = JSON.parse(body) as { type: string; data: { partnerId: string } };
        hooks.push({ type: payload.type, partnerId: payload.data.partnerId, verified });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as AddressInfo).port;
    env = {
      AIRCOVER_WEBHOOKS: JSON.stringify([
        { name: 'crm', url: `http://127.0.0.1:${port}/crm`, secret: SECRET },
      ]),
      AIRCOVER_WEBHOOK_RETRY_MS: '0,0',
      AIRCOVER_SITE_URL: 'https://partners.example.com/',
      AIRCOVER_OWNER_EMAILS: `maren=${OWNER}`,
    };
    client = new ImapFlow({
      host: dovecot.host,
      port: dovecot.port,
      secure: false,
      auth: { user: dovecot.user, pass: dovecot.pass },
      logger: false,
    });
    await client.connect();
  }, 60_000);

  afterAll(async () => {
    await client?.logout().catch(() => undefined);
    stopDeliveries(store);
    await new Promise((resolve) => receiver?.close(resolve));
    await cleanup?.();
    await dovecot?.stop();
    if (outboxDir) rmSync(outboxDir, { recursive: true, force: true });
  });

  it('a reply tells the owner once, a decline says no, an unsubscribed partner still reaches the owner; webhooks once', async () => {
    await append(
      replyTo(
        'ann',
        'Ann Example <ann@acme.example>',
        'Thanks, <script>alert(1)</script> interesting.\n\u001b[31mCan we talk on Friday?\u202e\n\nAnn\n\nOn Tue, Maren wrote:\n> Hello Ann, here is the paper',
      ),
    );
    await append(replyTo('dee', 'Dee <dee@initech.example>', 'Not interested, please remove me.\n\nDee'));
    await append(replyTo('uma', 'Uma <uma@umbra.example>', 'Who is the author of the paper?\n\nUma'));
    await sync();

    const byPartner = (id: string) =>
      notes.filter((n) => n.ref.partner === id && n.ref.touch === 'reply-note');
    expect(notes.map((n) => n.ref.partner).sort()).toEqual(['ann', 'dee', 'uma']);
    const [ann] = byPartner('ann');
    if (!ann) throw new Error('no note about ann');
    expect(ann.to).toBe(OWNER);
    expect(ann.from).toBe('"Maren Holt via aircover" <maren@kestrel.example.com>');
    expect(ann.subject).toBe('Replied: ann Tester, Acme — reply to them');
    expect(ann.text).toContain('replied by email (air): reply to them');
    expect(ann.text).toContain('> Thanks, <script>alert(1)</script> interesting.');
    expect(ann.text).toContain('> [31mCan we talk on Friday?');
    // New text only: the quoted history stays out; control and bidi characters are gone.
    expect(ann.text).not.toContain('Hello Ann');
    expect(ann.text.includes('\u001b') || ann.text.includes('\u202e')).toBe(false);
    expect(ann.text).toContain('Open in the dashboard: https://partners.example.com/admin/partners/air/ann');
    expect(ann.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(ann.html).not.toContain('<script>');
    expect(ann.html).toContain('href="https://partners.example.com/admin/partners/air/ann"');

    const [dee] = byPartner('dee');
    expect(dee?.subject).toBe('Declined: dee Tester, Initech');
    expect(dee?.text).toContain('declined by email (air): nothing more goes to them');
    expect(dee?.text).not.toContain('reply to them');
    const [uma] = byPartner('uma');
    expect(uma?.text).toContain('They are unsubscribed: no campaign mail goes to them');

    expect(hooks.map((h) => [h.type, h.partnerId, h.verified]).sort()).toEqual([
      ['partner.declined', 'dee', true],
      ['partner.replied', 'ann', true],
      ['partner.replied', 'uma', true],
    ]);

    // A re-read of the whole mailbox (UIDVALIDITY changed) and corrections send nothing more.
    const key = mailboxKey(config(), 'INBOX');
    await store.setInboxCursor({ mailbox: key, uidValidity: 'renumbered', lastUid: 0 });
    expect((await sync())[0]).toMatchObject({ read: 3, stored: 0, reset: true });
    const annMessage = (await store.listInbound({ partnerId: 'ann' }))[0];
    if (!annMessage) throw new Error('no inbound from ann');
    await correct(store, [air], annMessage.id, 'auto-reply');
    await correct(store, [air], annMessage.id, 'reply');
    await deliveriesIdle();
    expect(notes).toHaveLength(3);
    expect(hooks).toHaveLength(3);
  }, 60_000);

  it('the replied partner is first in the queue, ahead of a hot one, with "reply to them" and when', async () => {
    const q = await queue();
    expect(q[0]).toMatchObject({
      partnerId: 'ann',
      status: 'replied',
      action: 'reply',
      actionLabel: 'reply to them',
    });
    expect(q[0]?.reason).toBe(
      // The day as the team reads it: the campaign's locale, in its zone.
      `replied by email on ${formatDate(now, air.timeZone, air.locale)}: "Thanks, <script>alert(1)</script> interesting."; sequences stopped`,
    );
    expect(q[1]?.partnerId).toBe('hal');
    // Saying no wins: the decliner and the unsubscribed partner are not "reply to them".
    expect(q.find((i) => i.partnerId === 'dee')?.status).toBe('declined');
    expect(q.find((i) => i.partnerId === 'uma')).toMatchObject({ status: 'unsubscribed', action: 'stop' });
    const digest = await buildDigest(store, [air]);
    expect(digest.wroteBack.map((i) => i.partnerId)).toEqual(['ann']);
    expect(digest.dueToday[0]?.partnerId).toBe('ann');
  });

  it("replies to the team's notes and digest stay the team's; a reply to a confirmation threads to its partner", async () => {
    const annNote = notes.find((n) => n.ref.partner === 'ann');
    const noteId = annNote?.headers['Message-ID'];
    if (!noteId) throw new Error('the note has no Message-ID');
    const digest = await sendDigest(store, [air], { to: OWNER, transport, env });
    const digestId = digest.message.headers['Message-ID'];
    if (!digestId || digest.result?.status !== 'sent') throw new Error('the digest has no Message-ID');
    expect(outboxMessageId(outboxDir, digest.result.providerId)).toBe(digestId);

    const webinar = sampleWebinar();
    const confirmation = await confirmRegistration(
      { webinar: webinar.slug, email: 'cora@cora.example', name: 'Cora', campaign: 'air', partnerId: 'cora' },
      { store, transport: createOutboxTransport({ dir: outboxDir }), webinarInfo: webinar },
    );
    if (confirmation.status !== 'sent') throw new Error(`confirmation ${confirmation.status}`);
    const confirmationId = outboxMessageId(outboxDir, confirmation.providerId);

    const before = notes.length;
    // The owner (also a partner's referrer) answers the note and the digest.
    await append(
      eml(
        {
          From: `Maren Holt <${OWNER}>`,
          Subject: 'Re: Replied: ann Tester, Acme',
          'Message-ID': '<owner-note-reply@kestrel.example.com>',
          'In-Reply-To': noteId,
        },
        'On it, I will call her today.',
      ),
    );
    await append(
      eml(
        {
          From: `Maren Holt <${OWNER}>`,
          Subject: 'Re: aircover digest',
          'Message-ID': '<owner-digest-reply@kestrel.example.com>',
          References: digestId,
        },
        'Thanks, looks good.',
      ),
    );
    // Cora's assistant, from an address nobody knows, answers the confirmation.
    await append(
      eml(
        {
          From: 'Assistant <assist@freemail.example>',
          Subject: "Re: You're registered",
          'Message-ID': '<assistant@freemail.example>',
          'In-Reply-To': confirmationId,
        },
        'Cora will join from the office.',
      ),
    );
    await sync();
    const team = await store.listInbound({ unmatched: true });
    expect(
      team
        .filter((m) => m.fromEmail === OWNER)
        .map((m) => [m.messageId, m.matchKind, m.partnerId, m.detail.sentKind]),
    ).toEqual([
      ['owner-note-reply@kestrel.example.com', 'team', null, 'note'],
      ['owner-digest-reply@kestrel.example.com', 'team', null, 'digest'],
    ]);
    const { states } = await loadCampaignStates(store, air);
    expect(states.get('ref')?.status).toBe('no-response');
    const [assistant] = (await store.listInbound({ partnerId: 'cora' })).filter(
      (m) => m.fromEmail === 'assist@freemail.example',
    );
    expect(assistant).toMatchObject({ matchKind: 'thread', detail: { sentKind: 'confirmation' } });
    expect(states.get('cora')?.status).toBe('replied');
    // The owner's answers are no partner's reply: no note about them.
    expect(
      notes
        .slice(before)
        .filter((n) => n.ref.touch === 'reply-note')
        .map((n) => n.ref.partner),
    ).toEqual(['cora']);
  }, 60_000);

  it('"no longer with the company" and "talk to <someone>" change the state, the queue, the summary, the digest and the sender', async () => {
    await append(
      eml(
        {
          From: 'Gina Former <gina@hooli.example>',
          Subject: 'Automatic reply: Your advance copy',
          'Message-ID': '<left-gina@hooli.example>',
          'In-Reply-To': '<announce-gina@aircover.test>',
          'Auto-Submitted': 'auto-replied',
        },
        'Gina is no longer with Hooli. Please contact Henry Newman at henry.newman@hooli.example for partnership questions.',
      ),
    );
    await append(
      replyTo(
        'dan',
        'Dan Person <dan@umbrella.example>',
        'Hello,\n\nI am not the right person for this. Please talk to Erin Miller\n(erin.miller@umbrella.example), she runs our partner programme.\n\n-- \nDan Person',
      ),
    );
    await sync();
    const { states } = await loadCampaignStates(store, air);
    expect(states.get('gina')).toMatchObject({
      status: 'left-company',
      statusLabel: 'left the company (replacement: Henry Newman <henry.newman@hooli.example>)',
      hot: false,
    });
    expect(states.get('dan')).toMatchObject({
      status: 'referred',
      statusLabel: 'referred us to someone else (Erin Miller <erin.miller@umbrella.example>)',
    });

    const q = await queue();
    expect(q.find((i) => i.partnerId === 'gina')).toMatchObject({
      action: 'new-contact',
      actionLabel: 'find a new contact',
      contact: 'henry.newman@hooli.example',
    });
    expect(q.find((i) => i.partnerId === 'gina')?.suggestion).toContain('Write to Henry Newman');
    expect(q.find((i) => i.partnerId === 'dan')).toMatchObject({
      action: 'contact-referral',
      contact: 'erin.miller@umbrella.example',
    });

    const summary = await partnerSummary(
      store,
      air,
      'dan',
      q.find((i) => i.partnerId === 'dan'),
    );
    expect(summary?.status).toContain('Erin Miller');
    expect(summary?.next?.reason).toContain('talk to Erin Miller <erin.miller@umbrella.example>');

    const digest = await buildDigest(store, [air]);
    const text = digestMessage(digest, { to: OWNER, from: OWNER }).text;
    expect(text).toContain('contact the referral');
    expect(text).toContain('Erin Miller <erin.miller@umbrella.example>');
    expect(text).toContain('replacement: Henry Newman');

    // The sender reads the same flags: no touch to a partner who left, and the plan says why.
    const flags = await loadPartnerStates(store, air);
    const followUp = air.touches.find((t) => t.id === 'follow-up');
    if (!followUp) throw new Error('no follow-up touch');
    const gina = air.partners.find((p) => p.id === 'gina') ?? air.partners[0];
    expect(touchDecision(followUp, gina ?? {}, flags.get('gina') ?? {}, now)).toEqual({
      send: false,
      reason: 'left-company',
    });
    // An auto-reply is no person's reply: no note about Gina.
    expect(notes.some((n) => n.ref.partner === 'gina')).toBe(false);

    // A correction wins: the notice withdrawn, Gina replied; corrected back, she has left again.
    const [notice] = await store.listInbound({ partnerId: 'gina' });
    if (!notice) throw new Error('no notice from gina');
    await correct(store, [air], notice.id, 'reply');
    expect((await loadCampaignStates(store, air)).states.get('gina')?.status).toBe('replied');
    await correct(store, [air], notice.id, 'auto-reply');
    expect((await loadCampaignStates(store, air)).states.get('gina')?.status).toBe('left-company');
  }, 60_000);

  it("a colleague's reply tells the owner which partners it held, and is no partner's webhook", async () => {
    const hooksBefore = hooks.length;
    await append(
      eml(
        {
          From: 'Zed Colleague <zed@samco.example>',
          Subject: 'Your paper',
          'Message-ID': '<zed@samco.example>',
        },
        'Sam forwarded your paper; I run partnerships here. Call me.',
      ),
    );
    await sync();
    const note = notes.find((n) => n.ref.partner === 'sam' && n.ref.touch === 'reply-note');
    expect(note?.subject).toBe('Reply from Samco (a colleague of sam Tester)');
    expect(note?.text).toContain('Zed Colleague <zed@samco.example>, a colleague of sam Tester at Samco');
    expect(note?.text).toContain('> Sam forwarded your paper; I run partnerships here. Call me.');
    expect((await loadCampaignStates(store, air)).states.get('sam')?.status).toBe('not-now');
    expect(hooks).toHaveLength(hooksBefore);
  }, 60_000);
});
