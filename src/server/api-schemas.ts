/**
 * JSON Schemas shared by the API's routes. Responses are serialised through them, so a property not declared
 * here never leaves the server (a password hash, a token digest): declare only what a client may see.
 */

/** `{"error": {"code", "message"}}`, the answer of every failure. */
export const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
} as const;

/** A route's answers: the successful ones given, and the error shape for every failure status. */
export function responses<T extends Record<number, unknown>>(ok: T): T & Record<number, unknown> {
  const errors: Record<number, unknown> = {};
  for (const status of [400, 401, 403, 404, 405, 409, 413, 415, 429, 500, 503]) errors[status] = errorSchema;
  return { ...errors, ...ok };
}

const strings = { type: 'array', items: { type: 'string' } } as const;

const evidenceSchema = {
  type: 'object',
  properties: {
    kind: { type: 'string' },
    file: { type: 'string' },
    line: { type: 'integer' },
    path: { type: 'string' },
    url: { type: 'string' },
    recordId: { type: 'integer' },
    text: { type: 'string' },
    time: { type: 'number' },
  },
} as const;

const prioritySchema = {
  type: 'object',
  properties: {
    label: { type: 'string' },
    score: { type: 'number' },
    dueAt: { type: 'string' },
    confidence: { type: 'number' },
    ssvcCisa: { type: 'string' },
    decision: {
      type: 'object',
      properties: { table: { type: 'string' }, row: { type: 'integer' }, inputs: { type: 'object', additionalProperties: { type: ['string', 'boolean'] } } },
    },
    modifiers: { type: 'array', items: { type: 'object', properties: { rule: { type: 'string' }, effect: { type: 'string' }, evidence: strings } } },
    inputs: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          value: { type: ['string', 'number', 'boolean', 'null'] },
          source: { type: 'string' },
          asOf: { type: 'string' },
          assumed: { type: 'boolean' },
          detail: { type: 'string' },
        },
      },
    },
  },
} as const;

/** Triage states in the CycloneDX analysis vocabulary. */
export const triageStateSchema = { type: 'string', enum: ['in_triage', 'exploitable', 'resolved', 'false_positive', 'not_affected'] } as const;

/** The `finding` of finding-report.schema.json, with its lifecycle status, priority, risk, suppression and triage. */
export const findingSchema = {
  type: 'object',
  required: ['fingerprint', 'ruleId', 'title', 'severity', 'asset', 'status'],
  properties: {
    fingerprint: { type: 'string' },
    ruleId: { type: 'string' },
    engine: { type: 'string' },
    title: { type: 'string' },
    description: { type: 'string' },
    severity: { type: 'string' },
    confidence: { type: 'string' },
    risk: { type: 'number' },
    category: { type: 'string' },
    asset: { type: 'string' },
    locationKey: { type: 'string' },
    tags: strings,
    references: strings,
    remediation: { type: 'string' },
    occurrences: { type: 'integer' },
    firstSeen: { type: 'string' },
    lastSeen: { type: 'string' },
    evidence: { type: 'array', items: evidenceSchema },
    status: { type: 'string', enum: ['new', 'open', 'fixed', 'reopened'] },
    priority: prioritySchema,
    related: strings,
    suppressed: { type: 'boolean' },
    suppression: { type: 'object', properties: { reason: { type: 'string' }, until: { type: 'string' }, by: { type: 'string' } } },
    triage: {
      type: 'object',
      properties: { state: triageStateSchema, justification: { type: 'string' }, comment: { type: 'string' }, by: { type: 'string' }, at: { type: 'string' } },
    },
    firstRecorded: { type: 'string', description: 'when a recorded run first found it' },
    lastRecorded: { type: 'string', description: 'when a recorded run last found it' },
    fixedAt: { type: 'string' },
  },
} as const;

/**
 * A finding as the list carries it: the columns a list shows and what identifies it, without evidence,
 * description or priority inputs (GET /api/v1/findings/{fingerprint} and the exports give those).
 */
const { fingerprint, ruleId, engine, title, severity, confidence, risk, category, asset, locationKey, occurrences, status, suppressed, triage, firstRecorded, lastRecorded, fixedAt } = findingSchema.properties;

export const findingSummarySchema = {
  type: 'object',
  required: findingSchema.required,
  properties: {
    ...{ fingerprint, ruleId, engine, title, severity, confidence, risk, category, asset, locationKey, occurrences, status, suppressed, triage },
    priority: { type: 'object', properties: { label: { type: 'string' }, dueAt: { type: 'string' } } },
    ...{ firstRecorded, lastRecorded, fixedAt },
  },
} as const;

/** One change in a finding's history: a run's status change, a suppression, or a triage (`triage:STATE`). */
export const historyEntrySchema = {
  type: 'object',
  properties: {
    at: { type: 'string' },
    actor: { type: 'string', description: 'who; absent for a run' },
    from: { type: 'string' },
    to: { type: 'string' },
    note: { type: 'string' },
    runId: { type: 'integer' },
  },
} as const;

export const roleSchema = { type: 'string', enum: ['viewer', 'operator', 'admin'] } as const;

export const userSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    role: roleSchema,
    disabled: { type: 'boolean' },
    lockedUntil: { type: 'string' },
    createdAt: { type: 'string' },
    changedAt: { type: 'string' },
    mfa: { type: 'boolean', description: 'whether sign-in asks for a TOTP code' },
    assets: { type: 'array', items: { type: 'string' }, description: 'asset prefixes the user may see; absent: every asset' },
  },
} as const;

/** Asset prefixes (`HOST`, `HOST/W3SVC2`): findings of assets equal to or under one of them. */
export const assetScopeSchema = { type: 'array', minItems: 1, maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 1000 } } as const;

export const tokenSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    role: roleSchema,
    createdBy: { type: 'string' },
    createdAt: { type: 'string' },
    expiresAt: { type: 'string' },
    lastUsedAt: { type: 'string' },
    revokedAt: { type: 'string' },
    assets: { type: 'array', items: { type: 'string' }, description: 'asset prefixes the token may see and push; absent: every asset' },
  },
} as const;

export const auditEntrySchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    at: { type: 'string' },
    actor: { type: 'string' },
    action: { type: 'string' },
    target: { type: 'string' },
    detail: { type: 'object', additionalProperties: true },
    ip: { type: 'string' },
  },
} as const;

/** The form of the `openedIn` and `fixedIn` filters: two UTC days, an ISO 8601 interval. */
const DAY_RANGE_PATTERN = '^\\d{4}-\\d{2}-\\d{2}/\\d{4}-\\d{2}-\\d{2}$';

/** The findings list's filters, as `GET /api/v1/findings`, its export and bulk changes take them. */
export const findingFilterProperties = {
  status: { type: 'string', enum: ['new', 'open', 'fixed', 'reopened', 'suppressed', 'all'], description: 'default: everything not fixed and not suppressed' },
  label: { type: 'string', enum: ['incident', '3d-forensic', '3d', '14d', '60d', 'next-upgrade', 'none'], description: '`none`: not prioritized' },
  severity: { type: 'string', enum: ['info', 'low', 'medium', 'high', 'critical'] },
  asset: { type: 'string', maxLength: 1000 },
  rule: { type: 'string', maxLength: 300 },
  q: { type: 'string', maxLength: 200, description: 'text within the title, rule or asset (case-insensitive)' },
  openedIn: { type: 'string', pattern: DAY_RANGE_PATTERN, description: '`YYYY-MM-DD/YYYY-MM-DD` (UTC days, end exclusive): became new or were reopened then' },
  fixedIn: { type: 'string', pattern: DAY_RANGE_PATTERN, description: '`YYYY-MM-DD/YYYY-MM-DD` (UTC days, end exclusive): were fixed then' },
} as const;
