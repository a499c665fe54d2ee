/**
 * The inbox end to end against a real Dovecot: messages put in the mailbox by IMAP APPEND, as a
 * mail client would, read by `syncOnce`, stored once, and their effects read back through the one
 * partner-state module (what the sender and the queue read).
 */
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type FollowupCampaign, loadCampaignStates, partnerTimeline } from '../../src/lib/followup/index.ts';
import { touchDecisions } from '../../src/lib/followup/state/index.ts';
import { imapConfig, mailboxKey, syncOnce, watchMailbox } from '../../src/lib/inbox/imap.ts';
import { correct } from '../../src/lib/inbox/pipeline.ts';
import type { Store } from '../../src/lib/store/index.ts';
import { craftedCampaign, DAY, partner, sent, tempStore } from '../followup/helpers.ts';
import { describeWith } from '../helpers/requires.ts';
import { type Dovecot, startDovecot } from './dovecot.ts';

const now = new Date();
const rfc2822 = (d: Date) => d.toUTCString().replace('GMT', '+0000');
const longDate = (d: Date) =>
  d.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

function eml(headers: Record<string, string>, body: string): string {
  const lines = Object.entries({
    Date: rfc2822(now),
    'MIME-Version': '1.0',
    'Content-Type': 'text/plain; charset=utf-8',
    ...headers,
  });
  return `${lines.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body.replace(/\n/g, '\r\n')}\r\n`;
}

describeWith('dovecot')('inbox over IMAP (Dovecot)', () => {
  let dovecot: Dovecot;
  let store: Store;
  let cleanup: () => Promise<void>;
  let air: FollowupCampaign;
  let client: ImapFlow;
  const back = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 10));

  const append = async (raw: string) => {
    await client.append('INBOX', raw, [], now);
  };
  const sync = () => syncOnce({ store, campaigns: [air] }, imapConfig(dovecot.url, {}));
  const states = (at = new Date()) => loadCampaignStates(store, air, { now: at });

  beforeAll(async () => {
    dovecot = await startDovecot();
    ({ store, cleanup } = await tempStore());
    air = craftedCampaign('air', [
      partner('ann', { email: 'ann@acme.example', company: 'Acme' }),
      partner('bob', { email: 'bob@acme.example', company: 'Acme' }),
      partner('cara', { email: 'cara@initech.example', company: 'Initech' }),
      partner('dan', { email: 'dan@globex.example', company: 'Globex' }),
      partner('eve', { email: 'eve@hooli.example', company: 'Hooli' }),
    ]);
    await sent(store, air, 'announce', ['ann', 'bob', 'cara', 'dan', 'eve']);
    await store.recordSentMessages(
      ['ann', 'bob', 'cara', 'dan', 'eve'].map((id) => ({
        messageId: `<announce-${id}@aircover.test>`,
        kind: 'touch' as const,
        campaign: 'air',
        partnerId: id,
        touch: 'announce',
        recipient: `${id}@x.example`,
      })),
    );
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
    await cleanup?.();
    await dovecot?.stop();
  });

  it('a reply in the thread, an out-of-office with a return date and a DSN change what happens next', async () => {
    await append(
      eml(
        {
          From: 'Ann Example <Ann@Acme.example>',
          To: 'marketing@aircover.test',
          Subject: 'Re: Your advance copy',
          'Message-ID': '<reply-ann@acme.example>',
          'In-Reply-To': '<announce-ann@aircover.test>',
          References: '<announce-ann@aircover.test>',
        },
        'Thanks, interesting. Can we talk on Friday?\n\nAnn\n\nOn Tue, Marketing <marketing@aircover.test> wrote:\n> Hello Ann',
      ),
    );
    await append(
      eml(
        {
          From: 'Cara <cara@initech.example>',
          To: 'marketing@aircover.test',
          Subject: 'Automatic reply: Your advance copy',
          'Message-ID': '<ooo-cara@initech.example>',
          'In-Reply-To': '<announce-cara@aircover.test>',
          'Auto-Submitted': 'auto-replied',
        },
        `I am out of the office and will be back on ${longDate(back)}.`,
      ),
    );
    await append(
      [
        'From: Mail Delivery System <MAILER-DAEMON@mail.aircover.test>',
        'To: marketing@aircover.test',
        'Subject: Undelivered Mail Returned to Sender',
        'Message-ID: <dsn-dan@mail.aircover.test>',
        `Date: ${rfc2822(now)}`,
        'MIME-Version: 1.0',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/plain',
        '',
        'Your message could not be delivered.',
        '--b1',
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mail.aircover.test',
        '',
        'Final-Recipient: rfc822; dan@globex.example',
        'Action: failed',
        'Status: 5.1.1',
        '--b1',
        'Content-Type: text/rfc822-headers',
        '',
        'Message-ID: <announce-dan@aircover.test>',
        'To: dan@globex.example',
        '--b1--',
        '',
      ].join('\r\n'),
    );

    // A dry run reads and classifies, and changes nothing: no row, no cursor.
    const [preview] = await syncOnce({ store, campaigns: [air] }, imapConfig(dovecot.url, {}), {
      dryRun: true,
    });
    expect(preview?.preview?.map((p) => [p.partner, p.class])).toEqual([
      ['air/ann', 'reply'],
      ['air/cara', 'auto-reply'],
      ['air/dan', 'bounce'],
    ]);
    expect(preview).toMatchObject({ read: 3, stored: 0 });
    expect(await store.listInbound({})).toEqual([]);
    expect(await store.getInboxCursor(mailboxKey(imapConfig(dovecot.url, {}), 'INBOX'))).toBeNull();

    const [inbox] = await sync();
    expect(inbox).toMatchObject({ folder: 'INBOX', read: 3, stored: 3, reset: false });

    const rows = await store.listInbound({ campaign: 'air' });
    expect(rows.map((r) => [r.partnerId, r.effectiveClass, r.matchKind])).toEqual([
      ['ann', 'reply', 'thread'],
      ['cara', 'auto-reply', 'thread'],
      ['dan', 'bounce', 'thread'],
    ]);

    const { states: s } = await states();
    expect(s.get('ann')?.status).toBe('replied');
    const decisions = touchDecisions(
      s.get('ann') ?? (undefined as never),
      air.partners[0] as never,
      air,
      now,
    );
    // Every pending touch stops, the invitation too, and the plan says why.
    expect(decisions.find((d) => d.touch === 'follow-up')).toMatchObject({ send: false, reason: 'replied' });
    expect(decisions.find((d) => d.touch === 'invite')).toMatchObject({ send: false, reason: 'replied' });
    expect(s.get('cara')).toMatchObject({ status: 'not-now', until: back.toISOString() });
    expect(s.get('dan')?.status).toBe('bounced');
    expect(await store.isSuppressed('dan@globex.example')).toBe(true);
    // Every inbound message is on the partner's timeline.
    const timeline = await partnerTimeline(store, [air], { campaign: 'air', partnerId: 'cara' });
    expect(timeline?.entries.find((e) => e.kind === 'inbound')).toMatchObject({ type: 'inbox.auto-reply' });

    // After the return date Cara is no longer paused.
    const later = await states(new Date(back.getTime() + DAY));
    expect(later.states.get('cara')?.status).not.toBe('not-now');
  }, 60_000);

  it('resumes from the last UID, and reads again (storing nothing twice) when UIDVALIDITY changes', async () => {
    expect((await sync())[0]).toMatchObject({ read: 0, stored: 0 });
    await append(
      eml(
        {
          From: 'stranger@nowhere.example',
          To: 'marketing@aircover.test',
          Subject: 'Hello',
          'Message-ID': '<stranger@nowhere.example>',
        },
        'Who are you?',
      ),
    );
    expect((await sync())[0]).toMatchObject({ read: 1, stored: 1 });
    expect((await store.listInbound({ unmatched: true })).map((m) => m.messageId)).toEqual([
      'stranger@nowhere.example',
    ]);

    const key = mailboxKey(imapConfig(dovecot.url, {}), 'INBOX');
    const cursor = await store.getInboxCursor(key);
    await store.setInboxCursor({ mailbox: key, uidValidity: 'renumbered', lastUid: cursor?.lastUid ?? 0 });
    expect((await sync())[0]).toMatchObject({ read: 4, stored: 0, reset: true });
  }, 60_000);

  it("a colleague's reply pauses the rest of the company; a correction undoes a reply's effects", async () => {
    await append(
      eml(
        {
          From: 'Fay Colleague <fay@acme.example>',
          To: 'marketing@aircover.test',
          Subject: 'Your paper',
          'Message-ID': '<fay@acme.example>',
        },
        'Ann forwarded me your paper. Interesting, let us talk.',
      ),
    );
    await sync();
    const [fay] = await store
      .listInbound({ class: 'reply' })
      .then((l) => l.filter((m) => m.fromEmail === 'fay@acme.example'));
    expect(fay?.matchKind).toBe('same-company');
    const { states: s } = await states();
    expect(s.get('bob')?.status).toBe('not-now');
    expect(s.get('eve')?.status).not.toBe('not-now');

    const ann = (await store.listInbound({ partnerId: 'ann' }))[0];
    if (!ann) throw new Error('no reply from ann');
    await correct(store, [air], ann.id, 'auto-reply');
    const after = await states();
    expect(after.states.get('ann')?.status).not.toBe('replied');
    expect((await store.getInbound(ann.id))?.effectiveClass).toBe('auto-reply');
  }, 60_000);

  it('a running watch (IDLE) sees a reply within 60 s of its arrival: the queue says replied', async () => {
    const watcher = watchMailbox({ store, campaigns: [air] }, imapConfig(dovecot.url, {}));
    try {
      await watcher.ready;
      const appended = Date.now();
      await append(
        eml(
          {
            From: 'Eve <eve@hooli.example>',
            To: 'marketing@aircover.test',
            Subject: 'Re: Your advance copy',
            'Message-ID': '<reply-eve@hooli.example>',
            'In-Reply-To': '<announce-eve@aircover.test>',
          },
          'Yes, send me more.',
        ),
      );
      let status: string | undefined;
      while (Date.now() - appended < 60_000) {
        status = (await states()).states.get('eve')?.status;
        if (status === 'replied') break;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(status).toBe('replied');
    } finally {
      await watcher.stop();
    }
  }, 90_000);
});
