/**
 * A partner's referrer writing back is not the partner answering (src/lib/inbox/match.ts,
 * effects.ts), through the inbox pipeline's `ingest` on a real SQLite store: a referrer's "no
 * thanks" by address, a reply in the thread of a referrer note (from an address partners.csv does
 * not know) and a referrer's out-of-office record no decline, pause or reply on any partner they
 * introduced, only an `inbox.referrer-replied` event on each one's timeline; the owner hears of a
 * reply, not of an auto-reply; the partner's own reply is still theirs; a hard bounce of the
 * referrer's address still suppresses it. Read back through the state module.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutgoingMessage, Transport } from '../../src/lib/email/message.ts';
import { type FollowupCampaign, loadCampaignStates, partnerTimeline } from '../../src/lib/followup/index.ts';
import { replyNotifier } from '../../src/lib/followup/reply-note.ts';
import type { AppliedEffects } from '../../src/lib/inbox/effects.ts';
import { type InboxContext, ingest } from '../../src/lib/inbox/pipeline.ts';
import { inboundRow } from '../../src/lib/inbox/report.ts';
import type { Store, StoredInbound } from '../../src/lib/store/index.ts';
import { craftedCampaign, partner, sent, tempStore } from '../followup/helpers.ts';

const rfc2822 = (d: Date) => d.toUTCString().replace('GMT', '+0000');
const AOIFE = 'aoife@byrne-partners.example';
const RORY = 'rory@kelly-advisory.example';
const OONA = 'oona@oconnor.example';
const PAT = 'pat@pat-consulting.example';

function eml(headers: Record<string, string>, body: string): string {
  const lines = Object.entries({
    Date: rfc2822(new Date()),
    'MIME-Version': '1.0',
    'Content-Type': 'text/plain; charset=utf-8',
    To: 'Maren Holt <maren@kestrel.example.com>',
    ...headers,
  });
  return `${lines.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body.replace(/\n/g, '\r\n')}\r\n`;
}

describe('a referrer writing back is not the partner answering', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let air: FollowupCampaign;
  let ctx: InboxContext;
  const told: { message: StoredInbound; effects: AppliedEffects }[] = [];
  let before: Map<string, string>;
  const notes: OutgoingMessage[] = [];
  // The owner's notes, kept (nothing leaves the test): the real reply-note words.
  const transport: Transport = {
    kind: 'outbox',
    async *send(messages) {
      for (const m of messages as OutgoingMessage[]) {
        notes.push(m);
        yield {
          status: 'sent',
          ref: m.ref,
          idempotencyKey: m.idempotencyKey,
          providerId: `outbox:${notes.length}`,
          requestKey: m.idempotencyKey,
          attempts: 1,
        };
      }
    },
  };
  let note: (m: StoredInbound, e: AppliedEffects) => Promise<void>;
  const statuses = async () =>
    new Map([...(await loadCampaignStates(store, air)).states].map(([id, s]) => [id, s.status as string]));
  const referrerEvents = async (partnerId: string) =>
    (
      await partnerTimeline(store, [air], { campaign: 'air', partnerId }, { includeNonHuman: true })
    )?.entries.filter((e) => e.type === 'inbox.referrer-replied') ?? [];
  const responsesOf = async (partnerId: string) =>
    (await store.listResponses({ campaign: 'air' })).filter((r) => r.partnerId === partnerId);

  beforeAll(async () => {
    ({ store, cleanup } = await tempStore());
    air = craftedCampaign('air', [
      partner('ann', {
        email: 'ann@acme.example',
        company: 'Acme',
        referrer: { name: 'Aoife Byrne', email: AOIFE },
      }),
      partner('bob', {
        email: 'bob@globex.example',
        company: 'Globex',
        referrer: { name: 'Aoife Byrne', email: AOIFE },
      }),
      partner('cat', {
        email: 'cat@initech.example',
        company: 'Initech',
        referrer: { name: 'Rory Kelly', email: RORY },
      }),
      partner('dan', {
        email: 'dan@hooli.example',
        company: 'Hooli',
        referrer: { name: 'Oona OConnor', email: OONA },
      }),
      partner('eve', {
        email: 'eve@umbrella.example',
        company: 'Umbrella',
        referrer: { name: 'Pat Quinn', email: PAT },
      }),
    ]);
    const ids = air.partners.map((p) => p.id);
    await sent(store, air, 'announce', ids);
    await store.recordSentMessages([
      ...ids.map((id) => ({
        messageId: `announce-${id}@aircover.test`,
        kind: 'touch' as const,
        campaign: 'air',
        partnerId: id,
        touch: 'announce',
        recipient: air.partners.find((p) => p.id === id)?.email ?? '',
      })),
      // Rory's referrer note about Cat, as the sender records it: the first covered partner, the referrer's address.
      {
        messageId: 'nudge-rory@aircover.test',
        kind: 'touch' as const,
        campaign: 'air',
        partnerId: 'cat',
        touch: 'nudge',
        recipient: RORY,
      },
    ]);
    note = replyNotifier(store, [air], {
      transport,
      env: {
        AIRCOVER_TEAM_EMAIL: 'team@kestrel.example.com',
        AIRCOVER_SITE_URL: 'https://partners.example.com/',
      },
    });
    ctx = {
      store,
      campaigns: [air],
      onOwnerNote: async (message, effects) => {
        told.push({ message, effects });
        await note(message, effects);
      },
    };
    before = await statuses();
  });

  afterAll(async () => {
    await cleanup?.();
  });

  it('a referrer\'s "no thanks" by address declines nobody and shows on each partner they introduced', async () => {
    const r = await ingest(
      ctx,
      eml(
        {
          From: 'Aoife Byrne <Aoife@Byrne-Partners.example>',
          Subject: 'Re: Introducing Kestrel',
          'Message-ID': '<no-aoife@byrne-partners.example>',
        },
        "Sorry, I'm not interested in making this introduction. Please remove me from this.\n\nAoife",
      ),
      'file:test',
    );
    expect(r.message.matchKind).toBe('referrer');
    expect(r.message.detail.reply).toMatchObject({ intent: 'declined' });
    expect(r.effects?.responses).toEqual([]);
    expect(r.effects?.partners).toEqual([]);
    expect(r.effects?.notifyOwner).toBe(true);
    expect(inboundRow(r.message).matchedAs).toBe('referrer of ann, bob');

    for (const id of ['ann', 'bob']) {
      expect(await responsesOf(id)).toEqual([]);
      const events = await referrerEvents(id);
      expect(events).toHaveLength(1);
      expect(events[0]?.verdict).toBe('human');
      expect(events[0]?.detail).toContain('referrer Aoife Byrne');
    }
    const now = await statuses();
    for (const id of ['ann', 'bob']) {
      expect(now.get(id)).toBe(before.get(id));
      expect(now.get(id)).not.toMatch(/^(declined|replied|not-now)$/);
    }
    expect(told.map((t) => t.message.id)).toEqual([r.id]);
    // The owner's note says whose answer it is: the referrer's, about both partners, no decline.
    expect(notes).toHaveLength(1);
    expect(notes[0]?.subject).toMatch(/^Referrer replied: Aoife Byrne/);
    expect(notes[0]?.text).toContain('the referrer of ann Tester at Acme, bob Tester at Globex');
    expect(notes[0]?.text).not.toMatch(/declined/i);
  });

  it("a reply in the thread of a referrer note, from an address partners.csv does not know, is the referrer's", async () => {
    const r = await ingest(
      ctx,
      eml(
        {
          From: 'Rory Kelly <rory.kelly@gmail.com>',
          Subject: 'Re: A favour: introducing Kestrel to Cat',
          'Message-ID': '<re-nudge-rory@gmail.com>',
          'In-Reply-To': '<nudge-rory@aircover.test>',
          References: '<nudge-rory@aircover.test>',
        },
        "No thanks, I won't introduce you.\n\nRory",
      ),
      'file:test',
    );
    expect(r.message).toMatchObject({ matchKind: 'referrer', campaign: 'air', partnerId: 'cat' });
    expect(r.effects?.responses).toEqual([]);
    expect(await responsesOf('cat')).toEqual([]);
    expect(await referrerEvents('cat')).toHaveLength(1);
    expect((await statuses()).get('cat')).toBe(before.get('cat'));
    expect(told.at(-1)?.message.id).toBe(r.id);
  });

  it("a reply to a referrer-nudge touch recorded under the partner's address (before the sender named the referrer) is the referrer's", async () => {
    await store.recordSentMessages([
      {
        messageId: 'nudge-aoife@aircover.test',
        kind: 'touch',
        campaign: 'air',
        partnerId: 'ann',
        touch: 'nudge',
        recipient: 'ann@acme.example',
      },
    ]);
    const r = await ingest(
      ctx,
      eml(
        {
          From: 'Aoife <aoife.b@gmail.com>',
          Subject: 'Re: Two introductions you made',
          'Message-ID': '<re-nudge-aoife@gmail.com>',
          'In-Reply-To': '<nudge-aoife@aircover.test>',
        },
        'Not interested, please stop.',
      ),
      'file:test',
    );
    expect(r.message).toMatchObject({ matchKind: 'referrer', partnerId: 'ann' });
    expect(inboundRow(r.message).matchedAs).toBe('referrer of ann, bob');
    expect(await responsesOf('ann')).toEqual([]);
    expect(await referrerEvents('bob')).toHaveLength(2);
    expect((await statuses()).get('ann')).toBe(before.get('ann'));
  });

  it("a referrer's out-of-office pauses nobody and does not tell the owner", async () => {
    const back = new Date(Date.now() + 20 * 86_400_000);
    const r = await ingest(
      ctx,
      eml(
        {
          From: 'Oona OConnor <oona@oconnor.example>',
          Subject: 'Automatic reply: A favour',
          'Message-ID': '<ooo-oona@oconnor.example>',
          'Auto-Submitted': 'auto-replied',
        },
        `I am out of the office and will be back on ${back.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })}.`,
      ),
      'file:test',
    );
    expect(r.message).toMatchObject({ matchKind: 'referrer', class: 'auto-reply', partnerId: 'dan' });
    expect(r.effects).toMatchObject({ responses: [], partners: [], notifyOwner: false });
    expect(await responsesOf('dan')).toEqual([]);
    const events = await referrerEvents('dan');
    expect(events).toHaveLength(1);
    expect(events[0]?.detail).toContain('auto-reply');
    const s = (await loadCampaignStates(store, air)).states.get('dan');
    expect(s?.status).toBe(before.get('dan'));
    expect(s?.until).toBeNull();
    expect(told.some((t) => t.message.id === r.id)).toBe(false);
  });

  it("the partner's own reply is still theirs; a hard bounce of a referrer's address suppresses it", async () => {
    const r = await ingest(
      ctx,
      eml(
        {
          From: 'Eve <eve@umbrella.example>',
          Subject: 'Re: Your advance copy',
          'Message-ID': '<reply-eve@umbrella.example>',
          'In-Reply-To': '<announce-eve@aircover.test>',
          References: '<announce-eve@aircover.test>',
        },
        'Thanks, interesting. Can we talk on Friday?\n\nEve',
      ),
      'file:test',
    );
    expect(r.message.matchKind).toBe('thread');
    expect((await responsesOf('eve')).map((x) => x.kind)).toEqual(['replied']);
    expect((await statuses()).get('eve')).toBe('replied');
    expect(await referrerEvents('eve')).toEqual([]);

    const bounce = await ingest(
      ctx,
      [
        'From: Mail Delivery System <MAILER-DAEMON@mx.oconnor.example>',
        'To: replies@aircover.test',
        'Subject: Undelivered Mail Returned to Sender',
        'Message-ID: <dsn-oona@mx.oconnor.example>',
        `Date: ${rfc2822(new Date())}`,
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
        'Reporting-MTA: dns; mx.oconnor.example',
        '',
        `Final-Recipient: rfc822; ${OONA}`,
        'Action: failed',
        'Status: 5.1.1',
        '--b1--',
        '',
      ].join('\r\n'),
      'file:test',
    );
    expect(bounce.message).toMatchObject({ class: 'bounce', matchKind: 'referrer' });
    expect((await store.listSuppressions()).map((s) => s.email)).toContain(OONA);
    expect(await responsesOf('dan')).toEqual([]);
    expect((await statuses()).get('dan')).toBe(before.get('dan'));
  });
});
