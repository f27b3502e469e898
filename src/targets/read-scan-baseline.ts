import { readFile } from 'node:fs/promises';
import { InputError } from './input-error.js';

/**
 * Reads a previous `scan --format json` report: for each site it scanned, the outside script domains it
 * reported. A site absent from the previous report is not compared.
 */
export async function readScanBaseline(file: string): Promise<Map<string, Set<string>>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : '';
    throw new InputError(code === 'ENOENT' ? 'input.not-found' : 'input.unreadable', file, `${JSON.stringify(file)} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code || 'unknown error'})`}.`, { cause: error });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new InputError('input.unreadable', file, `${JSON.stringify(file)} is not a JSON report (w3guard scan --format json).`, { cause: error });
  }
  const report = doc as { command?: unknown; inputs?: unknown; findings?: unknown };
  if (report.command !== 'scan' || !Array.isArray(report.inputs) || !Array.isArray(report.findings)) {
    throw new InputError('input.unreadable', file, `${JSON.stringify(file)} is not a report of w3guard scan (--format json).`);
  }
  const sites = new Map<string, Set<string>>();
  for (const input of report.inputs as { kind?: unknown; path?: unknown }[]) {
    if (input.kind === 'url' && typeof input.path === 'string') sites.set(input.path, new Set());
  }
  for (const finding of report.findings as { ruleId?: unknown; asset?: unknown; locationKey?: unknown }[]) {
    if (finding.ruleId !== 'w3g-http-external-script' || typeof finding.asset !== 'string' || typeof finding.locationKey !== 'string') continue;
    sites.get(finding.asset)?.add(finding.locationKey);
  }
  return sites;
}
