import { weblogAnalyzer } from './weblog/weblog-analyzer.js';

/** Every built-in analyzer by id; adding one is one folder plus one line here. */
export const BUILTIN_ANALYZERS = {
  weblog: weblogAnalyzer,
} as const;
