/**
 * What a rendering reads, gathered before any template runs (`prepare`): the rendering itself
 * (index.ts) and the content version of a message (index.ts `contentVersionOf`) both start here,
 * so a message's version follows exactly what its rendering reads.
 */
import type { Campaign, Touch } from '../../campaign/load.ts';
import type { Partner } from '../../campaign/partners.ts';
import { error, type Problem } from '../../campaign/problems.ts';
import { type CompiledTouch, compileTouch, liquidProblem } from '../../personalize/compile.ts';
import { templateScope } from '../../personalize/context.ts';
import { escapeHtml, oneLine } from '../../personalize/escape.ts';
import { partnerLinks, referrerUnsubscribeLinks } from '../../personalize/links.ts';
import { referredScope } from '../../referrer/intro.ts';
import { subjectVariantOf } from '../send/variant.ts';

export interface RenderOptions {
  /** AIRCOVER_SECRET by default (see src/lib/secret.ts). */
  secret?: string;
  /** AIRCOVER_SITE_URL by default. */
  baseUrl?: string;
  /** Decides whether the paper is still an advance copy; default now. */
  now?: Date;
  /**
   * A referrer note: every partner it covers, in partners.csv order (the send plan's group; see
   * email/send/referrer-notes.ts). The template's `partners`; the first is also its `partner`.
   * Default: the one partner rendered.
   */
  referred?: readonly Partner[];
}

/**
 * Everything a rendering reads, gathered before any template runs: the compiled templates, the
 * template scope (partner row, sender, paper, webinar, posts, links, dates in the partner's zone,
 * whether the paper is still an advance copy), and the pieces of the message around the body.
 * The rendering itself (index.ts `renderHtml`) is a pure function of this plus the renderer (code,
 * libraries, layout): that is what lets the sender version a message's content from its inputs
 * (`contentVersionOf`) without rendering it.
 */
export interface Prepared {
  templates: CompiledTouch;
  scope: Record<string, unknown>;
  toReferrer: boolean;
  lang: string;
  recipientEmail: string;
  toName: string;
  from: { name: string; email: string };
  replyTo: string;
  optOut: string;
  footer: string;
  unsubscribe: { unsubscribe: string; unsubscribeOneClick: string };
  /** The subject test's variant this partner gets (email/send/variant.ts), or null. */
  subjectVariant: number | null;
}

export type PrepareResult = { ok: true; prepared: Prepared } | { ok: false; problems: Problem[] };

/** The language of a campaign's messages (its layout's `lang`). */
export function messageLang(campaign: Campaign): string {
  return campaign.def.locale.split('-')[0] ?? 'en';
}

export function prepare(
  campaign: Campaign,
  touch: Touch,
  partner: Partner,
  options: RenderOptions,
): PrepareResult {
  const { compiled: templates, problems: own } = compileTouch(campaign, touch);
  if (!templates) {
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
  if (toReferrer && !referrer) {
    return {
      ok: false,
      problems: [
        error('render.no-referrer', 'a referrer nudge needs a referrer; this partner has none', {
          touch: touch.id,
          partner: partner.id,
          row: partner.row,
        }),
      ],
    };
  }
  // The partner's links once: for the scope and for the opt-out, footer and headers below.
  const links = partnerLinks(campaign, partner.id, { ...options, touch: touch.id });
  const scopeFor = (p: Partner) =>
    templateScope(
      campaign,
      p,
      {
        ...options,
        touch: touch.id,
        touchKind: touch.kind,
        touchAt: touch.at,
        audience: touch.audience,
        toReferrer,
      },
      p === partner ? links : undefined,
    );
  const scope = scopeFor(partner);
  if (toReferrer) {
    const group = options.referred && options.referred.length > 0 ? options.referred : [partner];
    try {
      scope.partners = group.map((p) =>
        referredScope(campaign, touch, p, p === partner ? scope : scopeFor(p), templates.intro, options),
      );
    } catch (cause) {
      return {
        ok: false,
        problems: [
          liquidProblem(
            cause,
            {
              file: touch.email.file,
              line: touch.email.intro?.subjectLine ?? 1,
              field: 'intro',
              touch: touch.id,
            },
            { partner: partner.id, row: partner.row },
          ),
        ],
      };
    }
  }
  const { def } = campaign;
  const unsubscribe = toReferrer ? referrerUnsubscribeLinks(campaign.id, partner.id, options) : links;
  const company = escapeHtml(partner.company);
  const optOut = !touch.optOutLinks
    ? ''
    : toReferrer
      ? `<p>Rather not be asked about ${(options.referred?.length ?? 0) > 1 ? 'these introductions' : company}? <a href="${escapeHtml(unsubscribe.unsubscribe)}">Don't email me about this again</a>, and we won't.</p>`
      : `<p>Not the right moment? <a href="${escapeHtml(links.notNow)}">Not now, remind me later</a>. Not for ${company}? <a href="${escapeHtml(links.noThanks)}">No thanks</a>. Either answer is fine, and we act on it at once.</p>`;
  const recipientEmail = toReferrer && referrer ? referrer.email : partner.email;
  const footer = [
    `<p>${escapeHtml(def.sender.company)} · ${escapeHtml(oneLine(def.sender.postalAddress))}</p>`,
    `<p>Sent by ${escapeHtml(def.sender.name)} to ${escapeHtml(recipientEmail)}. <a href="${escapeHtml(unsubscribe.unsubscribe)}">Unsubscribe</a></p>`,
  ].join('');
  const toName =
    toReferrer && referrer ? referrer.name : [partner.firstName, partner.lastName].filter(Boolean).join(' ');
  return {
    ok: true,
    prepared: {
      templates,
      scope,
      toReferrer,
      lang: messageLang(campaign),
      recipientEmail,
      toName: oneLine(toName),
      from: { name: oneLine(def.sender.name), email: def.sender.email },
      replyTo: def.sender.replyTo ?? def.sender.email,
      optOut,
      footer,
      unsubscribe: {
        unsubscribe: unsubscribe.unsubscribe,
        unsubscribeOneClick: unsubscribe.unsubscribeOneClick,
      },
      subjectVariant: subjectVariantOf(campaign, touch, partner.id),
    },
  };
}
