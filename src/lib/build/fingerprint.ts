/**
 * What a partner page is made of, as a hash, so a rebuild can tell which pages would come out
 * the same and skip rendering them (src/lib/build/page-cache.ts).
 *
 * A page depends on the partner's own row and on everything shared: the code and styles that
 * render it (src/ but the CLI, public/, the Astro config, the installed packages), the content's
 * front matter (all of the content, for the site's own key), the campaign's files other than its
 * partner list, the settings in the environment, and the moment of the
 * build where it decides what shows (an advance copy becomes public, webinar registration
 * closes). Whatever changes in the shared part renders every page again; a changed row
 * renders that partner's page alone.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Campaign } from '../campaign/load.ts';
import type { Partner } from '../campaign/partners.ts';
import { isPublicPaper } from '../publishing.ts';
import { lifecycleOf } from '../webinar/lifecycle.ts';

/** Bump when the cache's layout or the meaning of a key changes. */
const FINGERPRINT_VERSION = '1';

/** The names Astro looks for its config under. */
const ASTRO_CONFIG_FILES = [
  'astro.config.mjs',
  'astro.config.js',
  'astro.config.ts',
  'astro.config.mts',
  'astro.config.cjs',
  'astro.config.cts',
];

/** Build-local variables that say where things go, not what a page says. */
const PLACEMENT_VARIABLES = new Set([
  'AIRCOVER_OUT_DIR',
  'AIRCOVER_STATE_DIR',
  'AIRCOVER_ASTRO_CACHE_DIR',
  'AIRCOVER_CARDS_PLACED',
]);

/** Every file under `dir`, in a stable order, but those `skip` names (and what is under them). */
function walkFiles(dir: string, skip: (file: string) => boolean, visit: (file: string) => void): void {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return; // a folder that does not exist adds nothing
  }
  for (const name of entries) {
    const file = join(dir, name);
    if (skip(file)) continue;
    const stat = statSync(file);
    if (stat.isDirectory()) walkFiles(file, skip, visit);
    else if (stat.isFile()) visit(file);
  }
}

export interface FingerprintInput {
  projectRoot: string;
  contentDir: string;
  campaigns: Campaign[];
  env?: NodeJS.ProcessEnv;
  now?: Date;
}

export interface Fingerprints {
  /** Everything the site is built from: any change to it runs Astro again. */
  site: string;
  /**
   * Everything every partner page shares: the same, but of the content's Markdown only its
   * front matter. A page shows titles, descriptions, dates and people, never a paper's or a
   * post's text, so a change to the text alone keeps the cached pages; the build renders one of
   * them again to confirm it comes out the same before it keeps the others
   * (src/cli/commands/build.ts).
   */
  partnerPages: string;
}

/** A Markdown file's front matter block: the text up to the closing `---`, or all of it. */
function frontMatterOf(text: string): string {
  const block = /^---\r?\n[\s\S]*?\r?\n---(?:\r?\n|$)/.exec(text);
  return block ? block[0] : text;
}

/** Both hashes, from one walk of the files: they differ only in the content's Markdown. */
export function buildFingerprints(input: FingerprintInput): Fingerprints {
  const { projectRoot, contentDir, campaigns, env = process.env, now = new Date() } = input;
  const site = createHash('sha256');
  const pages = createHash('sha256');
  const both = (data: string | Buffer) => {
    site.update(data);
    pages.update(data);
  };
  both(FINGERPRINT_VERSION);
  both(process.version);
  const root = resolve(projectRoot);
  const addFile = (file: string) => {
    both(`\0${relative(root, file)}\0`);
    both(readFileSync(file));
  };
  // The CLI (src/cli/) runs the build; no page imports it.
  const cli = join(root, 'src', 'cli');
  for (const part of ['src', 'public']) walkFiles(join(root, part), (file) => file === cli, addFile);
  // Astro reads whichever config file the project has: .mjs here, .ts or others in a fork.
  for (const file of [...ASTRO_CONFIG_FILES, 'package-lock.json', 'tsconfig.json']) {
    both(`\0${file}\0`);
    try {
      both(readFileSync(join(root, file)));
    } catch {
      // absent: nothing to add
    }
  }
  walkFiles(
    resolve(contentDir),
    () => false,
    (file) => {
      const bytes = readFileSync(file);
      both(`\0${relative(root, file)}\0`);
      site.update(bytes);
      pages.update(/\.mdx?$/.test(file) ? frontMatterOf(bytes.toString('utf8')) : bytes);
    },
  );
  const partnerLists = new Set(campaigns.map((c) => resolve(c.partnersFile)));
  for (const campaign of campaigns) {
    both(`\0campaign ${campaign.id}\0`);
    walkFiles(resolve(campaign.dir), (file) => partnerLists.has(resolve(file)), addFile);
    const life = campaign.webinar && lifecycleOf(campaign.webinar.data, [], now);
    both(
      JSON.stringify({
        paperPublic: isPublicPaper(campaign.paper.data, now),
        webinar: life ? { state: life.state, open: life.registrationOpen, over: life.over } : null,
      }),
    );
  }
  const settings = Object.entries(env)
    .filter(([name]) => name.startsWith('AIRCOVER_') && !PLACEMENT_VARIABLES.has(name))
    .sort(([a], [b]) => a.localeCompare(b));
  both(JSON.stringify(settings));
  // The footer's copyright year.
  both(String(now.getFullYear()));
  return { site: site.digest('hex'), partnerPages: pages.digest('hex') };
}

/** The key of one partner's page: the shared part plus the partner's own row and token. */
export function pageKey(shared: string, campaignId: string, token: string, partner: Partner): string {
  return createHash('sha256')
    .update(shared)
    .update(`\0${campaignId}\0${token}\0`)
    .update(JSON.stringify(partner))
    .digest('hex');
}
