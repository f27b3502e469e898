import { loadPasswordBlocklist } from '../server/password-policy.js';
import { UsageError } from './exit-code.js';

/** `--password-blocklist FILE` read at start; a file that cannot be read stops the command with one sentence. */
export function readBlocklistOption(file: string): ReadonlySet<string> {
  try {
    return loadPasswordBlocklist(file);
  } catch (error) {
    throw new UsageError(`--password-blocklist ${file} cannot be read: ${error instanceof Error ? error.message : String(error)}.`, { cause: error });
  }
}
