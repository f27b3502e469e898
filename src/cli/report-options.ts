import { Option, type Command } from 'commander';
import { DEFAULT_EVIDENCE_CAP } from '../core/finding-aggregator.js';
import { REPORT_FORMATS } from '../report/reporters.js';

/**
 * Adds the options every command that reports findings takes, declared once: `--format`, `--output`,
 * `--fail-on`, `--min-severity` and `--evidence-cap` (whose help names what the evidence is: lines, events, items).
 */
export function withReportOptions(command: Command, evidence = 'items'): Command {
  return command
    .addOption(new Option('-f, --format <format>', 'output format').choices(REPORT_FORMATS).default('table'))
    .option('-o, --output <file>', 'write the report to this file instead of stdout')
    .option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity')
    .option('--min-severity <severity>', 'report only findings at or above this severity', 'info')
    .option('--evidence-cap <n>', `evidence ${evidence} kept per finding`, String(DEFAULT_EVIDENCE_CAP));
}
