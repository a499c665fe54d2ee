/**
 * Renders one touch for one partner: { to, subject, preheader, html, text }.
 * The sender (src/lib/email/transport) puts these into messages; the preflight renders every
 * touch × partner through the same stages up to the HTML (`tryRenderLinks`), so what was checked
 * is what is sent.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { findPackageJSON } from 'node:module';
import type { Campaign, Touch } from '../../campaign/load.ts';
import type { Partner } from '../../campaign/partners.ts';
import { error, type Problem } from '../../campaign/problems.ts';
import { liquidProblem } from '../../personalize/compile.ts';
import { renderLine, renderMarkdown } from '../../personalize/engine.ts';
import { escapeHtml } from '../../personalize/escape.ts';
import { fillLayout, layoutDigest, layoutHtml } from './layout.ts';
import { type Prepared, prepare, type RenderOptions } from './prepare.ts';

export { messageLang, type RenderOptions } from './prepare.ts';

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

let htmlToText: ((html: string) => string) | undefined;
/**
 * html-to-text (with htmlparser2 and entities) loads with the first text version, not with this
 * module: a check and a dry run make none. Compiled once: its `convert` rebuilds its selector
 * tables on every call.
 */
async function textConverter(): Promise<(html: string) => string> {
  if (!htmlToText) {
    const { compile } = await import('html-to-text');
    htmlToText = compile({
      wordwrap: 78,
      selectors: [
        { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
        { selector: 'h1', options: { uppercase: false } },
        { selector: 'h2', options: { uppercase: false } },
        { selector: 'h3', options: { uppercase: false } },
      ],
    });
  }
  return htmlToText;
}

export type RenderResult = { ok: true; message: RenderedMessage } | { ok: false; problems: Problem[] };

/** A message up to its HTML: what the text version and the content hash are made from. */
type HtmlResult =
  | {
      ok: true;
      prepared: Prepared;
      subject: string;
      preheader: string;
      body: string;
      html: string;
      links: string[];
    }
  | { ok: false; problems: Problem[] };

/** Renders the subject, preheader and body into the layout, or reports every problem. */
async function renderHtml(
  campaign: Campaign,
  touch: Touch,
  partner: Partner,
  options: RenderOptions,
): Promise<HtmlResult> {
  const ready = prepare(campaign, touch, partner, options);
  if (!ready.ok) return ready;
  const { templates, scope, optOut, footer } = ready.prepared;
  const who = { partner: partner.id, row: partner.row };
  const problems: Problem[] = [];
  const run = <T>(field: string, line: number, render: () => T): T | undefined => {
    try {
      return render();
    } catch (cause) {
      problems.push(liquidProblem(cause, { file: touch.email.file, line, field, touch: touch.id }, who));
      return undefined;
    }
  };
  const { email } = touch;
  const variant = ready.prepared.subjectVariant;
  const subjectTemplate = (variant !== null ? templates.subjects?.[variant] : undefined) ?? templates.subject;
  const subject = run(
    variant !== null ? `subjects.${variant}` : 'subject',
    variant !== null ? (email.subjectsLine ?? email.subjectLine) : email.subjectLine,
    () => renderLine(subjectTemplate, scope),
  );
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
  const layout = await layoutHtml(ready.prepared.lang);
  const html = fillLayout(layout, {
    subject: escapeHtml(subject),
    preheader: escapeHtml(preheader),
    body,
    optOut,
    footer,
  });
  const links = [...html.matchAll(/href="([^"]*)"/g)].map((m) => (m[1] ?? '').replace(/&amp;/g, '&'));
  return { ok: true, prepared: ready.prepared, subject, preheader, body, html, links };
}

/** Renders or reports every problem (missing variables with partner, row, template and line). */
export async function tryRenderMessage(
  campaign: Campaign,
  touch: Touch,
  partner: Partner,
  options: RenderOptions = {},
): Promise<RenderResult> {
  const rendered = await renderHtml(campaign, touch, partner, options);
  if (!rendered.ok) return rendered;
  const { prepared, subject, preheader, body, html, links } = rendered;
  const convert = await textConverter();
  const toText = (fragment: string) => convert(fragment).trim();
  const text = [
    toText(body),
    prepared.optOut ? toText(prepared.optOut) : '',
    `--\n${toText(prepared.footer)}`,
  ]
    .filter(Boolean)
    .join('\n\n');
  return {
    ok: true,
    message: {
      campaign: campaign.id,
      touch: touch.id,
      partner: partner.id,
      recipient: prepared.toReferrer ? 'referrer' : 'partner',
      to: prepared.recipientEmail,
      toName: prepared.toName,
      from: prepared.from,
      replyTo: prepared.replyTo,
      subject,
      preheader,
      html,
      text,
      unsubscribeUrl: prepared.unsubscribe.unsubscribe,
      unsubscribeOneClickUrl: prepared.unsubscribe.unsubscribeOneClick,
      links,
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

/** What the preflight's lints read of a message: who it goes to and every href in its HTML. */
export type LinksResult =
  | { ok: true; recipient: 'partner' | 'referrer'; links: string[]; unsubscribeUrl: string }
  | { ok: false; problems: Problem[] };

/**
 * The message rendered as `tryRenderMessage` renders it (same templates, same scope, same layout),
 * stopping at its HTML: the text version and the hash (about a third of a rendering) are made
 * from that HTML and can report nothing of their own.
 */
export async function tryRenderLinks(
  campaign: Campaign,
  touch: Touch,
  partner: Partner,
  options: RenderOptions = {},
): Promise<LinksResult> {
  const rendered = await renderHtml(campaign, touch, partner, options);
  if (!rendered.ok) return rendered;
  return {
    ok: true,
    recipient: rendered.prepared.toReferrer ? 'referrer' : 'partner',
    links: rendered.links,
    unsubscribeUrl: rendered.prepared.unsubscribe.unsubscribe,
  };
}

/**
 * Bump when this file, prepare.ts, layout.ts or src/lib/personalize/engine.ts change what a
 * rendering produces from the same inputs. (The libraries that render are versioned below; the
 * layout's MJML source and MJML's versions are hashed in (layout.ts `layoutDigest`), so a change
 * to either is seen without compiling the layout.)
 */
export const RENDERER_VERSION = 1;

/** The installed versions of the libraries a rendering runs through. */
const libraries = ['liquidjs', 'marked', 'html-to-text', 'mjml'].map((name) => {
  try {
    const file = findPackageJSON(name, import.meta.url);
    return `${name}@${file ? (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version : '?'}`;
  } catch {
    return `${name}@?`;
  }
});

export type VersionResult = { ok: true; version: string } | { ok: false; problems: Problem[] };

/**
 * The content version of a message, from what its rendering reads rather than from rendering it:
 * a digest of the renderer (RENDERER_VERSION, library versions, the layout's MJML source and MJML's versions), the touch's
 * template sources, and everything `prepare` gathers (the whole template scope: partner row,
 * campaign copy, paper, webinar and posts as the templates see them, links under the secret and
 * site URL, dates in the partner's zone, advance copy or not at `options.now`; the opt-out and
 * footer HTML; addresses). Same inputs, same renderer: the same bytes, so a message keeps its
 * idempotency key exactly as long as its rendering stays the same. About a quarter of the cost of
 * rendering (the scope is most of it); template errors (strict variables) surface when the
 * message is rendered, and the preflight renders everything before a send.
 */
export async function contentVersionOf(
  campaign: Campaign,
  touch: Touch,
  partner: Partner,
  options: RenderOptions = {},
): Promise<VersionResult> {
  const ready = prepare(campaign, touch, partner, options);
  if (!ready.ok) return ready;
  const { templates: _compiled, ...inputs } = ready.prepared;
  const { email } = touch;
  const digest = createHash('sha256')
    .update(
      JSON.stringify([
        RENDERER_VERSION,
        libraries,
        layoutDigest(inputs.lang),
        campaign.id,
        touch.id,
        touch.kind,
        [email.subject, email.preheader ?? null, email.body, ...(email.subjects ? [email.subjects] : [])],
        inputs,
      ]),
    )
    .digest('hex');
  return { ok: true, version: digest.slice(0, 16) };
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
