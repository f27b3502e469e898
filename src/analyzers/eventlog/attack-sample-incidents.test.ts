import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { eventlogAnalyzer } from './eventlog-analyzer.js';
import { ESCALATION_INCIDENT_RULE, INCIDENT_RULE } from './process-tree-incidents.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const samples = path.resolve(repoRoot, '..', 'shared', 'eval', 'evtx', 'evtx-attack-samples');
/** SigmaHQ's rule for shells under SQL Server: w3guard's own content watches w3wp.exe only. */
const sqlServerRule = path.resolve(repoRoot, '..', 'shared', 'eval', 'sigma', 'rules', 'windows', 'process_creation', 'proc_creation_win_mssql_susp_child_process.yml');

/** Incidents w3guard's own content finds in the given sample files, by rule, with the file names of their evidence. */
async function incidentsIn(files: readonly string[], sigmaPaths: readonly string[] = []): Promise<{ rule: string; severity: string; files: string[]; description: string }[]> {
  const sources = files.map((f) => {
    const p = path.join(samples, f);
    return { path: p, size: statSync(p).size };
  });
  const result = await eventlogAnalyzer.run(
    { sources, threads: 1, correlationWindowMs: 3_600_000, settings: { rules: { content: true, sigmaPaths }, evidenceCap: 50 } },
    { signal: new AbortController().signal, evidenceCap: 50 },
  );
  return result.groups
    .filter((g) => g.rule.category === 'incident')
    .map((g) => ({ rule: g.rule.id, severity: g.rule.severity, files: [...new Set(g.head.map((e) => path.basename(e.file ?? '')))], description: g.rule.description }))
    .sort((a, b) => (a.files[0] ?? '').localeCompare(b.files[0] ?? ''));
}

describe.skipIf(!existsSync(samples))('incidents on the EVTX attack samples', () => {
  it('a potato run by a service identity that reaches SYSTEM is one incident; the same tools run by a user or without SYSTEM are not', async () => {
    const found = await incidentsIn([
      'Privilege Escalation/EfsPotato_sysmon_17_18_privesc_seimpersonate_to_system.evtx',
      'Privilege Escalation/privesc_roguepotato_sysmon_17_18.evtx',
      // PrintSpoofer run by an administrator (IEUser, high integrity): no service identity, no incident.
      'Privilege Escalation/privesc_seimpersonate_tosys_spoolsv_sysmon_17_18.evtx',
    ]);
    expect(found.map((f) => [f.rule, f.files])).toEqual([
      [ESCALATION_INCIDENT_RULE.id, ['EfsPotato_sysmon_17_18_privesc_seimpersonate_to_system.evtx']],
      [ESCALATION_INCIDENT_RULE.id, ['privesc_roguepotato_sysmon_17_18.evtx']],
    ]);
    const efs = found[0];
    expect(efs?.severity).toBe('critical');
    expect(efs?.description).toMatch(/This tree: privilege escalation \(Potato privilege-escalation tool command line\)/);
  });

  it.skipIf(!existsSync(sqlServerRule))('a shell started by SQL Server (xp_cmdshell) is a server-process tree incident, as a web shell under w3wp.exe is', async () => {
    const found = await incidentsIn(['Lateral Movement/sysmon_1_exec_via_sql_xpcmdshell.evtx'], [sqlServerRule]);
    expect(found.map((f) => f.rule)).toEqual([INCIDENT_RULE.id]);
  });
});

describe.skipIf(existsSync(samples))('incidents on the EVTX attack samples (samples absent)', () => {
  it.skip(`needs the EVTX attack samples at ${samples}`, () => {});
});
