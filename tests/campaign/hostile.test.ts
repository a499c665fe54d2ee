import { describe, expect, it } from 'vitest';
import { loadCampaign } from '../../src/lib/campaign/load.ts';
import { tryRenderMessage } from '../../src/lib/email/render/index.ts';
import { tryRenderLandingCopy } from '../../src/lib/personalize/landing.ts';
import { contentDir, craft, secret } from './helpers.ts';

const hostile = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(2)>',
  '{{ sender.email }}',
  '{% for i in (1..3) %}LOOPED{% endfor %}',
  'line one\r\nBcc: victim@example.invalid\nSubject: x',
  'نתיב ‮evil‬ קר',
  '[click](javascript:alert(3)) **bold** <iframe src="https://evil.invalid"></iframe>',
].join(' ');

const columns = [
  'company',
  'first_name',
  'last_name',
  'role',
  'pain',
  'estimated_result',
  'referrer_name',
  'referrer_relationship',
];
const csvCell = (value: string) => `"${value.replace(/"/g, '""')}"`;

// Every template uses every partner field, in subject, preheader, body (text and link text) and landing copy.
const uses = columns.map((c) => `{{ partner.${c} }}`).join(' | ');
const template = `---
subject: "S ${uses.replace(/"/g, '\\"')}"
preheader: "P ${uses.replace(/"/g, '\\"')}"
---
Hello {{ recipient.first_name }} {{ recipient.name }}, ${uses}.

[${uses}]({{ links.paper }}) and **${uses}**

- ${uses}
`;

const dir = craft({
  'partners.csv': [
    `id,email,${columns.join(',')},referrer_email`,
    `evil,evil@example.test,${columns.map(() => csvCell(hostile)).join(',')},ref@example.org`,
  ].join('\n'),
  'emails/advance-notice.md': template,
  'emails/follow-up.md': template,
  'emails/referrer-nudge.md': template,
  'campaign.yaml': (text) =>
    text
      .replace(/headline: .*/, `headline: "${uses}"`)
      .replace(/intro: .*/, `intro: "${uses} {{ recipient.first_name }}"`),
});

describe('hostile partner data', () => {
  const loaded = loadCampaign(dir, { contentDir });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems, null, 2));
  const { campaign } = loaded;
  const partner = campaign.partners[0];
  if (!partner) throw new Error('no partner');

  for (const touch of campaign.touches) {
    it(`is escaped and literal in ${touch.id}`, async () => {
      const result = await tryRenderMessage(campaign, touch, partner, { secret });
      if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
      const { html, text, subject, preheader, to } = result.message;
      // Nothing from the data became markup.
      expect(html).not.toMatch(/<script/i);
      expect(html).not.toMatch(/<img/i);
      expect(html).not.toMatch(/<iframe/i);
      // No element carries an event handler (escaped text may still read "onerror=").
      expect(html.replace(/"[^"]*"/g, '""').match(/<[a-z][^>]*\son\w+=/gi)).toBeNull();
      expect(html).not.toMatch(/href="javascript:/i);
      expect(html).not.toMatch(/<strong>bold<\/strong>/);
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
      // Liquid in the data stays literal: not executed, not expanded.
      expect(html).toContain('{{ sender.email }}');
      expect(html).toContain('{% for i in (1..3) %}LOOPED{% endfor %}');
      expect(html).not.toContain('maren@kestrel.example.com</');
      expect(html).not.toContain('LOOPEDLOOPED');
      expect(text).toContain('{% for i in (1..3) %}LOOPED{% endfor %}');
      // Right-to-left text and bidi controls are isolated.
      expect(html).toContain('<bdi>');
      // One-line headers.
      for (const header of [subject, preheader, to]) expect(header).not.toMatch(/[\r\n]/);
      expect(subject).toContain('Bcc: victim@example.invalid');
      expect(subject).toContain('<script>alert(1)</script>');
      expect(result.message.recipient).toBe(touch.kind === 'referrer-nudge' ? 'referrer' : 'partner');
    });
  }

  it('is escaped in the landing copy', () => {
    const result = tryRenderLandingCopy(campaign, partner, { secret });
    if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
    for (const field of [result.copy.headline, result.copy.intro]) {
      expect(field.html).not.toMatch(/<script|<img|<iframe|href="javascript:/i);
      expect(field.html).toContain('{{ sender.email }}');
      expect(field.html).not.toContain('LOOPEDLOOPED');
      expect(field.text).toContain('<script>alert(1)</script>');
    }
  });

  it('sample campaign: the hostile and RTL partners render safely', async () => {
    const sample = loadCampaign('campaigns/sample', { contentDir });
    if (!sample.ok) throw new Error(JSON.stringify(sample.problems));
    const evil = sample.campaign.partners.find((p) => p.id === 'hostile-fields');
    const rtl = sample.campaign.partners.find((p) => p.id === 'nativ-kar');
    if (!evil || !rtl) throw new Error('sample partners missing');
    for (const touch of sample.campaign.touches) {
      if (touch.kind === 'referrer-nudge') continue;
      const result = await tryRenderMessage(sample.campaign, touch, evil, { secret });
      if (!result.ok) throw new Error(JSON.stringify(result.problems));
      expect(result.message.html).not.toMatch(/<script|<img|<iframe|href="javascript:|href="https:\/\/evil/i);
      expect(result.message.subject).not.toMatch(/[\r\n]/);
      const r = await tryRenderMessage(sample.campaign, touch, rtl, { secret });
      if (!r.ok) throw new Error(JSON.stringify(r.problems));
      expect(r.message.html).toContain('<bdi>נועה</bdi>');
    }
  });
});
