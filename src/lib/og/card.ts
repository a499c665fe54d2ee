/**
 * Open Graph cards (1200×630 PNG) drawn with satori and rasterised with resvg.
 *
 * Cards are cached on disk by a hash of everything that shapes them (the card's text, the
 * fonts and this renderer's version), so an unchanged card is never drawn again: a rebuild
 * of a site with thousands of partner cards costs a file read per card.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import satori from 'satori';
import { writeWhole } from '../fs/write-whole.ts';
import { encodePng } from './png.ts';

export const CARD_WIDTH = 1200;
export const CARD_HEIGHT = 630;
/** Bump when the card design changes, so cached cards are redrawn. */
const RENDERER_VERSION = '2';

// A type alias, not an interface: Astro page props need its implicit index signature.
export type CardContent = {
  /** Small line above the title, e.g. "White paper" or "Prepared for Acme Logistics". */
  eyebrow: string;
  title: string;
  subtitle?: string | undefined;
  /** Bottom line, usually the site name. */
  footer: string;
  /** Accent colour of the band at the left. */
  accent?: string | undefined;
};

interface Font {
  name: string;
  data: Buffer;
  weight: 400 | 700;
  style: 'normal';
}

let fonts: Font[] | undefined;
/** Fonts come from an npm package (satori reads TTF/OTF/WOFF, never WOFF2); loaded once. */
function loadFonts(): Font[] {
  if (fonts) return fonts;
  const require = createRequire(import.meta.url);
  // The package's export map only exposes CSS; its root CSS file tells us where it lives.
  const files = join(dirname(require.resolve('@fontsource/inter')), 'files');
  // Latin plus Latin Extended, so partner names such as "Łukasz Ørsted" draw with real glyphs.
  fonts = (['latin', 'latin-ext'] as const).flatMap((subset) =>
    ([400, 700] as const).map((weight) => ({
      name: 'Inter',
      weight,
      style: 'normal' as const,
      data: readFileSync(join(files, `inter-${subset}-${weight}-normal.woff`)),
    })),
  );
  return fonts;
}

export function cardHash(content: CardContent): string {
  return createHash('sha256')
    .update(RENDERER_VERSION)
    .update(
      JSON.stringify([
        content.eyebrow,
        content.title,
        content.subtitle ?? '',
        content.footer,
        content.accent ?? '',
      ]),
    )
    .digest('hex');
}

/** satori takes a React-like element tree; plain objects avoid a JSX runtime. */
type Node = { type: string; props: Record<string, unknown> & { children?: unknown } };
const h = (type: string, style: Record<string, unknown>, children?: unknown): Node => ({
  type,
  props: { style, children },
});

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;
}

function cardTree(content: CardContent): Node {
  const accent = content.accent ?? '#0f766e';
  return h(
    'div',
    {
      width: '100%',
      height: '100%',
      display: 'flex',
      boxSizing: 'border-box',
      backgroundColor: '#f8fafc',
      fontFamily: 'Inter',
    },
    [
      h('div', { width: 28, height: '100%', backgroundColor: accent }),
      h(
        'div',
        {
          display: 'flex',
          flexDirection: 'column',
          justifyContent: 'space-between',
          boxSizing: 'border-box',
          padding: '64px 72px',
          width: CARD_WIDTH - 28,
          height: '100%',
        },
        [
          h('div', { display: 'flex', flexDirection: 'column' }, [
            h(
              'div',
              { fontSize: 30, fontWeight: 700, color: accent, textTransform: 'uppercase', letterSpacing: 2 },
              clip(content.eyebrow, 70),
            ),
            h(
              'div',
              { fontSize: 64, fontWeight: 700, color: '#0f172a', marginTop: 28, lineHeight: 1.1 },
              clip(content.title, 110),
            ),
            content.subtitle
              ? h(
                  'div',
                  { fontSize: 32, color: '#334155', marginTop: 24, lineHeight: 1.3 },
                  clip(content.subtitle, 160),
                )
              : h('div', {}, ''),
          ]),
          h('div', { fontSize: 28, color: '#475569', display: 'flex' }, clip(content.footer, 80)),
        ],
      ),
    ],
  );
}

/** Draws a card to PNG bytes, without the cache. */
export async function renderCard(content: CardContent): Promise<Buffer> {
  // satori's types want a ReactNode; our plain element tree is what it reads at run time.
  const svg = await satori(cardTree(content) as unknown as Parameters<typeof satori>[0], {
    width: CARD_WIDTH,
    height: CARD_HEIGHT,
    fonts: loadFonts(),
  });
  const rendered = new Resvg(svg, {
    fitTo: { mode: 'width', value: CARD_WIDTH },
    // satori draws text as paths, so resvg needs no fonts; loading the system's costs time per card.
    font: { loadSystemFonts: false },
  }).render();
  return encodePng(rendered.width, rendered.height, rendered.pixels);
}

export function cacheDir(): string {
  return resolve(process.env.AIRCOVER_STATE_DIR ?? '.aircover', 'cache', 'og');
}

/** Where the cache keeps a card of this content. */
export function cachedCardFile(content: CardContent, dir = cacheDir()): string {
  return join(dir, `${cardHash(content)}.png`);
}

/** Returns the card's PNG, from the on-disk cache when its content is unchanged. */
export async function cachedCard(content: CardContent, dir = cacheDir()): Promise<Buffer> {
  const file = cachedCardFile(content, dir);
  try {
    return readFileSync(file);
  } catch {
    // Not cached yet: draw it below.
  }
  const png = await renderCard(content);
  mkdirSync(dir, { recursive: true });
  // Whole, so a build killed mid-write never leaves a truncated card behind.
  writeWhole(file, png);
  return png;
}
