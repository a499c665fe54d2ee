/**
 * The running server's inbox: when AIRCOVER_IMAP_URL is set, `aircover serve` watches the mailbox
 * with IDLE (imap.ts `watchMailbox`) on its own store connection, so a reply changes the queue
 * within seconds of arriving, with no cron, and its owner hears of it (followup/reply-note.ts).
 */
import { loadFollowupCampaigns } from '../followup/campaign.ts';
import { replyNotifier } from '../followup/reply-note.ts';
import { openStore } from '../store/index.ts';
import { imapConfig, watchMailbox } from './imap.ts';

export interface InboxWatch {
  stop(): Promise<void>;
}

/** Null when no mailbox is configured. Throws ImapConfigError for a malformed AIRCOVER_IMAP_URL. */
export async function startInboxWatch(log: (line: string) => void): Promise<InboxWatch | null> {
  if (!process.env.AIRCOVER_IMAP_URL) return null;
  const config = imapConfig();
  const store = await openStore();
  const campaigns = loadFollowupCampaigns();
  // A person's reply tells its owner at once (a note and the webhooks), once per message.
  const onOwnerNote = replyNotifier(store, campaigns, { log });
  const watcher = watchMailbox({ store, campaigns, onOwnerNote }, config, log);
  log(`inbox: watching ${config.folders.join(', ')} on ${config.host}:${config.port}`);
  return {
    async stop() {
      await watcher.stop();
      await store.close();
    },
  };
}
