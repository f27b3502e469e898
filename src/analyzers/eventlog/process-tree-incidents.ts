import type { Asset } from '../../core/asset.js';
import type { Evidence } from '../../core/evidence.js';
import type { FindingDraft } from '../../core/finding-draft.js';
import type { RuleMeta } from '../../core/rule-meta.js';
import { severityRank, type Severity } from '../../core/severity.js';
import { hostAssetId } from './event-record-fields.js';

/** What the correlation keeps of one event: small, so a large log costs little memory. */
export interface TreeEvent {
  readonly host: string;
  readonly time: number;
  /** The process the event is about (Sysmon ProcessGuid, or `pid:` + Security's NewProcessId). */
  readonly process: string;
  /** Its parent, for process creations. */
  readonly parent?: string;
  readonly image?: string;
  readonly parentImage?: string;
  /** The account the process runs as (Sysmon `User`), for process creations. */
  readonly user?: string;
  readonly evidence: Evidence;
  /** Rules the event matched (title, severity, tags). */
  readonly matches: readonly Pick<RuleMeta, 'id' | 'title' | 'severity' | 'tags'>[];
}

/** The incident rule: a process tree rooted at `w3wp.exe` that did something a rule flags. */
export const INCIDENT_RULE: RuleMeta = {
  id: 'w3g-evt-incident-w3wp-tree',
  title: 'Incident: suspicious activity in a process tree started by the IIS worker process (w3wp.exe)',
  description:
    'Events that share a process tree rooted at w3wp.exe (ProcessGuid / ParentProcessGuid), within the correlation window, with at least one detection: read as one story, web shell to reconnaissance to privilege escalation to credential dumping.',
  severity: 'high',
  confidence: 'firm',
  engine: 'behavior',
  category: 'incident',
  tags: ['attack.t1505.003', 'attack.persistence'],
  references: ['https://www.microsoft.com/en-us/security/blog/2022/07/26/malicious-iis-extensions-quietly-open-persistent-backdoors-into-servers/'],
  remediation: 'Isolate the server, keep the evidence, find the web shell or module the worker process ran, reset the credentials the tree could reach.',
};

/** The incident rule for a service identity's process tree that reaches SYSTEM: the potato shape. */
export const ESCALATION_INCIDENT_RULE: RuleMeta = {
  id: 'w3g-evt-incident-service-to-system',
  title: 'Incident: a process tree started under a service identity (IIS app pool, NETWORK SERVICE, LOCAL SERVICE) runs a process as SYSTEM',
  description:
    'Events that share a process tree whose top process runs as an IIS application pool identity, NETWORK SERVICE or LOCAL SERVICE, where a descendant runs as SYSTEM, within the correlation window, with at least one detection: the SeImpersonate ("potato") escalation a web shell uses to leave the worker process identity.',
  severity: 'high',
  confidence: 'firm',
  engine: 'behavior',
  category: 'incident',
  tags: ['attack.privilege-escalation', 'attack.t1134.001'],
  references: ['https://github.com/ohpe/juicy-potato', 'https://github.com/itm4n/PrintSpoofer'],
  remediation: 'Isolate the server, find what gave the service identity code execution (a web shell, xp_cmdshell, a vulnerable service), remove SeImpersonatePrivilege where it is not needed, reset the credentials SYSTEM could reach.',
};

/** Identities IIS application pools and network services run as; a child of theirs running as SYSTEM has escalated. */
const SERVICE_IDENTITY = /^(iis apppool\\.+|nt authority\\(network|local) service)$/i;
const SYSTEM_IDENTITY = /^(nt authority\\system|s-1-5-18)$/i;

/** Bounds: processes remembered per run, events per incident. */
const MAX_PROCESSES = 200_000;
const MAX_EVENTS = 200_000;

const STAGES: readonly [RegExp, string][] = [
  [/^attack\.t1505/, 'web shell'],
  [/^attack\.(discovery|t1082|t1016|t1033|t1087)/, 'reconnaissance'],
  [/^attack\.(command[-_]and[-_]control|t1105)/, 'download'],
  [/^attack\.privilege[-_]escalation/, 'privilege escalation'],
  [/^attack\.credential[-_]access/, 'credential dumping'],
  [/^attack\.(persistence|t1574)/, 'persistence'],
  [/^attack\.defense[-_]evasion/, 'defense evasion'],
  [/^attack\.(execution|t1059)/, 'execution'],
];

const STAGE_ORDER = STAGES.map(([, stage]) => stage);

function stageOf(tags: readonly string[]): string | undefined {
  for (const [pattern, stage] of STAGES) if (tags.some((t) => pattern.test(t))) return stage;
  return undefined;
}

/**
 * Server processes that run code reached from the network: the IIS worker process first, and SQL Server,
 * whose xp_cmdshell gives the same foothold. A shell below either is how a web shell shows in event logs.
 */
function isServerRoot(image: string | undefined): boolean {
  return image !== undefined && /(^|\\)(w3wp|sqlservr)\.exe$/i.test(image);
}

/** Collects tree-relevant events while records stream, then groups them into incidents. */
export class ProcessTreeCorrelator {
  private readonly events: TreeEvent[] = [];
  private dropped = 0;

  constructor(private readonly windowMs: number) {}

  add(event: TreeEvent): void {
    if (this.events.length >= MAX_EVENTS) {
      this.dropped += 1;
      return;
    }
    this.events.push(event);
  }

  /** Events not kept once the bound was reached (reported as an issue). */
  get droppedEvents(): number {
    return this.dropped;
  }

  /** One finding draft per evidence item of each incident, in time order (the first record first). */
  incidents(): FindingDraft[] {
    const events = [...this.events].sort((a, b) => a.time - b.time || (a.evidence.recordId ?? 0) - (b.evidence.recordId ?? 0));
    // process key → the w3wp.exe root it descends from
    const rootOf = new Map<string, string>();
    // Roots of service-identity trees (the others are server roots), and those of them that reached SYSTEM.
    const serviceRoots = new Set<string>();
    const reachedSystem = new Set<string>();
    const key = (host: string, process: string): string => `${host}\u0000${process}`;
    for (const e of events) {
      if (e.parent === undefined) continue;
      if (rootOf.size >= MAX_PROCESSES) break;
      const self = key(e.host, e.process);
      if (isServerRoot(e.image)) rootOf.set(self, self);
      else if (isServerRoot(e.parentImage)) rootOf.set(self, key(e.host, e.parent));
      else {
        const root = rootOf.get(key(e.host, e.parent));
        if (root !== undefined) rootOf.set(self, root);
        else if (e.user !== undefined && SERVICE_IDENTITY.test(e.user)) {
          rootOf.set(self, self);
          serviceRoots.add(self);
        }
      }
      const root = rootOf.get(self);
      if (root !== undefined && serviceRoots.has(root) && e.user !== undefined && SYSTEM_IDENTITY.test(e.user)) reachedSystem.add(root);
    }
    interface Incident {
      readonly root: string;
      readonly host: string;
      start: number;
      end: number;
      readonly members: TreeEvent[];
    }
    const open = new Map<string, Incident>();
    const done: Incident[] = [];
    for (const e of events) {
      const root = rootOf.get(key(e.host, e.process)) ?? (e.parent === undefined ? undefined : rootOf.get(key(e.host, e.parent)));
      if (root === undefined) continue;
      let incident = open.get(root);
      if (incident !== undefined && e.time - incident.end > this.windowMs) {
        done.push(incident);
        incident = undefined;
      }
      if (incident === undefined) {
        incident = { root, host: e.host, start: e.time, end: e.time, members: [] };
        open.set(root, incident);
      }
      incident.end = e.time;
      incident.members.push(e);
    }
    done.push(...open.values());
    const drafts: FindingDraft[] = [];
    for (const incident of done.sort((a, b) => a.start - b.start)) {
      const matched = incident.members.filter((m) => m.matches.length > 0);
      if (matched.length === 0) continue;
      // A service identity's tree is an incident only once it runs something as SYSTEM.
      const service = serviceRoots.has(incident.root);
      if (service && !reachedSystem.has(incident.root)) continue;
      const base = service ? ESCALATION_INCIDENT_RULE : INCIDENT_RULE;
      let severity: Severity = base.severity;
      const stages: string[] = [];
      const titles: string[] = [];
      for (const m of matched) {
        // Stages met by one event are told in the story's own order (a shell running whoami is web shell, then reconnaissance).
        const here: string[] = [];
        for (const rule of m.matches) {
          if (severityRank(rule.severity) > severityRank(severity)) severity = rule.severity;
          const stage = stageOf(rule.tags);
          if (stage !== undefined) here.push(stage);
          if (!titles.includes(rule.title)) titles.push(rule.title);
        }
        here.sort((a, b) => STAGE_ORDER.indexOf(a) - STAGE_ORDER.indexOf(b));
        for (const stage of here) if (!stages.includes(stage)) stages.push(stage);
      }
      // Several stages in one tree are a story, not a single event: at least critical.
      if (stages.length >= 3) severity = 'critical';
      const rule: RuleMeta = {
        ...base,
        severity,
        description: `${base.description} This tree: ${stages.length > 0 ? stages.join(' → ') : 'suspicious activity'} (${titles.slice(0, 8).join('; ')}).`,
      };
      const asset: Asset = { id: hostAssetId(incident.host), kind: 'host', ...(incident.host === '' ? {} : { name: incident.host }) };
      const locationKey = `${incident.root.split('\u0000')[1] ?? ''}@${new Date(incident.start).toISOString()}`;
      for (const m of incident.members) {
        // The tree's process creations give the shape; flagged events say what went wrong.
        if (m.parent === undefined && m.matches.length === 0) continue;
        const flag = m.matches.length > 0 ? `[${m.matches.map((r) => r.title).join('; ')}] ` : '';
        drafts.push({ rule, asset, locationKey, evidence: { ...m.evidence, text: `${flag}${m.evidence.text ?? ''}` } });
      }
    }
    return drafts;
  }
}
