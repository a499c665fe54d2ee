/** The inbox tables (migration 4) on every engine: inbound once per Message-ID, corrections, sent ids, cursors. */
import { afterAll, describe, expect, it } from 'vitest';
import { engines } from '../store/engines.ts';

for (const engine of engines) {
  describe(`inbox tables on ${engine.name}`, () => {
    afterAll(() => engine.cleanup());

    it('stores an inbound message once, lists it by effective class, and a correction wins', async () => {
      const store = await (await engine.fresh()).open();
      try {
        const input = {
          messageId: '<Reply-1@Mail.Example>',
          source: 'imap:INBOX',
          fromEmail: ' Ann@Example.com ',
          fromName: 'Ann',
          subject: 'Re: the paper',
          class: 'auto-reply' as const,
          evidence: [{ rule: 'auto-submitted', where: 'auto-submitted', saw: 'auto-replied' }],
          detail: { returnDate: '2027-01-04T00:00:00.000Z' },
          headers: { 'auto-submitted': 'auto-replied' },
          campaign: 'c1',
          partnerId: 'p1',
          matchKind: 'thread' as const,
          receivedAt: '2026-12-01T10:00:00Z',
        };
        const first = await store.addInbound(input);
        const again = await store.addInbound({
          ...input,
          messageId: 'Reply-1@Mail.Example',
          source: 'resend',
        });
        expect(first.created).toBe(true);
        expect(again).toEqual({ created: false, id: first.id });
        await store.addInbound({
          ...input,
          messageId: 'other@x',
          partnerId: null,
          campaign: null,
          matchKind: null,
        });

        const [row] = await store.listInbound({ campaign: 'c1' });
        expect(row).toMatchObject({
          messageId: 'Reply-1@Mail.Example',
          fromEmail: 'ann@example.com',
          class: 'auto-reply',
          effectiveClass: 'auto-reply',
          correction: null,
          detail: { returnDate: '2027-01-04T00:00:00.000Z' },
          receivedAt: '2026-12-01T10:00:00.000Z',
        });
        expect((await store.listInbound({ unmatched: true })).map((m) => m.messageId)).toEqual(['other@x']);

        expect(await store.correctInbound(first.id, 'reply')).toBe(true);
        expect(await store.correctInbound(999_999, 'reply')).toBe(false);
        expect((await store.listInbound({ class: 'reply' })).map((m) => m.id)).toEqual([first.id]);
        expect((await store.getInbound(first.id))?.effectiveClass).toBe('reply');
        await store.setInboundEffects(first.id, { responses: ['k1'] });
        expect((await store.getInbound(first.id))?.effects).toEqual({ responses: ['k1'] });
      } finally {
        await store.close();
      }
    });

    it('remembers sent Message-IDs and finds them with or without brackets; cursors replace', async () => {
      const store = await (await engine.fresh()).open();
      try {
        const added = await store.recordSentMessages([
          {
            messageId: '<a@aircover>',
            kind: 'touch',
            campaign: 'c1',
            partnerId: 'p1',
            touch: 'invite',
            recipient: 'P@X.com',
          },
          { messageId: 'b@aircover', kind: 'hot-note', recipient: 'owner@us.com' },
        ]);
        expect(added).toBe(2);
        expect(
          await store.recordSentMessages([{ messageId: 'a@aircover', kind: 'touch', recipient: 'p@x.com' }]),
        ).toBe(0);
        const found = await store.findSentMessages(['<a@aircover>', 'nope@x', 'b@aircover']);
        expect(found.map((m) => [m.messageId, m.kind, m.partnerId, m.recipient]).sort()).toEqual([
          ['a@aircover', 'touch', 'p1', 'p@x.com'],
          ['b@aircover', 'hot-note', null, 'owner@us.com'],
        ]);

        expect(await store.getInboxCursor('u@h/INBOX')).toBeNull();
        await store.setInboxCursor({ mailbox: 'u@h/INBOX', uidValidity: '17', lastUid: 4 });
        await store.setInboxCursor({ mailbox: 'u@h/INBOX', uidValidity: '17', lastUid: 9 });
        expect(await store.getInboxCursor('u@h/INBOX')).toEqual({
          mailbox: 'u@h/INBOX',
          uidValidity: '17',
          lastUid: 9,
        });

        await store.addResponse({
          kind: 'replied',
          idempotencyKey: 'inbox:1:reply',
          source: 'inbox',
          campaign: 'c1',
          partnerId: 'p1',
        });
        expect(await store.removeResponses(['inbox:1:reply', 'missing'])).toBe(1);
        expect(await store.listResponses({ campaign: 'c1' })).toEqual([]);
      } finally {
        await store.close();
      }
    });
  });
}
