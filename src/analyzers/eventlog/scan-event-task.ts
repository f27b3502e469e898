import type { Evidence } from '../../core/evidence.js';
import { FindingAggregator } from '../../core/finding-aggregator.js';
import type { ScanIssue } from '../../core/scan-issue.js';
import { EvtxFormatError, readEvtxFile } from '../../formats/evtx/read-evtx-file.js';
import type { EventSettings, EventTask, EventTaskOutcome } from './event-task.js';
import { eventRecordFields, hostAssetId, type EventRecordFields } from './event-record-fields.js';
import type { EventRules } from './load-event-rules.js';
import type { TreeEvent } from './process-tree-incidents.js';

const SYSMON = 'microsoft-windows-sysmon/operational';
const MAX_TEXT = 1000;

/** Fields that tell an analyst what happened, in the order they are shown. */
const SHOWN = [
  'Image', 'NewProcessName', 'CommandLine', 'ParentImage', 'ParentProcessName', 'ParentCommandLine', 'User', 'SubjectUserName', 'TargetUserName',
  'IpAddress', 'LogonType', 'TargetFilename', 'ImageLoaded', 'Signed', 'SourceImage', 'TargetImage', 'PipeName', 'TargetObject', 'Details',
  'DestinationIp', 'DestinationPort', 'QueryName', 'ServiceName', 'ImagePath', 'ScriptBlockText', 'Payload', 'ModuleName', 'ConfigObject', 'NewValue',
];

/** A short, capped summary of the event for the evidence (still attacker-controlled text; reporters escape it). */
function summary(fields: EventRecordFields): string {
  const parts: string[] = [`${fields.channel} ${fields.eventId ?? '?'}`];
  for (const name of SHOWN) {
    const v = fields.text(name);
    if (v !== undefined) parts.push(`${name}=${v.length > 300 ? `${v.slice(0, 300)}…` : v}`);
  }
  if (parts.length === 1) {
    // Classic events (ASP.NET, IIS) carry unnamed Data: show what there is.
    const data = fields.field('Data');
    if (Array.isArray(data)) parts.push(data.filter((d) => d !== null).join(' | '));
    else if (data !== undefined && data !== null) parts.push(String(data));
  }
  const text = parts.join(' ');
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}

/** True for the events that name a parent process (Sysmon 1, Security 4688); `channel` in lower case. */
function createsProcess(channel: string, eventId: number | undefined): boolean {
  return (eventId === 1 && channel === SYSMON) || (eventId === 4688 && channel === 'security');
}

/** The process an event is about and its parent, for the process-tree correlation; `channel` in lower case. */
function processOf(fields: EventRecordFields, channel: string): { process?: string; parent?: string; image?: string; parentImage?: string; user?: string } {
  if (channel === SYSMON) {
    if (fields.eventId === 1) {
      return { process: fields.text('ProcessGuid'), parent: fields.text('ParentProcessGuid'), image: fields.text('Image'), parentImage: fields.text('ParentImage'), user: fields.text('User') };
    }
    if (fields.eventId === 8 || fields.eventId === 10) return { process: fields.text('SourceProcessGuid') ?? fields.text('SourceProcessGUID'), image: fields.text('SourceImage') };
    return { process: fields.text('ProcessGuid'), image: fields.text('Image') };
  }
  if (channel === 'security' && fields.eventId === 4688) {
    const pid = fields.text('NewProcessId');
    const ppid = fields.text('ProcessId');
    return { process: pid === undefined ? undefined : `pid:${pid}`, parent: ppid === undefined ? undefined : `pid:${ppid}`, image: fields.text('NewProcessName'), parentImage: fields.text('ParentProcessName') };
  }
  return {};
}

/** Reads one part of an EVTX file, runs the rules on every record, and keeps what the correlation needs. */
export async function scanEventTask(task: EventTask, rules: EventRules, settings: EventSettings, signal: AbortSignal, onRecords?: (records: number, matches: number) => void): Promise<EventTaskOutcome> {
  const aggregator = new FindingAggregator(settings.evidenceCap);
  const tree: TreeEvent[] = [];
  const issues: ScanIssue[] = [];
  let records = 0;
  let skipped = 0;
  let matches = 0;
  const hosts = new Set<string>();
  // Records come in runs of one computer and channel: the asset id is added, and the channel lower-cased,
  // once per run, not once per record.
  let lastComputer: string | undefined;
  let lastChannel: string | undefined;
  let channel = '';
  try {
    for await (const batch of readEvtxFile(task.path, signal, { from: task.from, to: task.to })) {
      let batchMatches = 0;
      let batchRecords = 0;
      for (const record of batch.records) {
        batchRecords += 1;
        const fields = eventRecordFields(record);
        if (settings.since !== undefined && fields.time < settings.since) continue;
        if (settings.until !== undefined && fields.time >= settings.until) continue;
        records += 1;
        if (fields.computer !== lastComputer) {
          lastComputer = fields.computer;
          hosts.add(hostAssetId(fields.computer));
        }
        const matched = rules.match(fields);
        if (fields.channel !== lastChannel) {
          lastChannel = fields.channel;
          channel = fields.channel.toLowerCase();
        }
        // A record no rule matched joins the process tree only as a process with a parent.
        if (matched.length === 0 && !createsProcess(channel, fields.eventId)) continue;
        const proc = processOf(fields, channel);
        if (matched.length === 0 && proc.parent === undefined) continue;
        const evidence: Evidence = { kind: 'event', file: task.path, recordId: record.recordId, time: fields.time, text: summary(fields) };
        const host = fields.computer;
        for (const rule of matched) {
          aggregator.add({
            rule: rule.meta,
            asset: { id: hostAssetId(host), kind: 'host', ...(host === '' ? {} : { name: host }) },
            locationKey: (fields.text('Image') ?? fields.text('NewProcessName') ?? fields.channel).toLowerCase(),
            evidence,
          });
        }
        batchMatches += matched.length;
        if (proc.process !== undefined) {
          tree.push({
            host,
            time: fields.time,
            process: proc.process,
            ...(proc.parent === undefined ? {} : { parent: proc.parent }),
            ...(proc.image === undefined ? {} : { image: proc.image }),
            ...(proc.parentImage === undefined ? {} : { parentImage: proc.parentImage }),
            ...(proc.user === undefined ? {} : { user: proc.user }),
            evidence,
            matches: matched.map((r) => ({ id: r.meta.id, title: r.meta.title, severity: r.meta.severity, tags: r.meta.tags })),
          });
        }
      }
      // Once its records are read: a record's damage is met on the way.
      for (const issue of batch.issues) {
        issues.push({ code: issue.code, message: `${issue.message} (offset ${issue.offset})`, path: task.path });
        if (issue.code === 'evtx.record-invalid' || issue.code === 'evtx.record-framing') skipped += 1;
      }
      matches += batchMatches;
      onRecords?.(batchRecords, batchMatches);
    }
  } catch (error) {
    if (error instanceof EvtxFormatError) return { groups: [], tree: [], issues: [{ code: error.code, message: error.message, path: task.path }], records: 0, skipped: 0, matches: 0, hosts: [], notEvtx: error.message };
    throw error;
  }
  return { groups: aggregator.groups(), tree, issues, records, skipped, matches, hosts: [...hosts] };
}
