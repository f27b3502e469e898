import type { RuleMeta } from '../../core/rule-meta.js';
import type { ScanIssue } from '../../core/scan-issue.js';
import type { HttpTemplate, TemplateDiagnostic } from '../../engines/http-template/http-template.js';
import { runHttpTemplate } from '../../engines/http-template/run-http-template.js';
import type { SiteProbe } from './http-probe-analyzer.js';
import type { ProbeHit } from './probe-check.js';
import { excerpt } from './probe-check.js';

/** A template's rule metadata: its id, info block and tags (CVE ids become `cve.*` tags). */
export function templateRule(template: HttpTemplate): RuleMeta {
  return {
    id: template.id,
    title: template.name,
    description: template.description,
    severity: template.severity,
    confidence: 'firm',
    engine: 'http-template',
    category: template.tags[0] ?? 'template',
    tags: template.tags,
    references: template.references,
    ...(template.remediation === undefined ? {} : { remediation: template.remediation }),
  };
}

/** Template diagnostics as scan issues, with file and line. */
export function diagnosticIssues(diagnostics: readonly TemplateDiagnostic[]): ScanIssue[] {
  return diagnostics.map((d) => ({ code: d.code, message: `${d.fatal ? 'template not loaded: ' : ''}${d.message}`, path: d.file, ...(d.line === undefined ? {} : { line: d.line }) }));
}

/** Runs loaded templates against each site through the scan's client (same scope, limits and de-duplication). */
export function templateProbe(templates: readonly HttpTemplate[]): SiteProbe {
  const rules = new Map(templates.map((t) => [t.id, templateRule(t)]));
  return {
    rules: [...rules.values()],
    async run(context) {
      const hits: ProbeHit[] = [];
      const issues: ScanIssue[] = [];
      const runs = await Promise.all(templates.map((template) => runHttpTemplate(template, context.base, context.client)));
      runs.forEach((run, i) => {
        const template = templates[i];
        const rule = template === undefined ? undefined : rules.get(template.id);
        if (template === undefined || rule === undefined) return;
        for (const result of run.results) {
          const detail = [result.matcherName === undefined ? 'matched' : `matched ${result.matcherName}`, ...(result.extracted.length > 0 ? [`extracted ${result.extracted.slice(0, 5).map((e) => excerpt(e, 80)).join(', ')}`] : [])].join('; ');
          hits.push({
            rule,
            locationKey: result.matcherName ?? new URL(result.url).pathname,
            evidence: { kind: 'http-exchange', url: result.url, text: `${result.request.method} ${result.url} -> ${result.status}; ${detail} (${template.file})`.slice(0, 600) },
          });
        }
        // Host-down and off-scope are reported once by the client; other failures are summarized per template.
        const own = run.errors.filter((e) => !/stopped answering|was not named/.test(e));
        if (own.length > 0) issues.push({ code: 'template.request-failed', message: `${context.base}: ${own.length} request(s) failed, first: ${excerpt(own[0] ?? '', 200)}`, path: template.file });
      });
      return { hits, issues };
    },
  };
}
