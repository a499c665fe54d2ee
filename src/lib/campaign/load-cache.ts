/**
 * Loading the campaigns once per change rather than once per command. Validating campaign.yaml,
 * partners.csv, the templates and all of content/ takes the yaml parser, gray-matter, csv-parse and
 * zod; the follow-up commands (followups, report, …) and `send` need only the result. So the
 * result of `loadAllCampaigns` (or of `loadCampaign`, for send) is kept under `<AIRCOVER_STATE_DIR>/cache/campaigns/`, keyed by a content hash
 * of every file it read (and of the folders' listings, so a new file counts) and of the loader's
 * own source. A hit loads none of those libraries; a miss, or any file that changed, loads the
 * campaigns the usual way, with the same problems, each naming its file, line and field.
 *
 * Only a load without errors is kept: a campaign with errors is loaded (and reported) afresh.
 * A dry run reads it but writes nothing (`readOnly`), like the preflight's and the layouts'
 * caches: `--dry-run` changes nothing, not even a file under the state folder.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { writeWhole } from '../fs/write-whole.ts';
import type { Campaign, LoadAllOptions, LoadOptions, LoadResult } from './load.ts';
import { packageVersions } from './package-versions.ts';
import type { Problem } from './problems.ts';

/** Bump when what the cache stores changes shape. */
const CACHE_FORMAT = 1;

export interface LoadedCampaigns {
  campaigns: Campaign[];
  problems: Problem[];
  /** Whether this came from the cache (for tests and benchmarks). */
  fromCache?: boolean;
}

interface Entry<R> {
  format: number;
  /** The digest of the loader's code, its inputs' listing and every file it read. */
  key: string;
  /** Files read outside the listed folders (a partner list or template given by a path). */
  extra: string[];
  result: R;
}

export interface CachedLoadOptions extends LoadAllOptions {
  /** The cache folder; none: no cache. */
  cacheDir?: string | undefined;
  /** Read the cache but write nothing (a dry run changes nothing, not even the cache). */
  readOnly?: boolean;
}

/** The content folders readContent() lists (src/lib/content/read.ts). */
const collections = ['whitepapers', 'blog', 'webinars', 'authors'];

/** Every file under `dir`, sorted; none when it does not exist. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** A digest of the files' paths and contents (a missing file counts as missing). */
function digestFiles(hash: ReturnType<typeof createHash>, files: readonly string[]): void {
  for (const file of files) {
    hash.update(`\0${file}\0`);
    try {
      hash.update(readFileSync(file));
    } catch {
      hash.update('\0missing');
    }
  }
}

let code: string | undefined;
/** The loader's source (campaign, content, schemas) and the versions of the parsers it runs. */
function codeDigest(): string {
  if (code) return code;
  const lib = join(import.meta.dirname, '..');
  const hash = createHash('sha256');
  for (const folder of [
    join(lib, 'campaign'),
    join(lib, 'content'),
    join(lib, 'input'),
    join(lib, '../schemas'),
  ]) {
    digestFiles(
      hash,
      filesUnder(folder).filter((f) => f.endsWith('.ts')),
    );
  }
  digestFiles(hash, [
    join(lib, 'email/send/window.ts'),
    join(lib, 'time/zone.ts'),
    join(lib, 'time-zone.ts'),
    join(lib, 'webinar/schedule.ts'),
    join(lib, 'webinar/lifecycle.ts'),
    join(lib, 'webinar/current.ts'),
  ]);
  for (const version of packageVersions(['yaml', 'gray-matter', 'csv-parse', 'zod', 'astro']))
    hash.update(version);
  code = hash.digest('hex');
  return code;
}

function keyOf(folder: string, contentDir: string, salt: string, extra: readonly string[]): string {
  const hash = createHash('sha256').update(`${CACHE_FORMAT}\0${codeDigest()}\0${process.version}\0${salt}`);
  const listed = [
    ...filesUnder(folder),
    ...collections.flatMap((name) => filesUnder(join(contentDir, name))),
  ];
  hash.update(`\0${resolve(folder)}\0${resolve(contentDir)}\0${listed.length}`);
  digestFiles(hash, listed);
  hash.update('\0extra');
  digestFiles(hash, extra);
  return hash.digest('hex');
}

function cacheFile(cacheDir: string, what: string, folder: string, contentDir: string): string {
  const name = createHash('sha256')
    .update(`${what}\0${resolve(folder)}\0${resolve(contentDir)}`)
    .digest('hex');
  return join(cacheDir, `${what}-${name.slice(0, 24)}.bin`);
}

function read<R>(file: string): Entry<R> | undefined {
  try {
    const entry = deserialize(readFileSync(file)) as Entry<R>;
    return entry?.format === CACHE_FORMAT ? entry : undefined;
  } catch {
    return undefined;
  }
}

/** The files loaded campaigns read outside `folder`: partner lists and templates given by a path. */
function extraFiles(campaigns: readonly Campaign[], folder: string): string[] {
  const inside = `${resolve(folder)}/`;
  const files = campaigns.flatMap((c) => [c.partnersFile, ...c.touches.map((t) => t.email.file)]);
  return [...new Set(files)].filter((f) => !resolve(f).startsWith(inside)).sort();
}

export interface Through<R> {
  /** Names the cache file, with the folders. */
  what: string;
  /** The folder whose every file is an input: the campaigns folder, or one campaign's. */
  folder: string;
  contentDir: string;
  /** Anything else the result depends on (settings from the environment). */
  salt?: string;
  options: Pick<CachedLoadOptions, 'cacheDir' | 'readOnly'>;
  load: () => Promise<R>;
  /** Files a sound result read besides the folders; undefined: it has errors and is not kept. */
  keep: (result: R) => string[] | undefined;
}

/**
 * The result of `load`, from the cache when no input changed: every file under `folder` and
 * under content/'s collections (their listing too), the files `keep` named last time, the
 * loader's code and `salt`. Used for the campaigns here and for a webinar (webinar/load-cached.ts).
 */
export async function throughCache<R>(t: Through<R>): Promise<{ result: R; fromCache: boolean }> {
  const { folder, contentDir, options } = t;
  const salt = t.salt ?? '';
  const file = options.cacheDir ? cacheFile(options.cacheDir, t.what, folder, contentDir) : undefined;
  const stored = file ? read<R>(file) : undefined;
  if (stored && stored.key === keyOf(folder, contentDir, salt, stored.extra))
    return { result: stored.result, fromCache: true };

  // What the files were as the loader started: a file that changes while it reads is not kept.
  const write = file !== undefined && !options.readOnly;
  const before = write ? keyOf(folder, contentDir, salt, []) : '';
  // Something changed (or nothing was kept): content/ is read again, not from this process's memory.
  const { readContent } = await import('../content/read.ts');
  readContent(contentDir, { fresh: true });
  const result = await t.load();
  const extra = t.keep(result);
  if (write && file && extra && keyOf(folder, contentDir, salt, []) === before) {
    const entry: Entry<R> = {
      format: CACHE_FORMAT,
      key: keyOf(folder, contentDir, salt, extra),
      extra,
      result,
    };
    try {
      mkdirSync(dirname(file), { recursive: true });
      writeWhole(file, serialize(entry));
    } catch {
      // A cache that cannot be written costs the next run time, never a wrong answer.
    }
  }
  return { result, fromCache: false };
}

const contentDirOf = (options: LoadOptions) =>
  options.contentDir ?? process.env.AIRCOVER_CONTENT_DIR ?? 'content';

/**
 * `loadAllCampaigns`, from the cache when nothing it reads has changed. The loader (and with it
 * yaml, csv-parse, gray-matter and zod) loads only on a miss.
 */
export async function loadAllCampaignsCached(options: CachedLoadOptions = {}): Promise<LoadedCampaigns> {
  const campaignsDir = options.campaignsDir ?? 'campaigns';
  const contentDir = contentDirOf(options);
  const { result, fromCache } = await throughCache({
    what: 'all',
    folder: campaignsDir,
    contentDir,
    options,
    load: async () => (await import('./load.ts')).loadAllCampaigns({ campaignsDir, contentDir }),
    keep: (r) =>
      r.problems.some((p) => p.severity === 'error') ? undefined : extraFiles(r.campaigns, campaignsDir),
  });
  return fromCache ? { ...result, fromCache } : result;
}

/** `loadCampaign` of the campaign in `dir`, from the cache when nothing it reads has changed. */
export async function loadCampaignCached(
  dir: string,
  options: Omit<CachedLoadOptions, 'campaignsDir'> = {},
): Promise<LoadResult & { fromCache?: boolean }> {
  const contentDir = contentDirOf(options);
  const { result, fromCache } = await throughCache({
    what: 'one',
    folder: dir,
    contentDir,
    options,
    load: async () => (await import('./load.ts')).loadCampaign(dir, { contentDir }),
    keep: (r) => (r.ok ? extraFiles([r.campaign], dir) : undefined),
  });
  return fromCache ? { ...result, fromCache } : result;
}
