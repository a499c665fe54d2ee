/**
 * Writes a file whole: under a temporary name beside it, then renamed over it, so a reader (a
 * running server, the next build) never sees half of it and a process killed mid-write leaves
 * the old file or none. Not fsynced: for caches and build output, which can be made again; the
 * outbox, whose messages must not be lost, has its own durable write (email/transport/outbox.ts).
 *
 * Synchronous: for many small files (partner pages of about 20 KB) the promise API's open, write
 * and close cost more on the calling thread than the write itself (0.6 s for 1,000 pages, in a
 * profile). The temporary name carries the thread, since render and card workers share the pid.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';

export function writeWhole(file: string, data: string | Uint8Array): void {
  const temporary = `${file}.${process.pid}-${threadId}.tmp`;
  try {
    writeFileSync(temporary, data);
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
