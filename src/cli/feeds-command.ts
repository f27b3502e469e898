import { Command } from 'commander';
import { escapeTerminal } from '../report/escape-terminal.js';
import { defaultFeedsDir } from '../scan/load-feeds.js';
import { DEFAULT_EPSS_URL, DEFAULT_KEV_URL, updateFeeds } from '../scan/update-feeds.js';
import { EXIT } from './exit-code.js';

interface UpdateFlags {
  feedsDir?: string;
  from?: string;
  kevUrl: string;
  epssUrl: string;
}

/** `w3guard feeds update`: refreshes the CISA KEV catalogue and EPSS scores, keeping the previous copy of a feed that fails. */
export function feedsCommand(signal: AbortSignal): Command {
  const update = new Command('update')
    .description('download the current KEV catalogue and EPSS scores, verify them, and keep the previous copy when a download fails or does not parse')
    .option('--feeds-dir <dir>', `where to keep the feeds (default ${defaultFeedsDir()})`)
    .option('--from <dir>', 'copy from an offline bundle folder (kev.json or known_exploited_vulnerabilities.json, epss.csv[.gz]) instead of downloading')
    .option('--kev-url <url>', 'where to download the KEV catalogue', DEFAULT_KEV_URL)
    .option('--epss-url <url>', 'where to download the EPSS scores', DEFAULT_EPSS_URL)
    .action(async (flags: UpdateFlags) => {
      const feedsDir = flags.feedsDir ?? defaultFeedsDir();
      const outcomes = await updateFeeds({ feedsDir, kevUrl: flags.kevUrl, epssUrl: flags.epssUrl, ...(flags.from === undefined ? {} : { from: flags.from }), now: () => new Date(), signal });
      for (const outcome of outcomes) process.stdout.write(`${escapeTerminal(`${outcome.feed}: ${outcome.status}: ${outcome.message}`)}\n`);
      process.stderr.write(`w3guard feeds: stored in ${escapeTerminal(feedsDir)}\n`);
      // A feed that could not be refreshed is an input problem the user must see in scripts, not a finding.
      process.exitCode = outcomes.every((o) => o.status === 'updated') ? EXIT.ok : EXIT.usage;
    });
  return new Command('feeds').description('manage the KEV and EPSS data inventory uses').addCommand(update);
}
