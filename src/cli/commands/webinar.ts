import { readFileSync, writeFileSync } from 'node:fs';
import { defineCommand } from 'citty';
import type { Store } from '../../lib/store/index.ts';
import type { UpdateReport, WebinarInfo } from '../../lib/webinar/index.ts';
import { campaignCacheDir, confirmOrRefuse, dryRunArg, jsonArg, webinarArg, yesArg } from '../args.ts';
import { CliError, ExitCode, out } from '../output.ts';

/** The webinar modules (calendar, transports, schemas) load when a subcommand runs, so `--help` stays fast. */
const webinarLib = () => import('../../lib/webinar/index.ts');
/** The schedule alone (no calendar, no transports): enough for `status` and for loading. */
const scheduleLib = () => import('../../lib/webinar/schedule.ts');

/** `dryRun`: a dry run, or a command that only reads (`status`). */
async function withStore<T>(run: (store: Store) => Promise<T>, dryRun = false): Promise<T> {
  const { openStore } = await import('../../lib/store/index.ts');
  // A dry run neither creates the store nor migrates it (src/lib/store/index.ts), and neither
  // does a command that only reads it.
  const store = await openStore(dryRun ? { dryRun: true } : {});
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

/**
 * The webinar from content/. `status` reads it through the load cache (it only reports); the
 * commands that change it and email everyone read the files afresh.
 */
async function load(slug: string, { cached = false } = {}): Promise<WebinarInfo> {
  try {
    if (cached) {
      const { loadWebinarCached } = await import('../../lib/webinar/load-cached.ts');
      return await loadWebinarCached(slug, { cacheDir: campaignCacheDir() });
    }
    const { loadWebinar } = await scheduleLib();
    return loadWebinar(slug);
  } catch (error) {
    // By name: the cached path does not load schedule.ts (where the class is) unless it misses.
    if (error instanceof Error && error.name === 'WebinarError')
      throw new CliError(error.message, ExitCode.usage);
    throw error;
  }
}

/**
 * Rewrites `start:`, `timeZone:` or `registration:` in the webinar's frontmatter, so the next
 * build shows what the registrants were told. Only those lines change; the rest stays as written.
 */
export function updateFrontmatter(file: string, fields: Record<string, string>): void {
  const text = readFileSync(file, 'utf8');
  const match = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text);
  if (!match) throw new CliError(`${file}: no frontmatter to update`);
  let head = match[1] ?? '';
  for (const [key, value] of Object.entries(fields)) {
    const line = new RegExp(`^${key}:.*$`, 'm');
    head = line.test(head) ? head.replace(line, `${key}: ${value}`) : `${head}\n${key}: ${value}`;
  }
  writeFileSync(file, text.replace(match[1] ?? '', head));
}

function printReport(report: UpdateReport, what: string): void {
  out.success(
    `${what}: ${report.sent} of ${report.registrants} registrant(s) sent SEQUENCE ${report.webinar.sequence}` +
      (report.suppressed.length ? `, ${report.suppressed.length} suppressed address(es) skipped` : ''),
  );
  for (const f of report.failed) out.error(`${f.email}: ${f.error}`);
  if (report.failed.length) {
    throw new CliError(
      `${report.failed.length} update(s) failed; run the command again to retry them.`,
      ExitCode.stopped,
    );
  }
}

const reschedule = defineCommand({
  meta: {
    name: 'reschedule',
    description:
      'Move a webinar: records the new time (SEQUENCE + 1), sends every registrant an updated invitation (same UID) and updates the frontmatter.',
  },
  args: {
    webinar: webinarArg,
    start: {
      type: 'string',
      required: true,
      description: 'New start, ISO 8601 with offset, e.g. 2027-01-28T15:00:00+01:00',
    },
    zone: { type: 'string', description: 'New IANA zone (default: unchanged)' },
    dryRun: dryRunArg,
    yes: yesArg,
  },
  async run({ args }) {
    if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(args.start) || Number.isNaN(Date.parse(args.start))) {
      throw new CliError(
        `--start must be an ISO 8601 instant with offset, e.g. 2027-01-28T15:00:00+01:00 (got "${args.start}")`,
        ExitCode.usage,
      );
    }
    const { isValidTimeZone } = await import('../../lib/time-zone.ts');
    if (args.zone && !isValidTimeZone(args.zone)) {
      throw new CliError(
        `--zone must be an IANA time zone such as Europe/Berlin (got "${args.zone}")`,
        ExitCode.usage,
      );
    }
    const base = await load(args.webinar);
    const start = new Date(args.start);
    const { currentWebinar, notifyRegistrants, recordScheduleChange } = await webinarLib();
    const { formatInZone } = await import('../../lib/time/format.ts');
    await withStore(async (store) => {
      const current = await currentWebinar(store, base);
      if (current.status === 'cancelled') throw new CliError(`"${args.webinar}" is cancelled.`);
      const zone = args.zone ?? current.timeZone;
      out.info(
        `${current.title}: ${formatInZone(current.start, current.timeZone, current.locale)} → ${formatInZone(start, zone, current.locale)} (${zone})`,
      );
      const n = (await store.listResponses({ webinar: args.webinar, kind: 'registration' })).length;
      if (args.dryRun) {
        out.info(`dry run: ${n} registrant(s) would get SEQUENCE ${current.sequence + 1}; nothing sent.`);
        return;
      }
      // Every registrant is emailed and the move is recorded for good: ask first.
      await confirmOrRefuse(args.yes, `Move "${args.webinar}" and email the update to ${n} registrant(s)?`);
      const moved = await recordScheduleChange(store, base, { start, timeZone: zone });
      printReport(await notifyRegistrants(store, moved, 'update'), 'Rescheduled');
      const iso = (d: Date) => `'${d.toISOString().replace('.000Z', 'Z')}'`;
      // The frontmatter carries the lifecycle for the static build (src/lib/webinar/lifecycle.ts).
      updateFrontmatter(base.file, {
        start: iso(start),
        timeZone: zone,
        status: 'rescheduled',
        previousStart: iso(current.start),
      });
      out.info(`Updated ${base.file}; rebuild the site (aircover build) so the page shows the new time.`);
    }, args.dryRun);
  },
});

const cancel = defineCommand({
  meta: {
    name: 'cancel',
    description:
      'Cancel a webinar: sends every registrant METHOD:CANCEL (same UID, SEQUENCE + 1) and closes registration.',
  },
  args: {
    webinar: webinarArg,
    dryRun: dryRunArg,
    yes: yesArg,
  },
  async run({ args }) {
    const base = await load(args.webinar);
    const { currentWebinar, notifyRegistrants, recordScheduleChange } = await webinarLib();
    await withStore(async (store) => {
      const current = await currentWebinar(store, base);
      const n = (await store.listResponses({ webinar: args.webinar, kind: 'registration' })).length;
      if (args.dryRun) {
        out.info(
          `dry run: ${current.status === 'cancelled' ? 'already cancelled; ' : ''}${n} registrant(s) would get METHOD:CANCEL (SEQUENCE ${current.status === 'cancelled' ? current.sequence : current.sequence + 1}) and ${base.file} registration: closed; nothing sent or written.`,
        );
        return;
      }
      // Nothing undoes a cancellation that went out: ask first.
      await confirmOrRefuse(
        args.yes,
        `Cancel "${args.webinar}" and email METHOD:CANCEL to ${n} registrant(s)? This cannot be undone.`,
      );
      // A cancelled webinar can be cancelled again: that resends the cancellation to anyone missed.
      const cancelled =
        current.status === 'cancelled'
          ? current
          : await recordScheduleChange(store, base, { status: 'cancelled' });
      printReport(await notifyRegistrants(store, cancelled, 'cancellation'), 'Cancelled');
      updateFrontmatter(base.file, { status: 'cancelled', registration: 'closed' });
      out.info(
        `Set status: cancelled and registration: closed in ${base.file}; rebuild the site (aircover build).`,
      );
    }, args.dryRun);
  },
});

const status = defineCommand({
  meta: { name: 'status', description: 'The current schedule, sequence and registrations of a webinar.' },
  args: {
    webinar: { type: 'positional', required: true, description: 'Webinar id' },
    json: jsonArg,
  },
  async run({ args }) {
    const base = await load(args.webinar, { cached: true });
    const { currentWebinar } = await import('../../lib/webinar/current.ts');
    await withStore(async (store) => {
      const w = await currentWebinar(store, base);
      const registrations = await store.listResponses({ webinar: w.slug, kind: 'registration' });
      const attended = await store.listResponses({ webinar: w.slug, kind: 'attendance' });
      const value = {
        webinar: w.slug,
        status: w.lifecycle.state,
        ...(w.lifecycle.previousStart ? { previousStart: w.lifecycle.previousStart.toISOString() } : {}),
        registration: w.lifecycle.registrationOpen ? 'open' : `closed (${w.lifecycle.closedBecause})`,
        sequence: w.sequence,
        start: w.start.toISOString(),
        timeZone: w.timeZone,
        registrations: registrations.length,
        attended: attended.length,
      };
      if (args.json) return out.json(value);
      // People read the times in the webinar's zone and locale (JSON keeps the instants).
      const { formatShort } = await import('../../lib/time/format.ts');
      const shown = {
        ...value,
        ...(w.lifecycle.previousStart
          ? { previousStart: formatShort(w.lifecycle.previousStart, w.timeZone, w.locale) }
          : {}),
        start: formatShort(w.start, w.timeZone, w.locale),
      };
      out.table(Object.keys(shown), [Object.values(shown).map(String)]);
      // It only reports: opened like a dry run's store, never created or migrated.
    }, true);
  },
});

export default defineCommand({
  meta: { name: 'webinar', description: 'Reschedule or cancel a webinar and update everyone registered.' },
  subCommands: { reschedule, cancel, status },
});
