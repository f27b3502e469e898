import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { ScanIssue } from '../../core/scan-issue.js';
import { parseSeverity } from '../../core/severity.js';
import { badRangeBound, type VersionRange } from '../version-match/version-range.js';
import { isVersionScheme } from '../version-match/version-scheme.js';
import type { Advisory, AdvisoryIdentify, AdvisoryVulnerability } from './advisory.js';

/** A problem in an advisory file, with the file and line it was found at. */
export interface AdvisoryDiagnostic extends ScanIssue {
  readonly code: 'advisory.file-read' | 'advisory.yaml-syntax' | 'advisory.shape' | 'advisory.duplicate';
  readonly path: string;
  readonly line: number;
}

const MAX_FILE_BYTES = 1024 * 1024;
const ID = /^[a-z0-9][a-z0-9-]{1,80}$/;
const CVE = /^CVE-\d{4}-\d{4,7}$/;

/** Loads every `*.yml`/`*.yaml` advisory in a folder (sorted by name); broken advisories are left out and diagnosed. */
export async function loadAdvisories(folder: string): Promise<{ advisories: Advisory[]; diagnostics: AdvisoryDiagnostic[] }> {
  const advisories: Advisory[] = [];
  const diagnostics: AdvisoryDiagnostic[] = [];
  const names = (await readdir(folder)).filter((name) => /\.ya?ml$/i.test(name)).sort();
  const seen = new Map<string, string>();
  for (const name of names) {
    const file = path.join(folder, name);
    let text: string;
    try {
      if ((await stat(file)).size > MAX_FILE_BYTES) throw new Error(`larger than ${MAX_FILE_BYTES} bytes`);
      text = await readFile(file, 'utf8');
    } catch (error) {
      diagnostics.push({ code: 'advisory.file-read', message: `${file}: cannot be read (${error instanceof Error ? error.message : String(error)}).`, path: file, line: 1 });
      continue;
    }
    const result = parseAdvisory(text, file);
    diagnostics.push(...result.diagnostics);
    if (result.advisory === undefined) continue;
    const earlier = seen.get(result.advisory.id);
    if (earlier !== undefined) {
      diagnostics.push({ code: 'advisory.duplicate', message: `${file}: advisory id ${JSON.stringify(result.advisory.id)} is also used by ${earlier}; this copy is skipped.`, path: file, line: result.advisory.line });
      continue;
    }
    seen.set(result.advisory.id, file);
    advisories.push(result.advisory);
  }
  return { advisories, diagnostics };
}

/** Parses and validates one advisory document; an advisory with any error is left out. */
export function parseAdvisory(text: string, file: string): { advisory?: Advisory; diagnostics: AdvisoryDiagnostic[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const diagnostics: AdvisoryDiagnostic[] = [];
  const lineAt = (offset: number | undefined): number => (offset === undefined ? 1 : lineCounter.linePos(offset).line);
  if (doc.errors.length > 0) {
    for (const error of doc.errors) diagnostics.push({ code: 'advisory.yaml-syntax', message: `${file}: ${error.message.split('\n')[0] ?? 'YAML syntax error'}`, path: file, line: lineAt(error.pos[0]) });
    return { diagnostics };
  }
  const checker = new ShapeChecker(doc, file, lineAt, diagnostics);
  const advisory = checker.advisory();
  return diagnostics.length === 0 && advisory !== undefined ? { advisory, diagnostics } : { diagnostics };
}

type Path = readonly (string | number)[];

class ShapeChecker {
  constructor(
    private readonly doc: Document,
    private readonly file: string,
    private readonly lineAt: (offset: number | undefined) => number,
    private readonly out: AdvisoryDiagnostic[],
  ) {}

  advisory(): Advisory | undefined {
    if (!isMap(this.doc.contents)) {
      this.fail([], 'an advisory is a mapping with id, product, scheme, identify and vulnerabilities');
      return undefined;
    }
    this.unknownKeys([], ['id', 'product', 'scheme', 'identify', 'versionFrom', 'references', 'vulnerabilities', 'notes']);
    const id = this.text(['id'], true);
    if (id !== undefined && !ID.test(id)) this.fail(['id'], 'id is lower-case letters, digits and dashes');
    const product = this.text(['product'], true);
    const scheme = this.text(['scheme'], true);
    if (scheme !== undefined && !isVersionScheme(scheme)) this.fail(['scheme'], `scheme is one of windows, exchange, telerik, semver, not ${JSON.stringify(scheme)}`);
    const versionFrom = this.text(['versionFrom'], false) ?? 'file';
    if (versionFrom !== 'file' && versionFrom !== 'product') this.fail(['versionFrom'], 'versionFrom is file or product');
    const identify = this.identify();
    const list = this.doc.getIn(['vulnerabilities'], true);
    const vulnerabilities: AdvisoryVulnerability[] = [];
    if (!isSeq(list) || list.items.length === 0) this.fail(['vulnerabilities'], 'vulnerabilities is a non-empty list');
    else {
      const ids = new Set<string>();
      list.items.forEach((_, i) => {
        const vulnerability = this.vulnerability(i, scheme !== undefined && isVersionScheme(scheme) ? scheme : undefined);
        if (vulnerability === undefined) return;
        if (ids.has(vulnerability.id)) this.fail(['vulnerabilities', i, 'id'], `vulnerability id ${JSON.stringify(vulnerability.id)} is used twice`);
        ids.add(vulnerability.id);
        vulnerabilities.push(vulnerability);
      });
    }
    if (id === undefined || product === undefined || scheme === undefined || !isVersionScheme(scheme) || identify === undefined) return undefined;
    return { id, product, scheme, identify, versionFrom: versionFrom === 'product' ? 'product' : 'file', vulnerabilities, file: this.file, line: this.line([]) };
  }

  private identify(): AdvisoryIdentify | undefined {
    const at = ['identify'];
    if (!isMap(this.doc.getIn(at, true))) {
      this.fail(at, 'identify is a mapping of fileNames, productNames, assemblyNames, packages, uninstallNames, runtimes or windows');
      return undefined;
    }
    this.unknownKeys(at, ['fileNames', 'productNames', 'assemblyNames', 'packages', 'uninstallNames', 'runtimes', 'windows']);
    const windowsValue = this.doc.getIn([...at, 'windows']);
    if (windowsValue !== undefined && typeof windowsValue !== 'boolean') this.fail([...at, 'windows'], 'windows is true or false');
    const identify: AdvisoryIdentify = {
      fileNames: this.texts([...at, 'fileNames']),
      productNames: this.texts([...at, 'productNames']),
      assemblyNames: this.texts([...at, 'assemblyNames']),
      packages: this.texts([...at, 'packages']),
      uninstallNames: this.texts([...at, 'uninstallNames']),
      runtimes: this.texts([...at, 'runtimes']),
      windows: windowsValue === true,
    };
    for (const [i, pkg] of identify.packages.entries()) {
      if (!/^(nuget|maven|npm):[^:\s]+(:[^:\s]+)?$/.test(pkg)) this.fail([...at, 'packages', i], `package ${JSON.stringify(pkg)} is ecosystem:name (nuget, maven, npm)`);
    }
    const any = Object.values(identify).some((value) => (Array.isArray(value) ? value.length > 0 : value === true));
    if (!any) this.fail(at, 'identify names at least one way to recognise the product');
    return identify;
  }

  private vulnerability(index: number, scheme: Parameters<typeof badRangeBound>[1] | undefined): AdvisoryVulnerability | undefined {
    const at = ['vulnerabilities', index];
    if (!isMap(this.doc.getIn(at, true))) {
      this.fail(at, 'a vulnerability is a mapping');
      return undefined;
    }
    this.unknownKeys(at, ['id', 'cves', 'title', 'severity', 'affected', 'fixed', 'samples', 'remediation', 'references', 'endOfSupport', 'note']);
    const id = this.text([...at, 'id'], true);
    const title = this.text([...at, 'title'], true);
    const fixed = this.text([...at, 'fixed'], true);
    const remediation = this.text([...at, 'remediation'], true);
    const severityText = this.text([...at, 'severity'], true);
    const severity = severityText === undefined ? undefined : parseSeverity(severityText);
    if (severityText !== undefined && severity === undefined) this.fail([...at, 'severity'], 'severity is info, low, medium, high or critical');
    const cves = this.texts([...at, 'cves']);
    cves.forEach((cve, i) => {
      if (!CVE.test(cve)) this.fail([...at, 'cves', i], `${JSON.stringify(cve)} is not a CVE id`);
    });
    const endOfSupport = this.text([...at, 'endOfSupport'], false);
    if (endOfSupport !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(endOfSupport)) this.fail([...at, 'endOfSupport'], 'endOfSupport is a date such as 2024-11-12');
    const note = this.text([...at, 'note'], false);
    const ranges = this.doc.getIn([...at, 'affected'], true);
    const affected: VersionRange[] = [];
    if (!isSeq(ranges) || ranges.items.length === 0) this.fail([...at, 'affected'], 'affected is a non-empty list of ranges');
    else {
      ranges.items.forEach((_, r) => {
        const rangeAt = [...at, 'affected', r];
        if (!isMap(this.doc.getIn(rangeAt, true))) {
          this.fail(rangeAt, 'a range is a mapping of introduced, fixed, lastAffected or versions');
          return;
        }
        this.unknownKeys(rangeAt, ['introduced', 'fixed', 'lastAffected', 'versions']);
        const range: VersionRange = {
          ...optional('introduced', this.text([...rangeAt, 'introduced'], false)),
          ...optional('fixed', this.text([...rangeAt, 'fixed'], false)),
          ...optional('lastAffected', this.text([...rangeAt, 'lastAffected'], false)),
          ...(this.doc.getIn([...rangeAt, 'versions']) === undefined ? {} : { versions: this.texts([...rangeAt, 'versions']) }),
        };
        const bad = scheme === undefined ? undefined : badRangeBound(range, scheme);
        if (bad !== undefined) this.fail(rangeAt, `${JSON.stringify(bad)} is not a ${scheme} version`);
        affected.push(range);
      });
    }
    const samplesAt = [...at, 'samples'];
    let samples: AdvisoryVulnerability['samples'] | undefined;
    if (!isMap(this.doc.getIn(samplesAt, true))) this.fail(samplesAt, 'samples is required: a mapping of affected and unaffected versions');
    else {
      this.unknownKeys(samplesAt, ['affected', 'unaffected']);
      samples = { affected: this.texts([...samplesAt, 'affected']), unaffected: this.texts([...samplesAt, 'unaffected']) };
      if (samples.affected.length === 0 || samples.unaffected.length === 0) this.fail(samplesAt, 'samples lists at least one affected and one unaffected version');
      const bad = scheme === undefined ? undefined : [...samples.affected, ...samples.unaffected].find((v) => badRangeBound({ fixed: v }, scheme) !== undefined);
      if (bad !== undefined) this.fail(samplesAt, `sample ${JSON.stringify(bad)} is not a ${scheme} version`);
    }
    if (id === undefined || title === undefined || fixed === undefined || remediation === undefined || severity === undefined || samples === undefined) return undefined;
    return { id, cves, title, severity, affected, fixed, samples, remediation, references: this.texts([...at, 'references']), ...optional('endOfSupport', endOfSupport), ...optional('note', note) };
  }

  private text(at: Path, required: boolean): string | undefined {
    const value = this.doc.getIn(at);
    if (value === undefined || value === null) {
      if (required) this.fail(at.slice(0, -1), `${String(at[at.length - 1])} is required`);
      return undefined;
    }
    // YAML reads 2.10 as the number 2.1: a version written without quotes is never what the author meant.
    if (typeof value === 'number') {
      this.fail(at, `${String(at[at.length - 1])} is text: write ${String(value)} in quotes`);
      return undefined;
    }
    if (typeof value !== 'string' || value.trim() === '') {
      this.fail(at, `${String(at[at.length - 1])} is text`);
      return undefined;
    }
    return value.trim();
  }

  private texts(at: Path): string[] {
    const node = this.doc.getIn(at, true);
    if (node === undefined) return [];
    if (!isSeq(node)) {
      this.fail(at, `${String(at[at.length - 1])} is a list of text`);
      return [];
    }
    const values: string[] = [];
    node.items.forEach((_, i) => {
      const value = this.text([...at, i], true);
      if (value !== undefined) values.push(value);
    });
    return values;
  }

  private unknownKeys(at: Path, known: readonly string[]): void {
    const node = at.length === 0 ? this.doc.contents : this.doc.getIn(at, true);
    if (!isMap(node)) return;
    for (const pair of node.items) {
      const key = String((pair.key as { value?: unknown } | null)?.value ?? pair.key);
      if (!known.includes(key)) this.fail([...at, key], `unknown key ${JSON.stringify(key)} (known: ${known.join(', ')})`);
    }
  }

  private line(at: Path): number {
    const node = at.length === 0 ? this.doc.contents : this.doc.getIn(at, true);
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    return this.lineAt(range?.[0]);
  }

  private fail(at: Path, message: string): void {
    // Point at the deepest node that exists, so a missing key names the mapping it is missing from.
    let path = [...at];
    while (path.length > 0 && this.doc.getIn(path, true) === undefined) path = path.slice(0, -1);
    this.out.push({ code: 'advisory.shape', message: `${this.file}: ${message}.`, path: this.file, line: this.line(path) });
  }
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}
