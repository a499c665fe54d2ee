/**
 * Renders one touch for one partner: { to, subject, preheader, html, text }.
 * The sender (src/lib/email/transport) puts these into messages; the preflight renders every
 * touch × partner with the same function, so what was checked is what is sent.
 */
import { createHash } from 'node:crypto';
import { compile } from 'html-to-text';
import type { Campaign, Touch } from '../../campaign/load.ts';
import type { Partner } from '../../campaign/partners.ts';
import { error, type Problem } from '../../campaign/problems.ts';
import { compileCampaign, liquidProblem } from '../../personalize/compile.ts';
import { templateScope } from '../../personalize/context.ts';
import { renderLine, renderMarkdown } from '../../personalize/engine.ts';
import { escapeHtml, oneLine } from '../../personalize/escape.ts';
import { partnerLinks, referrerUnsubscribeLinks } from '../../personalize/links.ts';
import { fillLayout, layoutHtml } from './layout.ts';

export interface RenderOptions {
  /** AIRCOVER_SECRET by default (see src/lib/secret.ts). */
  secret?: string;
  /** AIRCOVER_SITE_URL by default. */
  baseUrl?: string;
  /** Decides whether the paper is still an advance copy; default now. */
  now?: Date;
}

export interface RenderedMessage {
  campaign: string;
  touch: string;
  partner: string;
  /** `partner`, or `referrer` for a referrer nudge (addressed to the partner's referrer). */
  recipient: 'partner' | 'referrer';
  /** Bare address and display name of the recipient; the transport formats the header. */
  to: string;
  toName: string;
  from: { name: string; email: string };
  replyTo: string;
  /** One line, no CR/LF or other control characters. */
  subject: string;
  /** One line; may be empty. */
  preheader: string;
  html: string;
  text: string;
  /** The page the footer's unsubscribe link opens, and the RFC 8058 one-click POST endpoint. */
  unsubscribeUrl: string;
  unsubscribeOneClickUrl: string;
  /** Every href in the HTML, in order (the preflight's "earn the response" lint reads these). */
  links: string[];
  /** sha256 of subject, html and text (16 hex): a content version for idempotency keys. */
  contentHash: string;
}

/** Compiled once: html-to-text's `convert` rebuilds its selector tables on every call. */
const htmlToText = compile({
  wordwrap: 78,
  selectors: [
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
    { selector: 'h1', options: { uppercase: false } },
    { selector: 'h2', options: { uppercase: false } },
    { selector: 'h3', options: { uppercase: false } },
  ],
});

export type RenderResult = { ok: true; message: RenderedMessage } | { ok: false; problems: Problem[] };

/** Renders or reports every problem (missing variables with partner, row, template and line). */
export async function tryRenderMessage(
  campaign: Campaign,
  touch: Touch,
  partner: Partner,
  options: RenderOptions = {},
): Promise<RenderResult> {
  const compiled = compileCampaign(campaign);
  const templates = compiled.touches.get(touch.id);
  if (!templates) {
    const own = compiled.problems.filter((p) => p.touch === touch.id);
    return {
      ok: false,
      problems:
        own.length > 0
          ? own
          : [error('template.invalid', 'the template did not compile', { touch: touch.id })],
    };
  }
  const toReferrer = touch.kind === 'referrer-nudge';
  const referrer = partner.referrer;
  const who = { partner: partner.id, row: partner.row };
  if (toReferrer && !referrer) {
    return {
      ok: false,
      problems: [
        error('render.no-referrer', 'a referrer nudge needs a referrer; this partner has none', {
          touch: touch.id,
          ...who,
        }),
      ],
    };
  }
  const scope = templateScope(campaign, partner, {
    ...options,
    touch: touch.id,
    touchKind: touch.kind,
    touchAt: touch.at,
    toReferrer,
  });
  const problems: Problem[] = [];
  const run = <T>(field: 'subject' | 'preheader' | 'body', line: number, render: () => T): T | undefined => {
    try {
      return render();
    } catch (cause) {
      problems.push(liquidProblem(cause, { file: touch.email.file, line, field, touch: touch.id }, who));
      return undefined;
    }
  };
  const { email } = touch;
  const subject = run('subject', email.subjectLine, () => renderLine(templates.subject, scope));
  const preheaderTemplate = templates.preheader;
  const preheader = preheaderTemplate
    ? run('preheader', email.preheaderLine, () => renderLine(preheaderTemplate, scope))
    : '';
  const body = run('body', email.bodyLine, () => renderMarkdown(templates.body, scope));
  if (subject === '') {
    problems.push(
      error('render.empty-subject', 'the subject renders empty', {
        file: email.file,
        line: email.subjectLine,
        field: 'subject',
        touch: touch.id,
        ...who,
      }),
    );
  }
  if (problems.length > 0 || subject === undefined || preheader === undefined || body === undefined) {
    return { ok: false, problems };
  }

  const { def } = campaign;
  const links = partnerLinks(campaign, partner.id, { ...options, touch: touch.id });
  const unsubscribe = toReferrer ? referrerUnsubscribeLinks(campaign.id, partner.id, options) : links;
  const company = escapeHtml(partner.company);
  const optOut = !touch.optOutLinks
    ? ''
    : toReferrer
      ? `<p>Rather not be asked about ${company}? <a href="${escapeHtml(unsubscribe.unsubscribe)}">Don't email me about this again</a>, and we won't.</p>`
      : `<p>Not the right moment? <a href="${escapeHtml(links.notNow)}">Not now, remind me later</a>. Not for ${company}? <a href="${escapeHtml(links.noThanks)}">No thanks</a>. Either answer is fine, and we act on it at once.</p>`;
  const recipientEmail = toReferrer && referrer ? referrer.email : partner.email;
  const footer = [
    `<p>${escapeHtml(def.sender.company)} · ${escapeHtml(oneLine(def.sender.postalAddress))}</p>`,
    `<p>Sent by ${escapeHtml(def.sender.name)} to ${escapeHtml(recipientEmail)}. <a href="${escapeHtml(unsubscribe.unsubscribe)}">Unsubscribe</a></p>`,
  ].join('');
  const layout = await layoutHtml(def.locale.split('-')[0] ?? 'en');
  const html = fillLayout(layout, {
    subject: escapeHtml(subject),
    preheader: escapeHtml(preheader),
    body,
    optOut,
    footer,
  });
  const toText = (fragment: string) => htmlToText(fragment).trim();
  const text = [toText(body), optOut ? toText(optOut) : '', `--\n${toText(footer)}`]
    .filter(Boolean)
    .join('\n\n');
  const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => (m[1] ?? '').replace(/&amp;/g, '&'));
  const toName =
    toReferrer && referrer ? referrer.name : [partner.firstName, partner.lastName].filter(Boolean).join(' ');
  return {
    ok: true,
    message: {
      campaign: campaign.id,
      touch: touch.id,
      partner: partner.id,
      recipient: toReferrer ? 'referrer' : 'partner',
      to: recipientEmail,
      toName: oneLine(toName),
      from: { name: oneLine(def.sender.name), email: def.sender.email },
      replyTo: def.sender.replyTo ?? def.sender.email,
      subject,
      preheader,
      html,
      text,
      unsubscribeUrl: unsubscribe.unsubscribe,
      unsubscribeOneClickUrl: unsubscribe.unsubscribeOneClick,
      links: hrefs,
      contentHash: createHash('sha256')
        .update(subject)
        .update('\0')
        .update(html)
        .update('\0')
        .update(text)
        .digest('hex')
        .slice(0, 16),
    },
  };
}

export class RenderError extends Error {
  readonly problems: Problem[];
  constructor(problems: Problem[]) {
    super(problems.map((p) => p.message).join('; '));
    this.name = 'RenderError';
    this.problems = problems;
  }
}

/** Like `tryRenderMessage`, throwing a RenderError (with `.problems`) instead. */
export async function renderMessage(
  campaign: Campaign,
  touch: Touch | string,
  partner: Partner | string,
  options: RenderOptions = {},
): Promise<RenderedMessage> {
  const t = typeof touch === 'string' ? campaign.touches.find((x) => x.id === touch) : touch;
  const p = typeof partner === 'string' ? campaign.partners.find((x) => x.id === partner) : partner;
  if (!t) throw new RenderError([error('render.unknown-touch', `no touch "${String(touch)}"`)]);
  if (!p) throw new RenderError([error('render.unknown-partner', `no partner "${String(partner)}"`)]);
  const result = await tryRenderMessage(campaign, t, p, options);
  if (!result.ok) throw new RenderError(result.problems);
  return result.message;
}
