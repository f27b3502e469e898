import type { ScanReport } from '../core/report.js';
import type { Reporter } from '../core/reporter.js';
import { stringifyJson } from './stringify-json.js';
import { toJsonFinding } from './to-json-finding.js';

/**
 * JSON Lines: one finding per line, in the same shape as `findings[]` of the `json` format, and nothing
 * else — no header, no summary, no issues — so every line is the same kind of record for `jq`, a SIEM or
 * a log shipper. Issues and run metadata are in the `json` and `sarif` formats. No findings, no output.
 */
export const jsonlReporter: Reporter = {
  format: 'jsonl',
  description: 'one finding per line (JSON Lines), findings only',
  render(report: ScanReport): string {
    return report.findings.map((finding) => `${stringifyJson(toJsonFinding(finding))}\n`).join('');
  },
};
