/**
 * The sender's own mailbox over IMAP (imapflow). Replies stay where people read them: mailboxes
 * are opened read-only (EXAMINE) unless flagging is asked for, and then only a keyword is added.
 * Reading resumes from the last UID stored per mailbox; a changed UIDVALIDITY means the UIDs were
 * renumbered, so the mailbox is read again from the start (Message-IDs keep that from storing
 * anything twice).
 *
 * AIRCOVER_IMAP_URL: `imaps://user:password@host[:port]/?folders=INBOX,Replies&flag=1`, or with
 * `?token=` (or AIRCOVER_IMAP_TOKEN) for an OAuth2 access token instead of a password; `imap://`
 * is plain (tests, a local server). AIRCOVER_IMAP_FOLDERS overrides the folder list.
 */
import { ImapFlow } from 'imapflow';
import { matchLabel, unmatchedLabel } from './match.ts';
import { cleanLine, parseMessage } from './parse.ts';
import { classifyAndMatch, type InboxContext, ingest } from './pipeline.ts';

export interface ImapConfig {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  auth: { user: string; pass: string } | { user: string; accessToken: string };
  folders: string[];
  /** Add `processedKeyword` to each message read (opens the mailbox read-write). */
  flag: boolean;
}

export const processedKeyword = '$AircoverProcessed';

export class ImapConfigError extends Error {}

/** The configuration from a URL (AIRCOVER_IMAP_URL); throws ImapConfigError naming what is wrong. */
export function imapConfig(
  url = process.env.AIRCOVER_IMAP_URL,
  env: NodeJS.ProcessEnv = process.env,
): ImapConfig {
  if (!url)
    throw new ImapConfigError('AIRCOVER_IMAP_URL is not set (imaps://user:password@host/?folders=INBOX)');
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ImapConfigError('AIRCOVER_IMAP_URL is not a URL (imaps://user:password@host/?folders=INBOX)');
  }
  if (u.protocol !== 'imap:' && u.protocol !== 'imaps:')
    throw new ImapConfigError(`AIRCOVER_IMAP_URL: scheme must be imap: or imaps:, not ${u.protocol}`);
  const user = decodeURIComponent(u.username);
  if (!user) throw new ImapConfigError('AIRCOVER_IMAP_URL: no user name');
  const token = u.searchParams.get('token') ?? env.AIRCOVER_IMAP_TOKEN ?? '';
  const pass = decodeURIComponent(u.password);
  if (!pass && !token)
    throw new ImapConfigError(
      'AIRCOVER_IMAP_URL: no password and no OAuth2 token (?token= or AIRCOVER_IMAP_TOKEN)',
    );
  const folders = (env.AIRCOVER_IMAP_FOLDERS ?? u.searchParams.get('folders') ?? 'INBOX')
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  const secure = u.protocol === 'imaps:';
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : secure ? 993 : 143,
    secure,
    user,
    auth: token ? { user, accessToken: token } : { user, pass },
    folders,
    flag: ['1', 'true', 'yes'].includes(u.searchParams.get('flag') ?? ''),
  };
}

/** The key a mailbox's cursor is stored under: account and folder, never the password. */
export const mailboxKey = (config: ImapConfig, folder: string) =>
  `${config.user}@${config.host}:${config.port}/${folder}`;

export function imapClient(config: ImapConfig): ImapFlow {
  return new ImapFlow({
    host: config.host,
    port: config.port,
    secure: config.secure,
    auth: config.auth,
    logger: false,
    // Dovecot and the big providers drop idle connections after ~30 min: IDLE is renewed sooner.
    maxIdleTime: 5 * 60_000,
    // IDLE right after each read (imapflow waits 15 s by default): new mail is announced at once.
    autoIdleDelay: 1000,
  } as ConstructorParameters<typeof ImapFlow>[0]);
}

export interface FolderResult {
  folder: string;
  read: number;
  stored: number;
  /** True when UIDVALIDITY changed and the folder was read from the start. */
  reset: boolean;
  /** A dry run: each new message's class and matched partner; nothing was stored or flagged. */
  preview?: { uid: number; class: string; partner: string | null; subject: string }[];
}

export interface SyncOptions {
  /** Read, classify and match, but store nothing, move no cursor and flag nothing. */
  dryRun?: boolean;
}

const batch = 100;

/**
 * Read what is new in one folder on an open connection: every UID above the cursor, stored and
 * applied one by one, the cursor advanced after each, so a crash or a dropped connection resumes
 * at the first message not yet stored.
 */
export async function syncFolder(
  client: ImapFlow,
  ctx: InboxContext,
  config: ImapConfig,
  folder: string,
  options: SyncOptions = {},
): Promise<FolderResult> {
  const key = mailboxKey(config, folder);
  const dryRun = options.dryRun === true;
  const lock = await client.getMailboxLock(folder, { readOnly: dryRun || !config.flag });
  const result: FolderResult = {
    folder,
    read: 0,
    stored: 0,
    reset: false,
    ...(dryRun ? { preview: [] } : {}),
  };
  try {
    const mailbox = client.mailbox;
    if (!mailbox) throw new Error(`IMAP folder ${folder} did not open`);
    const uidValidity = String(mailbox.uidValidity);
    const cursor = await ctx.store.getInboxCursor(key);
    let last = cursor && cursor.uidValidity === uidValidity ? cursor.lastUid : 0;
    result.reset = Boolean(cursor && cursor.uidValidity !== uidValidity);
    const found = await client.search({ uid: `${last + 1}:*` }, { uid: true });
    // `n:*` always names the highest message, even below n: keep only what is new.
    const uids = (found || []).filter((uid) => uid > last).sort((a, b) => a - b);
    for (let i = 0; i < uids.length; i += batch) {
      const chunk = uids.slice(i, i + batch);
      // Fetch a whole chunk first: running a command inside fetch()'s iterator deadlocks imapflow.
      const messages = await client.fetchAll(
        chunk.join(','),
        { uid: true, source: true, internalDate: true },
        { uid: true },
      );
      messages.sort((a, b) => a.uid - b.uid);
      for (const m of messages) {
        if (!m.source) continue;
        const received =
          m.internalDate instanceof Date
            ? m.internalDate
            : m.internalDate
              ? new Date(m.internalDate)
              : undefined;
        if (dryRun) {
          result.read++;
          result.preview?.push(await previewOf(ctx, m.uid, m.source));
          continue;
        }
        const done = await ingest(ctx, m.source, `imap:${cleanLine(folder, 100)}`, received);
        result.read++;
        if (done.created) result.stored++;
        last = m.uid;
        await ctx.store.setInboxCursor({ mailbox: key, uidValidity, lastUid: last });
      }
      if (config.flag && messages.length && !dryRun)
        await client.messageFlagsAdd(chunk.join(','), [processedKeyword], { uid: true });
    }
    if (!dryRun && (!cursor || result.reset))
      await ctx.store.setInboxCursor({ mailbox: key, uidValidity, lastUid: last });
  } finally {
    lock.release();
  }
  return result;
}

/** `aircover inbox sync`: every configured folder once, then log out. */
/** What a dry run reports of one message: classified and matched (reads only), never stored. */
async function previewOf(ctx: InboxContext, uid: number, raw: Buffer) {
  const parsed = await parseMessage(raw);
  const { classification, match } = await classifyAndMatch(ctx, parsed);
  return {
    uid,
    class: classification.class,
    // Unmatched stays null (the table prints "unmatched"); the team's is labelled as everywhere.
    partner: !match
      ? null
      : match.kind === 'team'
        ? unmatchedLabel(match.kind)
        : // A referrer's message names whom they introduced: it is not the partner's (match.ts).
          `${match.campaign}/${match.partnerId}${match.kind === 'referrer' ? ` (${matchLabel(match.kind, match.referred)})` : ''}`,
    subject: cleanLine(parsed.subject ?? '', 200),
  };
}

export async function syncOnce(
  ctx: InboxContext,
  config: ImapConfig,
  options: SyncOptions = {},
): Promise<FolderResult[]> {
  const client = imapClient(config);
  await client.connect();
  try {
    const results: FolderResult[] = [];
    for (const folder of config.folders) results.push(await syncFolder(client, ctx, config, folder, options));
    return results;
  } finally {
    await client.logout().catch(() => client.close());
  }
}

export interface Watcher {
  stop(): Promise<void>;
  /** Resolves after the first full read of every folder. */
  ready: Promise<void>;
}

/**
 * The running server's watch: one connection per folder, IDLE on it, a read whenever the server
 * says a message arrived; a dropped connection is opened again with a growing pause (1 s to 60 s)
 * and read from the cursor, so nothing that arrived meanwhile is missed.
 */
export function watchMailbox(
  ctx: InboxContext,
  config: ImapConfig,
  log: (line: string) => void = () => undefined,
): Watcher {
  let stopped = false;
  const clients = new Set<ImapFlow>();
  const readies: Promise<void>[] = [];
  for (const folder of config.folders) {
    let markReady: () => void = () => undefined;
    readies.push(new Promise<void>((resolve) => (markReady = resolve)));
    void (async () => {
      let pause = 1000;
      while (!stopped) {
        const client = imapClient(config);
        clients.add(client);
        try {
          await client.connect();
          pause = 1000;
          let running: Promise<unknown> = Promise.resolve();
          let again = false;
          const read = () => {
            if (again) return;
            again = true;
            running = running.then(async () => {
              again = false;
              const r = await syncFolder(client, ctx, config, folder);
              if (r.stored) log(`inbox: ${r.stored} new message(s) in ${folder}`);
            });
            running.catch((error: unknown) => log(`inbox: reading ${folder} failed: ${String(error)}`));
          };
          client.on('exists', read);
          read();
          await running;
          markReady();
          // Keep the folder selected, so imapflow IDLEs on it between reads.
          await client.mailboxOpen(folder, { readOnly: !config.flag });
          await new Promise<void>((resolve) => client.once('close', () => resolve()));
        } catch (error) {
          if (!stopped)
            log(`inbox: IMAP ${config.host} ${folder}: ${String(error)}; retrying in ${pause / 1000} s`);
        } finally {
          clients.delete(client);
          client.close();
        }
        if (stopped) break;
        await new Promise((r) => setTimeout(r, pause).unref());
        pause = Math.min(pause * 2, 60_000);
      }
    })();
  }
  return {
    ready: Promise.all(readies).then(() => undefined),
    async stop() {
      stopped = true;
      await Promise.all([...clients].map((c) => c.logout().catch(() => c.close())));
    },
  };
}
