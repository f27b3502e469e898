import { Command } from 'commander';
import type { ScanReport } from '../core/report.js';
import { escapeTerminal } from '../report/escape-terminal.js';
import { defaultFeedsDir } from '../scan/load-feeds.js';
import { runInventory } from '../scan/run-inventory.js';
import { VerifyBaselineError } from '../scan/verify-inventory.js';
import { UsageError } from './exit-code.js';
import { finishReport, withStoreOptions } from './finish-report.js';
import { integerOption, severityOption } from './parse-option.js';
import { withOptionalStore } from './store-option.js';
import { reportFormatOption } from './write-report.js';
import { withReportOptions } from './report-options.js';

interface InventoryFlags {
  host: string[];
  verify?: string;
  feedsDir?: string;
  advisories?: string;
  format: string;
  output?: string;
  failOn?: string;
  minSeverity: string;
  evidenceCap: string;
  db?: string;
  showSuppressed?: boolean;
}

/** `w3guard inventory [PATH…] [--host ROOT]`: what software runs, which versions are exploited in the wild, and whether a patch landed. Sets `process.exitCode`. */
export function inventoryCommand(signal: AbortSignal): Command {
  return withStoreOptions(withReportOptions(
    new Command('inventory')
    .description('read real versions from binaries, archives, package lists, SBOMs and registry hives; match them against advisories, CISA KEV and EPSS')
    .argument('[paths...]', 'binaries, bin/ folders, jars, *.deps.json, packages.config, packages.lock.json, CycloneDX JSON SBOMs')
    .option('--host <root>', 'a host root (a folder laid out like C:\\): installed programs, web applications, runtimes, Windows build (repeatable)', collect, [])
    .option('--verify <report>', 'compare with an earlier "inventory --format json" report: fixed, still vulnerable, newly vulnerable')
    .option('--feeds-dir <dir>', `where "feeds update" keeps KEV and EPSS (default ${defaultFeedsDir()})`)
    .option('--advisories <dir>', 'read advisories from this folder instead of the shipped ones'),
  ))
    .action(async (paths: string[], flags: InventoryFlags) => {
      const format = reportFormatOption(flags.format);
      const failOn = flags.failOn === undefined ? undefined : severityOption('--fail-on', flags.failOn);
      if (paths.length === 0 && flags.host.length === 0) throw new UsageError('inventory needs a path or --host ROOT.');
      await withOptionalStore(flags.db, async (store) => {
        let report: ScanReport;
        try {
          report = await runInventory({
            paths,
            hosts: flags.host,
            feedsDir: flags.feedsDir ?? defaultFeedsDir(),
            ...(flags.verify === undefined ? {} : { verify: flags.verify }),
            ...(flags.advisories === undefined ? {} : { advisoriesDir: flags.advisories }),
            evidenceCap: integerOption('--evidence-cap', flags.evidenceCap, 1, 1000),
            minSeverity: severityOption('--min-severity', flags.minSeverity),
            signal,
            now: () => new Date(),
          });
        } catch (error) {
          if (error instanceof VerifyBaselineError) throw new UsageError(error.message, { cause: error });
          throw error;
        }
        await finishReport(store, report, { format, output: flags.output, failOn, showSuppressed: flags.showSuppressed });
        process.stderr.write(summary(report));
      });
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The people's summary on stderr: counts, feed dates, and the verification verdicts. */
function summary(report: ScanReport): string {
  const inventory = report.inventory ?? [];
  const vulnerable = inventory.filter((item) => item.vulnerabilities.length > 0);
  const kev = vulnerable.filter((item) => item.vulnerabilities.some((v) => v.cves.some((c) => c.kev !== undefined)));
  const lines = [
    `w3guard inventory: ${inventory.length} components, ${vulnerable.length} vulnerable, ${kev.length} with a CVE in CISA KEV.`,
    report.feeds?.kev === undefined ? 'KEV: not available.' : `KEV: catalogue ${report.feeds.kev.catalogVersion} (${report.feeds.kev.count} entries).`,
    report.feeds?.epss === undefined ? 'EPSS: none stored; run "w3guard feeds update" for scores.' : `EPSS: scores of ${report.feeds.epss.scoreDate ?? 'unknown date'} (${report.feeds.epss.count} CVEs).`,
  ];
  for (const result of report.verification ?? []) {
    const versions = result.previousVersion === undefined && result.currentVersion === undefined ? '' : ` (${result.previousVersion ?? '-'} -> ${result.currentVersion ?? '-'})`;
    lines.push(`${result.status}: ${result.name} at ${result.location}${versions} ${result.cves.join(', ') || result.ruleId}${result.note === undefined ? '' : ` — ${result.note}`}`);
  }
  return `${lines.map((line) => escapeTerminal(line)).join('\n')}\n`;
}
