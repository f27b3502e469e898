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
  const reporter = REPORTERS[format];
  const options = { color: toTerminal };
  const parts = reporter.renderParts === undefined ? [reporter.render(report, options)] : reporter.renderParts(report, options);
  const chunks = parts.map(encode);
  if (output !== undefined) {
    try {
      await writeFile(output, chunks);
    } catch (error) {
      throw new UsageError(`cannot write ${JSON.stringify(output)}: ${error instanceof Error && 'code' in error ? String(error.code) : String(error)}.`, { cause: error });
    }
    return;
  }
  for (const chunk of chunks.slice(0, -1)) process.stdout.write(chunk);
  const last = chunks[chunks.length - 1] ?? Buffer.alloc(0);
  await new Promise<void>((resolve, reject) => process.stdout.write(last, (error) => (error ? reject(error) : resolve())));
}

/** UTF-8 bytes of a piece of output; pure ASCII is copied as is, which is quicker than encoding it. */
function encode(text: string): Buffer {
  return Buffer.from(text, Buffer.byteLength(text, 'utf8') === text.length ? 'latin1' : 'utf8');
}
