import { Readable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import { csvCell } from '../../report/csv-reporter.js';
import { sarifReporter } from '../../report/sarif-reporter.js';
import { TOOL_VERSION } from '../../scan/tool-version.js';
import { pageFindings, type FindingFilter, type ListedFinding, type PageCursor } from '../../store/finding-page.js';
import { findingFilterProperties, responses } from '../api-schemas.js';
import { ApiError } from '../server-context.js';

/** Rows read from the store at a time: memory stays flat whatever the export's size. */
const BATCH = 500;
/** SARIF is one JSON document built whole by the report's own SARIF reporter, so its size is capped. */
export const SARIF_EXPORT_LIMIT = 20_000;

const CSV_HEADER = ['fingerprint', 'status', 'priority', 'risk', 'due', 'severity', 'rule_id', 'title', 'asset', 'location_key', 'first_recorded', 'last_recorded', 'triage', 'suppressed', 'file', 'line', 'evidence'] as const;

interface ExportQuery extends FindingFilter {
  readonly format: 'csv' | 'json' | 'sarif';
}

/** One finding as a CSV row: formula-neutralised cells (see csvCell), CRLF line end. */
function csvRow(finding: ListedFinding): string {
  const first = finding.evidence[0];
  const cells = [
    finding.fingerprint,
    finding.status ?? '',
    finding.priority?.label ?? '',
    finding.risk === undefined ? '' : String(finding.risk),
    finding.priority?.dueAt ?? '',
    finding.severity,
    finding.ruleId,
    finding.title,
    finding.asset,
    finding.locationKey,
    finding.firstRecorded ?? '',
    finding.lastRecorded ?? '',
    finding.triage?.state ?? '',
    finding.suppressed === true ? 'yes' : 'no',
    first?.file ?? first?.path ?? first?.url ?? '',
    first?.line === undefined ? '' : String(first.line),
    first?.text ?? '',
  ];
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/**
 * `GET /api/v1/findings/export`: exactly the findings the list shows for the same filters, in the same order,
 * streamed page by page (CSV or JSON), so a large export never holds the whole set in memory.
 */
export const exportRoutes: FastifyPluginAsync = async (app) => {
  const db = app.deps.store.database;
  app.get<{ Querystring: ExportQuery }>(
    '/api/v1/findings/export',
    {
      preValidation: app.needRole('viewer'),
      schema: {
        summary: 'Export the filtered findings as CSV, JSON or SARIF 2.1.0',
        tags: ['findings'],
        querystring: { type: 'object', additionalProperties: false, required: ['format'], properties: { ...findingFilterProperties, format: { type: 'string', enum: ['csv', 'json', 'sarif'] } } },
        response: responses({ 200: { description: 'CSV (RFC 4180), JSON `{"items":[Finding]}` or SARIF 2.1.0', type: 'string' } }),
      },
    },
    async (request, reply) => {
      const { format, ...filter } = request.query;
      const now = app.deps.now();
      // The same scope as the list: an export never holds a finding its reader could not page to.
      const scope = request.principal?.assets;
      async function* pages(): AsyncGenerator<ListedFinding[]> {
        let after: PageCursor | undefined;
        for (;;) {
          const page = await pageFindings(db, filter, { limit: BATCH, ...(after === undefined ? {} : { after }), now, ...(scope === undefined ? {} : { scope }) });
          yield page.items;
          if (page.next === undefined) return;
          after = page.next;
        }
      }
      async function* body(): AsyncGenerator<string> {
        if (format === 'csv') {
          yield `${CSV_HEADER.join(',')}\r\n`;
          for await (const items of pages()) yield items.map(csvRow).join('');
          return;
        }
        yield '{"items":[';
        let first = true;
        for await (const items of pages()) {
          for (const item of items) {
            yield `${first ? '' : ','}\n${JSON.stringify(item)}`;
            first = false;
          }
        }
        yield '\n]}\n';
      }
      const stamp = now.toISOString().slice(0, 10);
      if (format === 'sarif') {
        const findings: ListedFinding[] = [];
        for await (const items of pages()) {
          findings.push(...items);
          if (findings.length > SARIF_EXPORT_LIMIT) throw new ApiError(413, 'too-many', `A SARIF export holds at most ${SARIF_EXPORT_LIMIT} findings; narrow the filters or export CSV or JSON.`);
        }
        const at = now.toISOString();
        const sarif = sarifReporter.render({ tool: { name: 'w3guard', version: TOOL_VERSION }, command: 'export', startedAt: at, finishedAt: at, inputs: [], issues: [], findings, rules: [] }, { color: false });
        return reply
          .type('application/sarif+json; charset=utf-8')
          .header('content-disposition', `attachment; filename="w3guard-findings-${stamp}.sarif"`)
          .header('x-content-type-options', 'nosniff')
          .send(sarif);
      }
      void reply
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="w3guard-findings-${stamp}.${format}"`)
        .header('x-content-type-options', 'nosniff');
      return reply.send(Readable.from(body()));
    },
  );
};
