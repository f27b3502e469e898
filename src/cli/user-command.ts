import type { Readable } from 'node:stream';
import { Command, Option } from 'commander';
import { passwordProblem } from '../server/password-policy.js';
import { ROLES, type Role } from '../server/server-context.js';
import { EXIT, UsageError } from './exit-code.js';
import { readBlocklistOption } from './password-blocklist-option.js';
import { scopeOption } from './scope-option.js';
import { withStore } from './store-option.js';

interface UserFlags {
  db?: string;
  role?: string;
  passwordStdin?: boolean;
  assets?: string;
  passwordBlocklist?: string;
}

/** Where the commands read a password and write their answers; tests give their own. */
export interface CommandIo {
  readonly stdin: Readable;
  readonly stdout: { write(text: string): unknown };
}

const PROCESS_IO: CommandIo = { stdin: process.stdin, stdout: process.stdout };

/** `w3guard user add|list`: the server's accounts, managed on its store without the server running. */
export function userCommand(io: CommandIo = PROCESS_IO): Command {
  const user = new Command('user').description("manage the server's users (w3guard serve) in its store");
  user
    .command('add')
    .description('add a user; the password is read from standard input (--password-stdin), never from the command line')
    .argument('<name>', 'the user name: letters, digits and ._@- (at most 64)')
    .option('--db <store>', "the store: a SQLite file or a postgres:// URL (default: w3guard.db in the user's data folder)")
    .addOption(new Option('--role <role>', 'what the user may do: viewer reads, operator also scans and triages, admin also manages users, tokens and notifications').choices(ROLES).makeOptionMandatory())
    .option('--password-stdin', 'read the password from the first line of standard input (required)')
    .option('--assets <prefixes>', 'limit the user to findings of these assets and what lies under them, comma-separated (HOST, HOST/W3SVC2); default: every asset')
    .option('--password-blocklist <file>', 'also refuse the passwords in this file (one a line)')
    .action(async (name: string, flags: UserFlags) => {
      const { AccountStore, USER_NAME } = await import('../store/account-store.js');
      const assets = flags.assets === undefined ? undefined : scopeOption(flags.assets);
      const blocklist = flags.passwordBlocklist === undefined ? undefined : readBlocklistOption(flags.passwordBlocklist);
      if (!USER_NAME.test(name)) throw new UsageError(`a user name has 1 to 64 letters, digits or ._@-, not ${JSON.stringify(name)}.`);
      if (flags.passwordStdin !== true) throw new UsageError('user add needs --password-stdin: a password on the command line would stay in the shell history.');
      const role = ROLES.find((r) => r === flags.role) as Role;
      const password = await firstLine(io.stdin);
      const problem = passwordProblem(password, name, blocklist);
      if (problem !== undefined) throw new UsageError(problem.replace(/^A /, 'a ').replace(/^This /, 'this '));
      await withStore(flags.db, async (store) => {
        const accounts = new AccountStore(store.database);
        if ((await accounts.findUser(name)) !== undefined) throw new UsageError(`a user named ${name} exists already.`);
        const now = new Date();
        await accounts.addUser(name, role, password, now, { ...(assets === undefined ? {} : { assets }) });
        await accounts.audit({ at: now.toISOString(), actor: 'cli', action: 'user.added', target: `user:${name}`, detail: { role, ...(assets === undefined ? {} : { assets }) } });
      });
      io.stdout.write(`user ${name} added with role ${role}${assets === undefined ? '' : ` for ${assets.join(', ')}`}\n`);
      process.exitCode = EXIT.ok;
    });
  user
    .command('list')
    .description('list users, their roles and whether they are disabled or locked')
    .option('--db <store>', "the store: a SQLite file or a postgres:// URL (default: w3guard.db in the user's data folder)")
    .action(async (flags: UserFlags) => {
      const { AccountStore } = await import('../store/account-store.js');
      const users = await withStore(flags.db, async (store) => new AccountStore(store.database).listUsers());
      for (const u of users) {
        const extra = `${u.mfa ? '\tmfa' : ''}${u.assets === undefined ? '' : `\tassets ${u.assets.join(',')}`}`;
        io.stdout.write(`${u.name}\t${u.role}${u.disabled ? '\tdisabled' : ''}${u.lockedUntil === undefined ? '' : `\tlocked until ${u.lockedUntil}`}${extra}\n`);
      }
      process.exitCode = EXIT.ok;
    });
  user
    .command('mfa-reset')
    .description('remove a user\'s second factor (a lost phone) and end their sessions; they sign in with the password and may set up a new one')
    .argument('<name>', 'the user name')
    .option('--db <store>', "the store: a SQLite file or a postgres:// URL (default: w3guard.db in the user's data folder)")
    .action(async (name: string, flags: UserFlags) => {
      const { AccountStore } = await import('../store/account-store.js');
      const done = await withStore(flags.db, async (store) => {
        const accounts = new AccountStore(store.database);
        const now = new Date();
        const changed = await accounts.updateUser(name, { mfa: false }, now);
        if (changed !== undefined) await accounts.audit({ at: now.toISOString(), actor: 'cli', action: 'user.changed', target: `user:${name}`, detail: { mfa: 'reset' } });
        return changed !== undefined;
      });
      if (!done) throw new UsageError(`there is no user named ${name}.`);
      io.stdout.write(`second factor of ${name} removed\n`);
      process.exitCode = EXIT.ok;
    });
  return user;
}

/** The first line of a stream, without its line end. */
async function firstLine(stream: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stream) {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    const end = text.search(/\r?\n/);
    if (end >= 0) return text.slice(0, end);
    if (text.length > 4096) break;
  }
  return text;
}
