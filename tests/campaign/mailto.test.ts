/**
 * The referrer's one-click introduction: a `mailto:` whose every header value is percent-encoded
 * whole, so hostile names (commas, CRLF, quotes, `&`, `?`) stay inside the subject or body and
 * can add no header and no recipient.
 */
import { describe, expect, it } from 'vitest';
import { MailtoAddressError, mailtoUrl } from '../../src/lib/referrer/mailto.ts';

/** What a mail client reads from a mailto: (RFC 6068): the address list and the header fields. */
function parseMailto(url: string): { to: string[]; fields: Map<string, string[]> } {
  expect(url.startsWith('mailto:')).toBe(true);
  const [addr = '', query = ''] = url.slice('mailto:'.length).split('?');
  const fields = new Map<string, string[]>();
  for (const pair of query.split('&')) {
    const [k = '', v = ''] = pair.split('=');
    const name = decodeURIComponent(k).toLowerCase();
    fields.set(name, [...(fields.get(name) ?? []), decodeURIComponent(v)]);
  }
  return { to: decodeURIComponent(addr).split(','), fields };
}

describe('mailtoUrl', () => {
  const hostile = 'Robert, "Bobby" <evil@x.test>\r\nBcc: victim@example.invalid&cc=spy@evil.test?x=1';

  it('keeps hostile names inside the subject and body: one To, one Cc, no Bcc', () => {
    const url = mailtoUrl({
      to: 'ingrid.bakke@nordlys.example.com',
      cc: ['maren.holt@kestrel-sensing.example.com'],
      subject: `${hostile}, meet Maren`,
      body: `Hi ${hostile},\nline two\r\nline three`,
    });
    // Nothing a client could split on is left raw after the address.
    expect(url).not.toMatch(/[\r\n"<> ]/);
    const { to, fields } = parseMailto(url);
    expect(to).toEqual(['ingrid.bakke@nordlys.example.com']);
    expect([...fields.keys()].sort()).toEqual(['body', 'cc', 'subject']);
    expect(fields.get('cc')).toEqual(['maren.holt@kestrel-sensing.example.com']);
    const [subject] = fields.get('subject') ?? [];
    expect(subject).toBe(
      'Robert, "Bobby" <evil@x.test> Bcc: victim@example.invalid&cc=spy@evil.test?x=1, meet Maren',
    );
    expect(subject).not.toMatch(/[\r\n]/);
    // Body line breaks are CRLF (RFC 6068), the hostile text is literal.
    expect(fields.get('body')?.[0]).toBe(
      'Hi Robert, "Bobby" <evil@x.test>\r\nBcc: victim@example.invalid&cc=spy@evil.test?x=1,\r\nline two\r\nline three',
    );
  });

  it('folds Unicode line and paragraph separators out of the subject', () => {
    const { fields } = parseMailto(
      mailtoUrl({ to: 'a@b.test', subject: 'one\u2028two\u2029three', body: '' }),
    );
    expect(fields.get('subject')).toEqual(['one two three']);
  });

  it('refuses an address a client could read as several recipients or headers', () => {
    for (const to of [
      'a@b.test,c@d.test',
      'Robert <a@b.test>',
      'a@b.test?cc=c@d.test',
      'a@b.test\r\nBcc: c@d.test',
      '"a b"@c.test',
      'a@b.test&bcc=x@y.test',
    ]) {
      expect(() => mailtoUrl({ to, subject: 's', body: 'b' }), to).toThrow(MailtoAddressError);
    }
    expect(() => mailtoUrl({ to: 'a@b.test', cc: ['x@y.test, z@w.test'], subject: 's', body: 'b' })).toThrow(
      MailtoAddressError,
    );
  });
});
