/**
 * The responsive email layout, made with MJML once per language and filled per message.
 * MJML is slow (tens of milliseconds) and the layout never depends on the partner, so a
 * campaign of 10,000 partners compiles it once; what is filled in is HTML we escaped.
 * MJML itself takes about a second to load, so it is loaded only when a layout is compiled: a
 * render thread of the send is handed the compiled layout (`useLayouts`) and never loads it.
 */

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

const layouts = new Map<string, Promise<string>>();

/** The compiled HTML with slots, for a language. */
export function layoutHtml(lang: string): Promise<string> {
  let layout = layouts.get(lang);
  if (!layout) {
    layout = import('mjml').then(async ({ default: mjml2html }) => {
      const result = await mjml2html(source(lang), { validationLevel: 'strict', keepComments: false });
      if (result.errors.length > 0)
        throw new Error(`email layout: ${result.errors.map((e) => e.formattedMessage).join('; ')}`);
      for (const slot of Object.values(slots)) {
        if (!result.html.includes(slot)) throw new Error(`email layout lost its ${slot} slot`);
      }
      return result.html;
    });
    layouts.set(lang, layout);
  }
  return layout;
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
