/**
 * `aircover inbox`: replies, auto-replies, bounces and complaints that came back. Without a
 * subcommand it lists them (`list`); `sync` reads the IMAP mailbox once, `classify` reads .eml
 * files offline, `correct` records a person's class for a message.
 */
import { defineCommand } from 'citty';
import { listArgs } from './inbox/list.ts';

export default defineCommand({
  meta: {
    name: 'inbox',
    description: 'Replies, out-of-office, bounces and complaints: list, sync, classify, correct.',
  },
  // The list's flags are declared here too, so `aircover inbox --class reply` reads as the list.
  args: listArgs,
  default: 'list',
  subCommands: {
    list: () => import('./inbox/list.ts').then((m) => m.default),
    sync: () => import('./inbox/sync.ts').then((m) => m.default),
    classify: () => import('./inbox/classify.ts').then((m) => m.default),
    correct: () => import('./inbox/correct.ts').then((m) => m.default),
  },
});
