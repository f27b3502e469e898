import { configAuditAnalyzer } from './config-audit/config-audit-analyzer.js';
import { inventoryVulnsAnalyzer } from './inventory-vulns/inventory-vulns-analyzer.js';
import { httpProbeAnalyzer } from './http-probe/http-probe-analyzer.js';
import { weblogAnalyzer } from './weblog/weblog-analyzer.js';
import { webrootSweepAnalyzer } from './webroot-sweep/webroot-sweep-analyzer.js';
import { eventlogAnalyzer } from './eventlog/eventlog-analyzer.js';

/** Every built-in analyzer by id; adding one is one folder plus one line here. */
export const BUILTIN_ANALYZERS = {
  weblog: weblogAnalyzer,
  configAudit: configAuditAnalyzer,
  inventoryVulns: inventoryVulnsAnalyzer,
  webrootSweep: webrootSweepAnalyzer,
  httpProbe: httpProbeAnalyzer,
  eventlog: eventlogAnalyzer,
} as const;
