/**
 * A private Dovecot for the tests (recipe in TOOLCHAIN.md): its own dirs under a temp folder, IMAP
 * only on 127.0.0.1 and a free port, one user `alice` / `testpass`. `stop()` ends it; a process
 * exit handler stops it too, so no instance outlives the test run.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export interface Dovecot {
  host: string;
  port: number;
  user: string;
  pass: string;
  url: string;
  stop(): Promise<void>;
}

/** True when Dovecot is installed; under CI=true a missing Dovecot is a failure, not a skip. */
export function hasDovecot(): boolean {
  try {
    execFileSync('dovecot', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    if (process.env.CI === 'true')
      throw new Error('dovecot is not installed (apt-get install dovecot-imapd)');
    return false;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('data', (data) => done(data.toString().startsWith('* OK')));
    socket.once('error', () => done(false));
    socket.connect(port, '127.0.0.1');
  });
}

export async function startDovecot(): Promise<Dovecot> {
  const dir = mkdtempSync(join(tmpdir(), 'aircover-dovecot-'));
  chmodSync(dir, 0o755);
  const port = await freePort();
  const mail = join(dir, 'mail');
  mkdirSync(mail);
  const root = process.getuid?.() === 0;
  const me = userInfo();
  const mailUid = root ? 35000 : me.uid;
  if (root) chownSync(mail, mailUid, mailUid);
  writeFileSync(join(dir, 'users'), `alice:{PLAIN}testpass::::${mail}/alice\n`);
  const unprivileged = root
    ? `mail_uid = ${mailUid}\nmail_gid = ${mailUid}\n`
    : `default_internal_user = ${me.username}\ndefault_login_user = ${me.username}\ndefault_internal_group = ${me.username}\nservice anvil {\n  chroot =\n}\nservice imap-login {\n  chroot =\n}\n`;
  const conf = join(dir, 'dovecot.conf');
  writeFileSync(
    conf,
    `base_dir = ${dir}/run
state_dir = ${dir}/state
instance_name = aircover-test-${port}
log_path = ${dir}/dovecot.log
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
mail_fsync = never
${unprivileged}service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
passdb {
  driver = passwd-file
  args = ${dir}/users
}
userdb {
  driver = passwd-file
  args = ${dir}/users
}
`,
  );
  const child = spawn('dovecot', ['-F', '-c', conf], { stdio: 'ignore' });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const kill = () => {
    if (!exited) child.kill('SIGTERM');
  };
  process.once('exit', kill);
  const deadline = Date.now() + 15_000;
  while (!(await greets(port))) {
    if (exited || Date.now() > deadline) {
      kill();
      throw new Error(`dovecot did not start (see ${dir}/dovecot.log)`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host: '127.0.0.1',
    port,
    user: 'alice',
    pass: 'testpass',
    url: `imap://alice:testpass@127.0.0.1:${port}/?folders=INBOX`,
    async stop() {
      process.removeListener('exit', kill);
      if (!exited) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
