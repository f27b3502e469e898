import { userInfo } from 'node:os';
import { Command } from 'commander';
import { EXIT, UsageError } from './exit-code.js';
import { timeOption } from './parse-option.js';
import { withStore } from './store-option.js';

interface SuppressFlags {
  db?: string;
  reason?: string;
  until?: string;
  author?: string;
  rule?: string;
  asset?: string;
}

/** `w3guard suppress FINGERPRINT`: leaves a finding out of reports and exit codes, with a reason, until a date. */
export function suppressCommand(): Command {
  return new Command('suppress')
    .description('suppress a finding (by fingerprint, or a rule on an asset) with a reason, optionally until a date; it comes back after that')
    .argument('[fingerprint]', 'the finding\'s fingerprint, as `findings` and every report print it')
    .option('--db <store>', "the findings store: a SQLite file or a postgres:// URL (default: w3guard.db in the user's data folder)")
    .option('--reason <text>', 'why (required): kept with the suppression and in the finding\'s history')
    .option('--until <date>', 'when the suppression ends (ISO 8601 date or time, UTC); without it, it lasts until lifted')
    .option('--author <name>', 'who decided (default: the current user)')
    .option('--rule <id>', 'instead of a fingerprint: every finding of this rule on --asset')
    .option('--asset <id>', 'with --rule: the asset')
    .action(async (fingerprint: string | undefined, flags: SuppressFlags) => {
      const reason = flags.reason?.trim() ?? '';
      if (reason === '') throw new UsageError('suppress needs --reason: say why, for whoever reads the history.');
      if ((fingerprint === undefined) === (flags.rule === undefined)) throw new UsageError('suppress takes a fingerprint, or --rule with --asset, not both or neither.');
      if ((flags.rule === undefined) !== (flags.asset === undefined)) throw new UsageError('--rule and --asset go together.');
      if (fingerprint !== undefined && !/^[0-9a-f]{32}$/.test(fingerprint)) throw new UsageError(`a fingerprint is 32 hexadecimal digits, not ${JSON.stringify(fingerprint)}.`);
      const now = new Date();
      const until = flags.until === undefined ? undefined : new Date(timeOption('--until', flags.until));
      if (until !== undefined && until.getTime() <= now.getTime()) throw new UsageError(`--until ${flags.until} is already past.`);
      const author = flags.author?.trim() || currentUser();
      const id = await withStore(flags.db, async (store) => {
        if (fingerprint !== undefined && !(await store.hasFinding(fingerprint))) throw new UsageError(`no finding with fingerprint ${fingerprint} in the store.`);
        return store.suppress({
          ...(fingerprint === undefined ? { ruleId: flags.rule, asset: flags.asset } : { fingerprint }),
          reason,
          author,
          ...(until === undefined ? {} : { expiresAt: until.toISOString() }),
          now,
        });
      });
      process.stdout.write(`suppression ${id}: ${fingerprint ?? `${flags.rule ?? ''} on ${flags.asset ?? ''}`}${until === undefined ? '' : ` until ${until.toISOString()}`}\n`);
      process.exitCode = EXIT.ok;
    });
}

function currentUser(): string {
  try {
    return userInfo().username || 'unknown';
  } catch {
    return process.env['USER'] ?? process.env['USERNAME'] ?? 'unknown';
  }
}
