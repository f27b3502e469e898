import { Command, Option } from 'commander';
import { FINDING_STATUSES } from '../core/finding-status.js';
import { PRIORITY_LABELS } from '../core/priority.js';
import type { Finding } from '../core/finding.js';
import type { ScanReport } from '../core/report.js';
import type { RuleMeta } from '../core/rule-meta.js';
import { REPORT_FORMATS } from '../report/reporters.js';
import { TOOL_VERSION } from '../scan/tool-version.js';
import type { FindingQuery } from '../store/finding-store.js';
import { EXIT } from './exit-code.js';
import { withStore } from './store-option.js';
import { reportFormatOption, writeReport } from './write-report.js';

interface FindingsFlags {
  db?: string;
  status?: string;
  showSuppressed?: boolean;
  asset?: string;
  priority?: string;
  sort: string;
  format: string;
  output?: string;
}

const STATUS_CHOICES = [...FINDING_STATUSES, 'suppressed'] as const;

/** `w3guard findings`: lists what the store holds, across runs, in any report format. */
export function findingsCommand(): Command {
  return new Command('findings')
    .description('list the findings recorded in a store (--db): new, open, reopened, fixed or suppressed, across runs')
    .option('--db <store>', "the findings store: a SQLite file or a postgres:// URL (default: w3guard.db in the user's data folder)")
    .addOption(new Option('--status <status>', 'only findings with this status (default: all but fixed; suppressed ones need --show-suppressed)').choices(STATUS_CHOICES))
    .option('--show-suppressed', 'also list findings under a suppression in force')
    .option('--asset <id>', 'only findings on this asset (a site, host or URL, as the report names it)')
    .addOption(new Option('--priority <label>', 'only findings whose latest priority has this label').choices(PRIORITY_LABELS))
    .addOption(new Option('--sort <order>', 'risk: highest risk first (findings not yet scored last); report: by severity, asset, rule').choices(['report', 'risk']).default('report'))
    .addOption(new Option('-f, --format <format>', 'output format').choices(REPORT_FORMATS).default('table'))
    .option('-o, --output <file>', 'write the list to this file instead of stdout')
    .action(async (flags: FindingsFlags) => {
      const format = reportFormatOption(flags.format);
      const now = new Date();
      const status = STATUS_CHOICES.find((choice) => choice === flags.status);
      const priority = PRIORITY_LABELS.find((label) => label === flags.priority);
      const query: FindingQuery = {
        now,
        ...(status === undefined ? {} : { status }),
        includeSuppressed: flags.showSuppressed === true,
        ...(flags.asset === undefined ? {} : { asset: flags.asset }),
        ...(priority === undefined ? {} : { priority }),
        sort: flags.sort === 'risk' ? 'risk' : 'report',
      };
      const findings = await withStore(flags.db, (store) => store.listFindings(query));
      const report: ScanReport = {
        tool: { name: 'w3guard', version: TOOL_VERSION },
        command: 'findings',
        startedAt: now.toISOString(),
        finishedAt: now.toISOString(),
        inputs: [],
        issues: [],
        // Reporters print the contract's fields only: the store's own (suppressed, recorded times) stay out.
        findings,
        rules: rulesOf(findings),
      };
      await writeReport(report, format, flags.output);
      process.exitCode = EXIT.ok;
    });
}

/** The rules behind the listed findings, for formats that describe rules (SARIF). */
function rulesOf(findings: readonly Finding[]): RuleMeta[] {
  const rules = new Map<string, RuleMeta>();
  for (const f of findings) {
    if (rules.has(f.ruleId)) continue;
    rules.set(f.ruleId, {
      id: f.ruleId,
      title: f.title,
      description: f.description,
      severity: f.severity,
      confidence: f.confidence,
      engine: f.engine,
      category: f.category,
      tags: f.tags,
      references: f.references,
      ...(f.remediation === undefined ? {} : { remediation: f.remediation }),
    });
  }
  return [...rules.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
