import { configAuditAnalyzer } from './config-audit/config-audit-analyzer.js';
import { weblogAnalyzer } from './weblog/weblog-analyzer.js';
import { eventlogAnalyzer } from './eventlog/eventlog-analyzer.js';

/** Every built-in analyzer by id; adding one is one folder plus one line here. */
export const BUILTIN_ANALYZERS = {
  weblog: weblogAnalyzer,
  configAudit: configAuditAnalyzer,
  eventlog: eventlogAnalyzer,
} as const;
