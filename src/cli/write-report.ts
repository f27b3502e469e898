import { writeFile } from 'node:fs/promises';
import type { ScanReport } from '../core/report.js';
import { isReportFormat, REPORT_FORMATS, REPORTERS, type ReportFormat } from '../report/reporters.js';
import { UsageError } from './exit-code.js';

/** Validates `--format`. */
export function reportFormatOption(value: string): ReportFormat {
  if (!isReportFormat(value)) throw new UsageError(`--format takes ${REPORT_FORMATS.join(', ')}, not ${JSON.stringify(value)}.`);
  return value;
}

/** Renders a report and writes it to the file, or to stdout (with colour only on a terminal). */
export async function writeReport(report: ScanReport, format: ReportFormat, output: string | undefined): Promise<void> {
  const toTerminal = output === undefined && process.stdout.isTTY && process.env['NO_COLOR'] === undefined;
  const text = REPORTERS[format].render(report, { color: toTerminal });
  if (output !== undefined) {
    try {
      await writeFile(output, text);
    } catch (error) {
      throw new UsageError(`cannot write ${JSON.stringify(output)}: ${error instanceof Error && 'code' in error ? String(error.code) : String(error)}.`, { cause: error });
    }
    return;
  }
  await new Promise<void>((resolve, reject) => process.stdout.write(text, (error) => (error ? reject(error) : resolve())));
}
