import { defineCommand } from 'citty';
import type { OpenStoreOptions, Store } from '../../lib/store/index.ts';
import { dryRunArg } from '../args.ts';
import { out } from '../output.ts';

const connection = {
  url: {
    type: 'string',
    description: 'Database URL (postgres://… or sqlite:/path); default DATABASE_URL, else the SQLite file',
  },
  dataDir: {
    type: 'string',
    description: 'Folder of the SQLite file (default AIRCOVER_DATA_DIR or ./data)',
  },
} as const;

async function withStore<T>(
  args: { url?: string | undefined; dataDir?: string | undefined; dryRun?: boolean | undefined },
  migrate: boolean,
  fn: (store: Store) => Promise<T>,
): Promise<T> {
  // The store (and pg) loads only when a subcommand runs, so `--help` stays fast.
  const { openStore } = await import('../../lib/store/index.ts');
  // A dry run reads the store as it is: no SQLite file made, no Postgres schema created.
  const options: OpenStoreOptions = { migrate, ...(args.dryRun ? { dryRun: true } : {}) };
  if (args.url) options.url = args.url;
  if (args.dataDir) options.dataDir = args.dataDir;
  // An unreachable or locked database fails as itself: one clear line with its hint, no stack
  // (src/cli/errors.ts).
  const store = await openStore(options);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

const migrate = defineCommand({
  meta: { name: 'migrate', description: 'Apply pending schema migrations (also done on every start).' },
  args: {
    ...connection,
    json: { type: 'boolean', description: 'Print the result as JSON', default: false },
    dryRun: dryRunArg,
  },
  async run({ args }) {
    await withStore(args, false, async (store) => {
      if (args.dryRun) {
        const pending = (await store.migrationStatus()).filter((m) => !m.appliedAt).map((m) => m.version);
        if (args.json)
          return out.json({ engine: store.engine, location: store.location, pending, dryRun: true });
        return out.info(
          `dry run: ${store.engine} ${store.location}: ${pending.length ? `would apply ${pending.join(', ')}` : 'schema is up to date'}; nothing applied.`,
        );
      }
      const { applied } = await store.migrate();
      if (args.json) return out.json({ engine: store.engine, location: store.location, applied });
      if (applied.length === 0) out.success(`${store.engine} ${store.location}: schema is up to date`);
      else out.success(`${store.engine} ${store.location}: applied migration ${applied.join(', ')}`);
    });
  },
});

const status = defineCommand({
  meta: { name: 'status', description: 'Show which migrations are applied, pending or changed.' },
  args: { ...connection, json: { type: 'boolean', description: 'Print the result as JSON', default: false } },
  async run({ args }) {
    // It only reads: no SQLite file made (no store yet: every migration pending), no schema created.
    await withStore({ ...args, dryRun: true }, false, async (store) => {
      const rows = await store.migrationStatus();
      if (args.json) return out.json({ engine: store.engine, location: store.location, migrations: rows });
      out.info(`${store.engine} ${store.location}`);
      out.table(
        ['version', 'name', 'applied'],
        rows.map((m) => [
          m.version,
          m.name,
          m.appliedAt ? `${m.appliedAt}${m.changed ? ' (changed since)' : ''}` : 'pending',
        ]),
      );
      const pending = rows.filter((m) => !m.appliedAt).length;
      if (pending) out.warn(`${pending} pending: run \`aircover db migrate\``);
      if (rows.some((m) => m.changed))
        out.warn('an applied migration was edited afterwards; migrations are append-only');
    });
  },
});

const sync = defineCommand({
  meta: {
    name: 'sync',
    description:
      "Write every campaign's partners and their link tokens into the store. `serve` does it at start; run it after a campaign change when the routes run elsewhere (serverless, a shared Postgres).",
  },
  args: {
    ...connection,
    json: { type: 'boolean', description: 'Print the result as JSON', default: false },
    dryRun: dryRunArg,
  },
  async run({ args }) {
    if (args.dryRun) return syncDryRun(args);
    await withStore(args, true, async (store) => {
      const { syncPartners } = await import('../../lib/engagement/partners-sync.ts');
      const result = await syncPartners(store);
      if (args.json) return out.json(result);
      out.success(
        `${store.engine} ${store.location}: ${result.partners} partners in ${result.campaigns} campaign(s) (${result.inserted} new, ${result.updated} updated)`,
      );
      for (const name of result.skipped)
        out.warn(`campaign ${name} has errors and was left out: run \`aircover check ${name}\``);
    });
  },
});

/** What `db sync` would write: partners new to the store and partners it has, per campaign. Nothing written. */
async function syncDryRun(args: { url?: string | undefined; dataDir?: string | undefined; json: boolean }) {
  const { loadAllCampaigns } = await import('../../lib/campaign/load.ts');
  const { campaignsDir } = await import('../../lib/campaign/site.ts');
  const { campaigns } = loadAllCampaigns({ campaignsDir: campaignsDir() });
  await withStore({ ...args, dryRun: true }, false, async (store) => {
    const migrated = (await store.migrationStatus()).every((m) => m.appliedAt);
    const rows = [];
    for (const campaign of campaigns) {
      const known = migrated
        ? new Set((await store.listPartners(campaign.id)).map((p) => p.partnerId))
        : new Set();
      const inserted = campaign.partners.filter((p) => !known.has(p.id)).length;
      rows.push({
        campaign: campaign.id,
        partners: campaign.partners.length,
        inserted,
        updated: campaign.partners.length - inserted,
      });
    }
    if (args.json)
      return out.json({ engine: store.engine, location: store.location, dryRun: true, campaigns: rows });
    out.table(
      ['campaign', 'partners', 'new', 'to update'],
      rows.map((r) => [r.campaign, r.partners, r.inserted, r.updated]),
    );
    out.info(
      `dry run: ${store.engine} ${store.location}${migrated ? '' : ' (migrations pending)'}; nothing written.`,
    );
  });
}

export default defineCommand({
  meta: { name: 'db', description: 'The store: apply migrations, show their status, sync partners.' },
  subCommands: { migrate, status, sync },
});
