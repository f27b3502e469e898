import { Command, Option } from 'commander';
import { ROLES, type Role } from '../server/server-context.js';
import { EXIT, UsageError } from './exit-code.js';
import { timeOption } from './parse-option.js';
import { scopeOption } from './scope-option.js';
import { withStore } from './store-option.js';
import type { CommandIo } from './user-command.js';

interface TokenFlags {
  db?: string;
  name?: string;
  role?: string;
  expires?: string;
  assets?: string;
}

const DB_HELP = "the store: a SQLite file or a postgres:// URL (default: w3guard.db in the user's data folder)";

/** `w3guard token create|list|revoke`: API tokens for scripts, CI and pushing hosts. */
export function tokenCommand(io: Pick<CommandIo, 'stdout'> = { stdout: process.stdout }): Command {
  const token = new Command('token').description("manage the server's API tokens (w3guard serve) in its store");
  token
    .command('create')
    .description('create an API token and print it alone on standard output: it is shown this once')
    .option('--db <store>', DB_HELP)
    .requiredOption('--name <name>', 'what the token is for (shown in lists, the audit log and history)')
    .addOption(new Option('--role <role>', 'what the token may do').choices(ROLES).makeOptionMandatory())
    .option('--expires <date>', 'when the token stops working (ISO 8601 date or time, UTC); default: never')
    .option('--assets <prefixes>', 'limit the token to findings and pushed reports of these assets and what lies under them, comma-separated (HOST, HOST/W3SVC2); default: every asset')
    .action(async (flags: TokenFlags) => {
      const { AccountStore } = await import('../store/account-store.js');
      const name = flags.name?.trim() ?? '';
      if (name === '' || name.length > 100) throw new UsageError('--name takes 1 to 100 characters.');
      const role = ROLES.find((r) => r === flags.role) as Role;
      const now = new Date();
      const expires = flags.expires === undefined ? undefined : new Date(timeOption('--expires', flags.expires));
      if (expires !== undefined && expires.getTime() <= now.getTime()) throw new UsageError(`--expires ${flags.expires} is already past.`);
      const assets = flags.assets === undefined ? undefined : scopeOption(flags.assets);
      const created = await withStore(flags.db, async (store) => {
        const accounts = new AccountStore(store.database);
        const made = await accounts.createToken({ name, role, createdBy: 'cli', ...(expires === undefined ? {} : { expiresAt: expires.toISOString() }), ...(assets === undefined ? {} : { assets }) }, now);
        await accounts.audit({ at: now.toISOString(), actor: 'cli', action: 'token.created', target: `token:${made.info.id}`, detail: { name, role, ...(assets === undefined ? {} : { assets }) } });
        return made;
      });
      io.stdout.write(`${created.token}\n`);
      process.exitCode = EXIT.ok;
    });
  token
    .command('list')
    .description('list API tokens (never the tokens themselves): id, name, role, state')
    .option('--db <store>', DB_HELP)
    .action(async (flags: TokenFlags) => {
      const { AccountStore } = await import('../store/account-store.js');
      const tokens = await withStore(flags.db, async (store) => new AccountStore(store.database).listTokens());
      for (const t of tokens) {
        const state = t.revokedAt !== undefined ? `revoked ${t.revokedAt}` : t.expiresAt !== undefined ? `expires ${t.expiresAt}` : 'active';
        io.stdout.write(`${t.id}\t${t.name}\t${t.role}\t${state}${t.lastUsedAt === undefined ? '' : `\tlast used ${t.lastUsedAt}`}\n`);
      }
      process.exitCode = EXIT.ok;
    });
  token
    .command('revoke')
    .description('revoke an API token by its id (from token list); it stops working at once')
    .argument('<id>', 'the token\'s id')
    .option('--db <store>', DB_HELP)
    .action(async (id: string, flags: TokenFlags) => {
      const { AccountStore } = await import('../store/account-store.js');
      if (!/^[1-9][0-9]{0,9}$/.test(id)) throw new UsageError(`a token id is a positive number, not ${JSON.stringify(id)}.`);
      const revoked = await withStore(flags.db, async (store) => {
        const accounts = new AccountStore(store.database);
        const now = new Date();
        const done = await accounts.revokeToken(Number(id), now);
        if (done) await accounts.audit({ at: now.toISOString(), actor: 'cli', action: 'token.revoked', target: `token:${id}` });
        return done;
      });
      if (!revoked) throw new UsageError(`there is no active token ${id}.`);
      io.stdout.write(`token ${id} revoked\n`);
      process.exitCode = EXIT.ok;
    });
  return token;
}
