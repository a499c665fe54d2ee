/**
 * What a partner page is made of, as a hash, so a rebuild can tell which pages would come out
 * the same and skip rendering them (src/lib/build/page-cache.ts).
 *
 * A page depends on the partner's own row and on everything shared: the code and styles that
 * render it (src/ but the CLI, public/, the Astro config, the installed packages), the content, the campaign's
 * files other than its partner list, the settings in the environment, and the moment of the
 * build where it decides what shows (an advance copy becomes public, webinar registration
 * closes). Whatever changes in the shared part renders every page again; a changed row
 * renders that partner's page alone.
 */
import { createHash, type Hash } from 'node:crypto';
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

type ReadFile = (file: string) => Buffer | string;

function hashTree(
  hash: Hash,
  root: string,
  dir: string,
  skip: (file: string) => boolean,
  read: ReadFile = readFileSync,
): void {
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
    if (stat.isDirectory()) hashTree(hash, root, file, skip, read);
    else if (stat.isFile()) hash.update(`\0${relative(root, file)}\0`).update(read(file));
  }
}

export interface FingerprintInput {
  projectRoot: string;
  contentDir: string;
  campaigns: Campaign[];
  env?: NodeJS.ProcessEnv;
  now?: Date;
}

/** The hash of everything the site is built from: any change to it runs Astro again. */
export function sharedFingerprint(input: FingerprintInput): string {
  return fingerprint(input, readFileSync);
}

/**
 * The hash of everything every partner page shares. A page shows the content's front matter
 * (titles, descriptions, dates, people) and never a paper's or a post's text, so a change to
 * the text alone keeps the cached pages; the build renders one of them again to confirm it
 * comes out the same before it keeps the others (src/cli/commands/build.ts).
 */
export function partnerPageFingerprint(input: FingerprintInput): string {
  return fingerprint(input, (file) =>
    /\.mdx?$/.test(file) ? frontMatterOf(readFileSync(file, 'utf8')) : readFileSync(file),
  );
}

/** A Markdown file's front matter block: the text up to the closing `---`, or all of it. */
function frontMatterOf(text: string): string {
  const block = /^---\r?\n[\s\S]*?\r?\n---(?:\r?\n|$)/.exec(text);
  return block ? block[0] : text;
}

function fingerprint(input: FingerprintInput, readContent: ReadFile): string {
  const { projectRoot, contentDir, campaigns, env = process.env, now = new Date() } = input;
  const hash = createHash('sha256').update(FINGERPRINT_VERSION).update(process.version);
  const root = resolve(projectRoot);
  // The CLI (src/cli/) runs the build; no page imports it.
  const cli = join(root, 'src', 'cli');
  for (const part of ['src', 'public']) hashTree(hash, root, join(root, part), (file) => file === cli);
  // Astro reads whichever config file the project has: .mjs here, .ts or others in a fork.
  for (const file of [...ASTRO_CONFIG_FILES, 'package-lock.json', 'tsconfig.json']) {
    try {
      hash.update(`\0${file}\0`).update(readFileSync(join(root, file)));
    } catch {
      // absent: nothing to add
    }
  }
  hashTree(hash, root, resolve(contentDir), () => false, readContent);
  const partnerLists = new Set(campaigns.map((c) => resolve(c.partnersFile)));
  for (const campaign of campaigns) {
    hash.update(`\0campaign ${campaign.id}\0`);
    hashTree(hash, root, resolve(campaign.dir), (file) => partnerLists.has(resolve(file)));
    const life = campaign.webinar && lifecycleOf(campaign.webinar.data, [], now);
    hash.update(
      JSON.stringify({
        paperPublic: isPublicPaper(campaign.paper.data, now),
        webinar: life ? { state: life.state, open: life.registrationOpen, over: life.over } : null,
      }),
    );
  }
  const settings = Object.entries(env)
    .filter(([name]) => name.startsWith('AIRCOVER_') && !PLACEMENT_VARIABLES.has(name))
    .sort(([a], [b]) => a.localeCompare(b));
  hash.update(JSON.stringify(settings));
  // The footer's copyright year.
  hash.update(String(now.getFullYear()));
  return hash.digest('hex');
}

/** The key of one partner's page: the shared part plus the partner's own row and token. */
export function pageKey(shared: string, campaignId: string, token: string, partner: Partner): string {
  return createHash('sha256')
    .update(shared)
    .update(`\0${campaignId}\0${token}\0`)
    .update(JSON.stringify(partner))
    .digest('hex');
}
