/**
 * The responsive email layout, made with MJML once per language and filled per message.
 * MJML is slow (tens of milliseconds) and the layout never depends on the partner, so a
 * campaign of 10,000 partners compiles it once; what is filled in is HTML we escaped.
 * MJML itself takes about a second to load, so it is loaded only when a layout is compiled: a
 * render thread of the send is handed the compiled layout (`useLayouts`) and never loads it,
 * and the CLI keeps the compiled layout on disk (`keepLayoutsIn`), keyed by the MJML source and
 * MJML's version, so a command loads MJML only when one of them changed.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { findPackageJSON } from 'node:module';
import { join } from 'node:path';
import { writeWhole } from '../../fs/write-whole.ts';

export const slots = {
  subject: 'AIRCOVERSLOTSUBJECT',
  preheader: 'AIRCOVERSLOTPREHEADER',
  body: 'AIRCOVERSLOTBODY',
  optOut: 'AIRCOVERSLOTOPTOUT',
  footer: 'AIRCOVERSLOTFOOTER',
} as const;
export type Slot = keyof typeof slots;

const source = (lang: string) => `<mjml lang="${lang.replace(/[^A-Za-z0-9-]/g, '')}">
  <mj-head>
    <mj-title>${slots.subject}</mj-title>
    <mj-preview>${slots.preheader}</mj-preview>
    <mj-attributes>
      <mj-all font-family="-apple-system, 'Segoe UI', Helvetica, Arial, sans-serif" />
      <mj-text font-size="16px" line-height="1.55" color="#1f2d3a" />
    </mj-attributes>
    <mj-style>
      a { color: #0f5e63; }
      .body p { margin: 0 0 14px; }
      .body ul, .body ol { padding-left: 22px; margin: 0 0 14px; }
      .optout p, .footer p { margin: 0 0 8px; }
    </mj-style>
  </mj-head>
  <mj-body background-color="#f3f5f7" width="600px">
    <mj-section background-color="#ffffff" padding="28px 8px 8px">
      <mj-column>
        <mj-text css-class="body">${slots.body}</mj-text>
      </mj-column>
    </mj-section>
    <mj-section background-color="#ffffff" padding="0 8px 20px">
      <mj-column>
        <mj-divider border-width="1px" border-color="#e3e8ec" />
        <mj-text css-class="optout" font-size="14px" color="#3d4f5e">${slots.optOut}</mj-text>
      </mj-column>
    </mj-section>
    <mj-section padding="12px 8px 28px">
      <mj-column>
        <mj-text css-class="footer" font-size="12px" line-height="1.5" color="#6b7a88">${slots.footer}</mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>`;

/** The versions of MJML's packages: what compiles the source into HTML. */
const mjmlVersions = ['mjml', 'mjml-core'].map((name) => {
  try {
    const file = findPackageJSON(name, import.meta.url);
    return `${name}@${file ? (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version : '?'}`;
  } catch {
    return `${name}@?`;
  }
});

/** By language: the source and MJML's versions are fixed for the life of the process. */
const digests = new Map<string, string>();

/**
 * A digest of what the compiled layout of `lang` is made from (the MJML source and MJML's
 * versions): the same digest, the same HTML. Reading it compiles nothing and loads no MJML.
 */
export function layoutDigest(lang: string): string {
  let digest = digests.get(lang);
  if (digest === undefined) {
    digest = createHash('sha256')
      .update(JSON.stringify([source(lang), mjmlVersions]))
      .digest('hex');
    digests.set(lang, digest);
  }
  return digest;
}

let cacheDir: string | undefined;
let readOnly = false;
/**
 * Keep compiled layouts in `dir` between runs (the CLI's state folder), so MJML loads only on a
 * change. `readOnly`: use what is kept but keep nothing new (a dry run writes no file).
 */
export function keepLayoutsIn(dir: string | undefined, options: { readOnly?: boolean } = {}): void {
  cacheDir = dir;
  readOnly = options.readOnly === true;
}

function fromDisk(lang: string): string | undefined {
  if (!cacheDir) return undefined;
  try {
    const html = readFileSync(join(cacheDir, `${layoutDigest(lang)}.html`), 'utf8');
    // A cut file (a crash mid-write is ruled out by the rename, not a full disk) is compiled again.
    return Object.values(slots).every((slot) => html.includes(slot)) ? html : undefined;
  } catch {
    return undefined;
  }
}

function toDisk(lang: string, html: string): void {
  if (!cacheDir || readOnly) return;
  try {
    mkdirSync(cacheDir, { recursive: true });
    writeWhole(join(cacheDir, `${layoutDigest(lang)}.html`), html);
  } catch {
    // A layout that cannot be kept is compiled again next time, never wrong.
  }
}

const layouts = new Map<string, Promise<string>>();

/** The compiled HTML with slots, for a language. */
export function layoutHtml(lang: string): Promise<string> {
  let layout = layouts.get(lang);
  if (!layout) {
    const kept = fromDisk(lang);
    layout = kept !== undefined ? Promise.resolve(kept) : compile(lang);
    layouts.set(lang, layout);
  }
  return layout;
}

/** Compiles the layout with MJML (loaded here, and only here) and keeps it on disk when asked to. */
async function compile(lang: string): Promise<string> {
  const { default: mjml2html } = await import('mjml');
  const result = await mjml2html(source(lang), { validationLevel: 'strict', keepComments: false });
  if (result.errors.length > 0)
    throw new Error(`email layout: ${result.errors.map((e) => e.formattedMessage).join('; ')}`);
  for (const slot of Object.values(slots)) {
    if (!result.html.includes(slot)) throw new Error(`email layout lost its ${slot} slot`);
  }
  toDisk(lang, result.html);
  return result.html;
}

/** Takes layouts compiled elsewhere (language → `layoutHtml`'s result), e.g. by another thread. */
export function useLayouts(compiled: Record<string, string>): void {
  for (const [lang, html] of Object.entries(compiled)) layouts.set(lang, Promise.resolve(html));
}

/** Puts HTML (already escaped by the caller) into the slots. */
export function fillLayout(layout: string, values: Record<Slot, string>): string {
  let html = layout;
  for (const [slot, marker] of Object.entries(slots) as [Slot, string][]) {
    html = html.split(marker).join(values[slot]);
  }
  return html;
}
