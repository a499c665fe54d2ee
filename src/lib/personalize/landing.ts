/**
 * The personal page's copy (campaign.yaml `landing:`), rendered for one partner with the same
 * strict Liquid rules as emails. Each field comes as `html` (Markdown → HTML, values escaped:
 * use with `set:html`) and `text` (plain: put it in an Astro expression, which escapes it).
 * The headline's html is inline (no <p>).
 */

import { type LandingField, landingFields } from '../campaign/kinds.ts';
import type { Campaign } from '../campaign/load.ts';
import type { Partner } from '../campaign/partners.ts';
import type { Problem } from '../campaign/problems.ts';
import { compileCampaign, liquidProblem } from './compile.ts';
import { type ScopeOptions, templateScope } from './context.ts';
import { renderMarkdown, renderText } from './engine.ts';

export interface CopyField {
  html: string;
  text: string;
}

export type LandingCopyRendered = { headline: CopyField; intro: CopyField } & Partial<
  Record<Exclude<LandingField, 'headline' | 'intro'>, CopyField>
>;

export type LandingResult = { ok: true; copy: LandingCopyRendered } | { ok: false; problems: Problem[] };

export function tryRenderLandingCopy(
  campaign: Campaign,
  partner: Partner,
  options: Pick<ScopeOptions, 'secret' | 'baseUrl' | 'now'> = {},
): LandingResult {
  const compiled = compileCampaign(campaign);
  const scope = templateScope(campaign, partner, options);
  const problems: Problem[] = compiled.problems.filter((p) => p.field?.startsWith('landing.'));
  const copy: Partial<Record<LandingField, CopyField>> = {};
  for (const field of landingFields) {
    const template = compiled.landing[field];
    if (!template) continue;
    try {
      copy[field] = {
        html: renderMarkdown(template.html, scope, { inline: field === 'headline' }),
        text: renderText(template.text, scope),
      };
    } catch (cause) {
      const where = {
        file: campaign.file,
        line: campaign.landingLines[field] ?? 1,
        field: `landing.${field}`,
      };
      problems.push(liquidProblem(cause, where, { partner: partner.id, row: partner.row }));
    }
  }
  if (problems.length > 0 || !copy.headline || !copy.intro) return { ok: false, problems };
  return { ok: true, copy: copy as LandingCopyRendered };
}

/** Throws an Error listing the problems; the preflight makes sure it never does for a checked campaign. */
export function renderLandingCopy(
  campaign: Campaign,
  partner: Partner,
  options: Pick<ScopeOptions, 'secret' | 'baseUrl' | 'now'> = {},
): LandingCopyRendered {
  const result = tryRenderLandingCopy(campaign, partner, options);
  if (!result.ok)
    throw new Error(`landing copy for ${partner.id}: ${result.problems.map((p) => p.message).join('; ')}`);
  return result.copy;
}
