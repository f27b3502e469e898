import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { InputSummary } from '../../core/artifact.js';
import type { Analyzer, AnalyzerContext, AnalyzerResult } from '../../core/analyzer.js';
import type { Asset } from '../../core/asset.js';
import { FindingAggregator } from '../../core/finding-aggregator.js';
import type { RuleMeta } from '../../core/rule-meta.js';
import type { ScanIssue } from '../../core/scan-issue.js';
import type { YaraSource } from '../../engines/yara/yara-engine.js';
import { walkFiles, type WalkedFile } from '../../targets/walk-files.js';
import { binaryKind, isScriptOrBinary, judgeAfterDeployment, judgePairs, judgePlacement, PLACEMENT_RULES, zoneOf, type PlacedFile } from './placement-rules.js';
import type { FileScan } from './scan-file.js';
import { describeChange, DRIFT_RULES, type Baseline, type BaselineEntry } from './sweep-baseline.js';
import { SweepPool } from './sweep-pool.js';
import { declaredYaraRuleIds, yaraRuleMeta } from './yara-rule-meta.js';

/** One folder to sweep and what it belongs to. */
export interface SweepRoot {
  readonly path: string;
  readonly asset: Asset;
}

/** Everything one sweep needs. */
export interface SweepInput {
  readonly roots: readonly SweepRoot[];
  /** Rule files that compiled on their own (see `checkYaraSources`). */
  readonly yara: readonly YaraSource[];
  readonly maxFileSize: number;
  /** Worker threads (0: scan on this thread). */
  readonly threads: number;
  /** The previous baseline, to report drift against; `record` asks for the current state to be returned. */
  readonly baseline?: { readonly previous?: Baseline; readonly record: boolean };
}

/** The result of a sweep: findings, and the current state when a baseline was asked for. */
export interface SweepResult extends AnalyzerResult {
  readonly current?: Record<string, BaselineEntry>;
  readonly files: number;
}

const BATCH = 64;
/** Most files kept for the folder-level rules (pairs, deployment time); past that they are not judged. */
const MAX_CANDIDATES = 100_000;

/** Sweeps web roots, temp and ProgramData folders: YARA, placement rules and drift against a baseline. */
export const webrootSweepAnalyzer = {
  id: 'webroot-sweep',
  version: '1',
  description: 'web shells, dropped binaries and drift in web roots, temp and ProgramData folders',
  async run(input: SweepInput, context: AnalyzerContext): Promise<SweepResult> {
    const aggregator = new FindingAggregator(context.evidenceCap);
    const issues: ScanIssue[] = [];
    const inputs: InputSummary[] = [];
    const rules = new Map<string, RuleMeta>();
    const current: Record<string, BaselineEntry> | undefined = input.baseline === undefined ? undefined : {};
    const pool = new SweepPool(input.threads, { sources: input.yara, maxBytes: input.maxFileSize, hash: input.baseline !== undefined });
    let files = 0;
    let matches = 0;
    let bytes = 0;
    // Assets a root of which was not swept to the end (an unreadable file or folder, a file scanned in part, a
    // capped folder rule): the store must not close anything there on the strength of this run.
    const incomplete = new Set<string>();
    const add = (rule: RuleMeta, asset: Asset, file: PlacedFile, text: string): void => {
      rules.set(rule.id, rule);
      matches += 1;
      aggregator.add({ rule, asset, locationKey: file.path, evidence: { kind: 'file', path: file.path, text, time: Math.round(file.mtimeMs) } });
    };
    try {
      for (const root of input.roots) {
        const summary = { kind: 'web-file' as const, path: root.path, records: 0, skipped: 0, bytes: 0 };
        inputs.push(summary);
        const issuesBefore = issues.length;
        const deployedMs = await deploymentTime(root.path);
        const grouped = new Map<string, PlacedFile[]>();
        const lateCandidates: PlacedFile[] = [];
        const inFlight = new Set<Promise<void>>();
        let batch: WalkedFile[] = [];
        const judge = (file: WalkedFile, scan: FileScan): void => {
          if (scan.error !== undefined) {
            summary.skipped += 1;
            issues.push({ code: 'sweep.unreadable', message: scan.error, path: file.path });
            return;
          }
          summary.records += 1;
          summary.bytes += scan.scannedBytes;
          bytes += scan.scannedBytes;
          files += 1;
          if (scan.yaraError !== undefined) issues.push({ code: 'sweep.yara-error', message: scan.yaraError, path: file.path });
          if (scan.truncated) issues.push({ code: 'sweep.file-truncated', message: `file of ${file.size} bytes: only the first ${input.maxFileSize} were scanned and hashed`, path: file.path });
          const placed: PlacedFile = { ...file, head: scan.head, ...(scan.scriptHosts === undefined ? {} : { scriptHosts: scan.scriptHosts }) };
          for (const match of scan.matches) add(yaraRuleMeta(match), root.asset, placed, `YARA ${match.rule}: ${match.patterns.slice(0, 8).join(' ')}`);
          for (const hit of judgePlacement(placed)) add(hit.rule, root.asset, placed, hit.text);
          const zone = zoneOf(file.path);
          if (zone !== 'content' && binaryKind(placed) !== undefined && lateCandidates.length + grouped.size < MAX_CANDIDATES) {
            const folder = path.dirname(file.path);
            const list = grouped.get(folder) ?? [];
            list.push(placed);
            grouped.set(folder, list);
          }
          if (zone === 'content' && deployedMs !== undefined && isScriptOrBinary(placed) && !/(^|\/)bin\//i.test(file.relative) && lateCandidates.length < MAX_CANDIDATES) {
            lateCandidates.push(placed);
          }
          if (current !== undefined && scan.sha256 !== undefined) {
            current[file.path] = { size: file.size, sha256: scan.sha256, mtime: new Date(file.mtimeMs).toISOString(), ...(file.birthtimeMs > 0 ? { birthtime: new Date(file.birthtimeMs).toISOString() } : {}) };
          }
          context.onProgress?.({ bytes, records: files, matches });
        };
        const flush = async (): Promise<void> => {
          if (batch.length === 0) return;
          const sent = batch;
          batch = [];
          const job = pool.scan(sent.map((f) => ({ path: f.path, size: f.size }))).then((results) => {
            results.forEach((scan, i) => judge(sent[i] as WalkedFile, scan));
          });
          const tracked = job.finally(() => inFlight.delete(tracked));
          inFlight.add(tracked);
          // Back-pressure: the walk waits while every worker has work queued.
          while (inFlight.size >= pool.capacity) await Promise.race(inFlight);
        };
        try {
          for await (const file of walkFiles(root.path, { signal: context.signal, onIssue: (issue) => issues.push(issue) })) {
            batch.push(file);
            if (batch.length >= BATCH) await flush();
          }
        } catch (error) {
          if (context.signal.aborted) throw error;
          issues.push({ code: 'sweep.unreadable', message: error instanceof Error ? error.message : String(error), path: root.path });
        }
        await flush();
        await Promise.all(inFlight);
        for (const binaries of grouped.values()) {
          for (const { file, hit } of judgePairs(binaries)) add(hit.rule, root.asset, file, hit.text);
        }
        if (deployedMs !== undefined) {
          for (const { file, hit } of judgeAfterDeployment(lateCandidates, deployedMs)) add(hit.rule, root.asset, file, hit.text);
        }
        if (issues.length > issuesBefore || lateCandidates.length + grouped.size >= MAX_CANDIDATES) incomplete.add(root.asset.id);
      }
    } finally {
      await pool.close();
    }
    if (input.baseline?.previous !== undefined && current !== undefined) {
      const swept = input.roots.map((r) => r.path);
      driftDrafts(input.baseline.previous, current, swept, (rule, asset, filePath, text, time) => {
        rules.set(rule.id, rule);
        aggregator.add({ rule, asset, locationKey: filePath, evidence: { kind: 'file', path: filePath, text, ...(time === undefined ? {} : { time }) } });
      }, input.roots);
    }
    // Every rule ran on every file of a root swept to the end; drift rules only against a baseline.
    const covered = [
      ...Object.values(PLACEMENT_RULES).map((r) => r.id),
      ...declaredYaraRuleIds(input.yara),
      ...(input.baseline?.previous === undefined ? [] : Object.values(DRIFT_RULES).map((r) => r.id)),
    ];
    const assets = [...new Set(input.roots.map((r) => r.asset.id))].filter((id) => !incomplete.has(id)).sort();
    return {
      groups: aggregator.groups(),
      inputs,
      issues,
      coverage: covered.flatMap((ruleId) => assets.map((asset) => ({ ruleId, asset }))),
      rules: [...rules.values(), ...Object.values(PLACEMENT_RULES).filter((r) => !rules.has(r.id))].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
      files,
      ...(current === undefined ? {} : { current }),
    };
  },
} satisfies Analyzer<SweepInput>;

/** The site's last deployment: the newest modification time of the files directly in its bin/ folder. */
async function deploymentTime(root: string): Promise<number | undefined> {
  let names: string[];
  try {
    const entries = await readdir(root);
    const bin = entries.find((n) => n.toLowerCase() === 'bin');
    if (bin === undefined) return undefined;
    names = (await readdir(path.join(root, bin))).map((n) => path.join(root, bin, n));
  } catch {
    return undefined;
  }
  let newest: number | undefined;
  for (const name of names.slice(0, 10_000)) {
    const info = await stat(name).catch(() => undefined);
    if (info?.isFile() === true) newest = Math.max(newest ?? 0, info.mtimeMs);
  }
  return newest;
}

function driftDrafts(
  previous: Baseline,
  current: Readonly<Record<string, BaselineEntry>>,
  swept: readonly string[],
  add: (rule: RuleMeta, asset: Asset, filePath: string, text: string, time: number | undefined) => void,
  roots: readonly SweepRoot[],
): void {
  const assetOf = (filePath: string): Asset => {
    const root = roots.find((r) => filePath === r.path || filePath.startsWith(r.path.endsWith(path.sep) ? r.path : r.path + path.sep));
    return root?.asset ?? (roots[0] as SweepRoot).asset;
  };
  const isCode = (filePath: string): boolean => isScriptOrBinary({ path: filePath, head: new Uint8Array(0) });
  for (const [filePath, now] of Object.entries(current).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const before = previous.files[filePath];
    const time = Date.parse(now.mtime);
    if (before === undefined) {
      add(isCode(filePath) ? DRIFT_RULES.newCode : DRIFT_RULES.newFile, assetOf(filePath), filePath, `new file: ${now.size} bytes, SHA-256 ${now.sha256.slice(0, 12)}…, modified ${now.mtime}`, time);
      continue;
    }
    const change = describeChange(before, now);
    if (change === undefined) continue;
    const contentChanged = before.sha256 !== now.sha256 || before.size !== now.size;
    add(contentChanged && isCode(filePath) ? DRIFT_RULES.changedCode : DRIFT_RULES.changedFile, assetOf(filePath), filePath, `changed: ${change}`, time);
  }
  // Only files under the folders swept this time can be missing; a baseline of other folders says nothing here.
  const within = (filePath: string): boolean => swept.some((r) => filePath === r || filePath.startsWith(r.endsWith(path.sep) ? r : r + path.sep));
  for (const [filePath, before] of Object.entries(previous.files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (current[filePath] !== undefined || !within(filePath)) continue;
    add(DRIFT_RULES.removed, assetOf(filePath), filePath, `removed: was ${before.size} bytes, SHA-256 ${before.sha256.slice(0, 12)}…, modified ${before.mtime}`, undefined);
  }
}

