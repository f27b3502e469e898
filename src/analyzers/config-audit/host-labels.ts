import path from 'node:path';
import type { AuditSource } from './config-audit-analyzer.js';

/**
 * What each source is called in findings: a host root by its folder name (`FAB-WEB01`), a file by its path as
 * given. Host roots whose folder names collide are called by their paths instead, so they stay apart.
 */
export function hostLabels(sources: readonly AuditSource[]): string[] {
  const names = sources.map((source) => (source.kind === 'host-root' ? path.basename(path.resolve(source.path)) || source.path : source.path));
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name.toLowerCase(), (counts.get(name.toLowerCase()) ?? 0) + 1);
  return names.map((name, index) => ((counts.get(name.toLowerCase()) ?? 0) > 1 ? (sources[index]?.path ?? name) : name));
}
