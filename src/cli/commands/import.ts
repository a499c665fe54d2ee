import { readFileSync } from 'node:fs';
import { defineCommand } from 'citty';
import { dryRunArg, webinarArg } from '../args.ts';
import { CliError, ExitCode, out } from '../output.ts';

const attendance = defineCommand({
  meta: {
    name: 'attendance',
    description:
      'Import a Zoom, Microsoft Teams or Google Meet attendance export: attendees matched to partners by email, the others recorded as new people.',
  },
  args: {
    webinar: webinarArg,
    file: { type: 'positional', required: true, description: 'The exported CSV' },
    json: { type: 'boolean', description: 'JSON summary on stdout' },
    dryRun: dryRunArg,
  },
  async run({ args }) {
    // Loaded when the import runs, so `--help` stays fast.
    const { AttendanceFormatError, importAttendance, loadWebinar, parseAttendance, WebinarError } =
      await import('../../lib/webinar/index.ts');
    const { openStore } = await import('../../lib/store/index.ts');
    let webinar: ReturnType<typeof loadWebinar>;
    try {
      webinar = loadWebinar(args.webinar);
    } catch (error) {
      if (error instanceof WebinarError) throw new CliError(error.message, ExitCode.usage);
      throw error;
    }
    let bytes: Buffer;
    try {
      bytes = readFileSync(args.file);
    } catch (error) {
      throw new CliError(`cannot read ${args.file}: ${(error as Error).message}`, ExitCode.usage);
    }
    let report: ReturnType<typeof parseAttendance>;
    try {
      report = parseAttendance(bytes, args.file);
    } catch (error) {
      if (error instanceof AttendanceFormatError) throw new CliError(error.message);
      throw error;
    }
    // A dry run neither creates the store nor migrates it (src/lib/store/index.ts).
    const store = await openStore(args.dryRun ? { dryRun: true } : {});
    try {
      const summary = await importAttendance(store, webinar, report, args.file, { dryRun: args.dryRun });
      if (args.json) {
        out.json({ ...summary, dryRun: args.dryRun });
        return;
      }
      if (args.dryRun) out.info('dry run: nothing was written; this is what the import would record.');
      out.success(
        `${summary.attendees} attendee(s) from a ${summary.vendor} export: ${summary.created} new, ${summary.partners} partner(s), ${summary.registrants} registrant(s), ${summary.newPeople.length} new people`,
      );
      for (const email of summary.newPeople) out.info(`  new person: ${email}`);
      for (const s of summary.skipped) out.warn(`${args.file}:${s.line}: skipped, ${s.reason}`);
    } finally {
      await store.close();
    }
  },
});

export default defineCommand({
  meta: { name: 'import', description: 'Import data from other tools into the store.' },
  subCommands: { attendance },
});
