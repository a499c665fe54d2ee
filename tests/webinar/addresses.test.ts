/**
 * Addresses are data (issue 11): a name never adds a recipient, and a confirmation is a message
 * to a person like any other, so a suppressed address gets none.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import addressparser from 'nodemailer/lib/addressparser';
import { afterAll, describe, expect, it } from 'vitest';
import { AddressError, formatAddress, isEmailAddress, parseMailbox } from '../../src/lib/email/address.ts';
import { sendAll } from '../../src/lib/email/message.ts';
import { toOutgoing } from '../../src/lib/email/send/message.ts';
import { createOutboxTransport } from '../../src/lib/email/transport/outbox.ts';
import { hotNoteMessage } from '../../src/lib/followup/notify.ts';
import type { Store } from '../../src/lib/store/types.ts';
import { confirmRegistration, invitationMessage, notifyRegistrants } from '../../src/lib/webinar/index.ts';
import { sampleWebinar, tempStore } from './helpers.ts';

const HOSTILE = 'x1@evil.example, x2@evil.example, Bob';

async function emlsIn(dir: string) {
  const files = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.eml'));
  return Promise.all(files.map(async (f) => simpleParser(readFileSync(join(dir, f)))));
}

const recipients = (mail: Awaited<ReturnType<typeof simpleParser>>) =>
  (mail.to && !Array.isArray(mail.to) ? mail.to.value : []).map((a) => ({
    name: a.name,
    address: a.address,
  }));

describe('the address formatter', () => {
  it('quotes every name, so commas, angle brackets and @ stay text', () => {
    for (const name of [
      HOSTILE,
      'Bob <x3@evil.example>',
      'A "quoted" \\ name',
      'Zoë Ångström; CFO',
      'x\r\nBcc: y@evil.example',
    ]) {
      const parsed = addressparser(formatAddress(name, 'bob@example.com'), { flatten: true });
      expect(parsed.map((p) => p.address)).toEqual(['bob@example.com']);
      expect(parsed[0]?.name).not.toMatch(/[\r\n]/);
    }
    expect(formatAddress(null, 'bob@example.com')).toBe('bob@example.com');
    expect(formatAddress('  ', 'bob@example.com')).toBe('bob@example.com');
  });

  it('validates the address and never guesses one', () => {
    for (const bad of [
      'a@b',
      'a b@example.com',
      'a@example.com, b@example.com',
      '<a@example.com>',
      '"a"@example.com',
      'a@@example.com',
      '',
    ]) {
      expect(isEmailAddress(bad), bad).toBe(false);
      expect(() => formatAddress('Bob', bad)).toThrow(AddressError);
    }
    expect(isEmailAddress('ingrid.bakke+news@nordlys-integrasjon.example.com')).toBe(true);
    expect(parseMailbox('Maren Holt <maren@example.com>')).toEqual({
      name: 'Maren Holt',
      address: 'maren@example.com',
    });
    expect(() => parseMailbox('a@example.com, b@example.com')).toThrow(AddressError);
  });
});

describe('every recipient goes through it', () => {
  const stores: Store[] = [];
  afterAll(async () => {
    for (const s of stores) await s.close();
  });

  it('a webinar confirmation to a hostile name has one recipient, the name RFC 2047 encoded in the .eml', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aircover-address-'));
    const transport = createOutboxTransport({ dir });
    for (const name of [HOSTILE, 'Jürgen Groß, 山田 <x4@evil.example>']) {
      const message = await invitationMessage(
        sampleWebinar(),
        { email: 'bob@example.com', name },
        'confirmation',
      );
      await sendAll(transport, [{ ...message, ref: { ...message.ref, partner: `p${name.length}` } }]);
    }
    const mails = await emlsIn(dir);
    expect(mails).toHaveLength(2);
    for (const mail of mails) expect(recipients(mail).map((r) => r.address)).toEqual(['bob@example.com']);
    const names = mails.flatMap((m) => recipients(m).map((r) => r.name)).sort();
    expect(names).toEqual(['Jürgen Groß, 山田 <x4@evil.example>', HOSTILE].sort());
    const raw = readdirSync(dir, { recursive: true }) as string[];
    const eml = raw
      .filter((f) => f.endsWith('.eml'))
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('\n');
    expect(eml).toMatch(/^To: =\?UTF-8\?Q\?J=C3=BCrgen/m);
  });

  it('campaign messages, test inboxes and hot notes', () => {
    const rendered = {
      campaign: 'sample',
      touch: 'invite',
      partner: 'p1',
      to: 'bob@example.com',
      toName: HOSTILE,
      from: { name: 'Maren, Kestrel <m@evil.example>', email: 'maren@example.com' },
      replyTo: 'maren@example.com',
      subject: 'Hello',
      html: '<p>x</p>',
      text: 'x',
      unsubscribeOneClickUrl: 'https://example.com/u',
    } as unknown as Parameters<typeof toOutgoing>[0];
    const message = toOutgoing(rendered, { idempotencyKey: 'k' });
    expect(addressparser(message.to, { flatten: true }).map((a) => a.address)).toEqual(['bob@example.com']);
    expect(addressparser(message.from, { flatten: true }).map((a) => a.address)).toEqual([
      'maren@example.com',
    ]);
    expect(() =>
      toOutgoing(rendered, { idempotencyKey: 'k', testInbox: 'me@example.com, you@evil.example' }),
    ).toThrow(AddressError);
    const item = {
      campaign: 'sample',
      partnerId: 'p1',
      name: 'Bob',
      company: 'Acme',
      reason: 'r',
      suggestion: 's',
      due: null,
      email: 'bob@example.com',
      contact: null,
    };
    const note = hotNoteMessage(
      item as unknown as Parameters<typeof hotNoteMessage>[0],
      { to: 'owner@example.com', from: 'Team <team@example.com>' },
      new Date(),
      { clock: { timeZone: 'UTC', locale: 'en-GB' } },
    );
    expect(addressparser(note.to, { flatten: true })).toHaveLength(1);
    expect(() =>
      hotNoteMessage(
        item as unknown as Parameters<typeof hotNoteMessage>[0],
        { to: 'a@example.com, b@evil.example', from: 'team@example.com' },
        new Date(),
        { clock: { timeZone: 'UTC', locale: 'en-GB' } },
      ),
    ).toThrow(AddressError);
  });

  it('no confirmation, update or cancellation to a suppressed address', async () => {
    const { store } = await tempStore();
    stores.push(store);
    const dir = mkdtempSync(join(tmpdir(), 'aircover-address-'));
    const transport = createOutboxTransport({ dir });
    const webinar = sampleWebinar();
    for (const [email, reason] of [
      ['complained@example.com', 'complaint'],
      ['bounced@example.com', 'hard-bounce'],
      ['unsubscribed@example.com', 'unsubscribed'],
    ] as const) {
      await store.addSuppression({ email, reason, source: 'test' });
      const result = await confirmRegistration(
        { webinar: webinar.slug, email: email.toUpperCase(), name: 'Someone' },
        { store, transport, webinarInfo: webinar },
      );
      expect(result.status).toBe('suppressed');
      await store.addResponse({ kind: 'registration', webinar: webinar.slug, email, source: 'form' });
    }
    const ok = await confirmRegistration(
      { webinar: webinar.slug, email: 'fine@example.com', name: 'Fine' },
      { store, transport, webinarInfo: webinar },
    );
    expect(ok.status).toBe('sent');
    await store.addResponse({
      kind: 'registration',
      webinar: webinar.slug,
      email: 'fine@example.com',
      source: 'form',
    });
    const report = await notifyRegistrants(store, webinar, 'update', { transport });
    expect(report.sent).toBe(1);
    expect(report.suppressed).toHaveLength(3);
    const to = (await emlsIn(dir)).flatMap((m) => recipients(m).map((r) => r.address));
    expect(to).toEqual(['fine@example.com', 'fine@example.com']);
  });
});
