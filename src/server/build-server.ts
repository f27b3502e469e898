import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import { TOOL_VERSION } from '../scan/tool-version.js';
import type { ListedFinding, TriageState } from '../store/finding-page.js';
import { answerError, answerNotFound } from './answer-error.js';
import { errorSchema, responses } from './api-schemas.js';
import { addAuthentication } from './authenticate.js';
import { accountRoutes } from './routes/account-routes.js';
import { findingRoutes } from './routes/finding-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { sessionRoutes } from './routes/session-routes.js';
import { ApiError, type ServerDeps } from './server-context.js';

/** Bodies above this are refused: 1 MiB everywhere but pushed reports. */
export const BODY_LIMIT = 1024 * 1024;
/** A pushed host report (`POST /api/v1/reports`) may be large. */
export const REPORT_BODY_LIMIT = 64 * 1024 * 1024;

/** How to build the server. */

/** Requests per minute one address may make across the API, unless `serve --rate-limit` says otherwise. */
export const DEFAULT_RATE_LIMIT = 600;
export interface BuildServerOptions {
  /** More route modules (scans, notifications), registered under the same authentication and error handling. */
  readonly routes?: readonly FastifyPluginAsync[];
  /** The logger; default: `deps.log`. Credentials are redacted from whatever it logs. */
  readonly logger?: Logger;
  /** A built UI to serve from `/`; without it only the API answers. */
  readonly uiRoot?: string;
  /** Called after a finding's triage changed (the serving process queues a verification on `resolved`). */
  readonly onTriaged?: (finding: ListedFinding, state: TriageState, by: string) => Promise<void>;
  /** Proxies whose X-Forwarded-For is believed (addresses or CIDRs); default: none. */
  readonly trustProxy?: readonly string[];
  /** Requests per minute from one address across the API; default 600. */
  readonly rateLimitPerMinute?: number;
  /** Users without a second factor may only set one up (`serve --require-mfa`). */
  readonly requireMfa?: boolean;
}

/** One method and path the server answers. */
export interface RegisteredRoute {
  readonly method: string;
  readonly url: string;
}

const ROUTES = new WeakMap<FastifyInstance, readonly RegisteredRoute[]>();

/** Every method and path a built server answers (HEAD included), so tests can check each one's access rules. */
export function registeredRoutes(app: FastifyInstance): readonly RegisteredRoute[] {
  return ROUTES.get(app) ?? [];
}

/**
 * The UI's policy: only its own files and API; no inline script or style, no framing. Trusted Types with no
 * policy at all: the UI (React 19, uPlot) never writes HTML strings into the page, so every `innerHTML`,
 * `document.write` or string-to-script sink is refused outright rather than sanitised.
 */
export const UI_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; object-src 'none'; form-action 'self'; frame-ancestors 'none'; require-trusted-types-for 'script'; trusted-types 'none'";

/** Paths pino never writes: credentials in headers and bodies. */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'password',
  '*.password',
  'token',
  '*.token',
];

/**
 * Builds the API server: security headers, rate limits, cookie and bearer authentication, CSRF checks,
 * OpenAPI 3.1 from every route's schemas at `GET /api/v1/openapi.json`, errors as `{"error": {"code","message"}}`.
 * The caller listens and closes it.
 */
export async function buildServer(deps: ServerDeps, options: BuildServerOptions = {}): Promise<FastifyInstance> {
  const logger = (options.logger ?? deps.log).child({}, { redact: { paths: REDACT, censor: '[redacted]' } });
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT,
    // Only the proxies named may set the client's address (ASVS 4.1.3).
    trustProxy: options.trustProxy === undefined || options.trustProxy.length === 0 ? false : [...options.trustProxy],
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  });
  app.decorate('deps', deps);
  // JSON only: a form or text body, which a cross-site page can send without a preflight, is refused (415).
  app.removeContentTypeParser(['text/plain']);
  app.setErrorHandler(answerError);
  const uiRoot = options.uiRoot;
  app.setNotFoundHandler(async (request, reply) => {
    // The UI routes in the browser: a deep link (/findings/…) that is no file gets the UI's page.
    if (uiRoot !== undefined && (request.method === 'GET' || request.method === 'HEAD') && !request.url.startsWith('/api/')) return reply.type('text/html; charset=utf-8').sendFile('index.html');
    return answerNotFound(request, reply);
  });
  const routes: RegisteredRoute[] = [];
  ROUTES.set(app, routes);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) routes.push({ method: method.toUpperCase(), url: route.url });
    if (methods.some((method) => method.toUpperCase() === 'TRACE')) throw new Error(`TRACE is not served (${route.url})`);
    if (route.url === '/api/v1/reports' && route.bodyLimit === undefined) route.bodyLimit = REPORT_BODY_LIMIT;
    // Every API route documents the error answers it can give (401, 403, 400 …) in the one shape they share.
    if (route.url.startsWith('/api/') && route.schema?.response !== undefined) route.schema = { ...route.schema, response: responses(route.schema.response as Record<number, unknown>) };
  });

  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], objectSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] } },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
    referrerPolicy: { policy: 'no-referrer' },
  });
  await app.register(rateLimit, {
    global: true,
    max: options.rateLimitPerMinute ?? DEFAULT_RATE_LIMIT,
    timeWindow: '1 minute',
    errorResponseBuilder: (_request, context) => new ApiError(429, 'rate-limited', `Too many requests; try again in ${context.after}.`),
  });
  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'w3guard', version: TOOL_VERSION, description: 'Findings, scans and notifications of a w3guard server.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An API token (`w3g_…`) from `w3guard token create` or POST /api/v1/tokens.' },
          session: { type: 'apiKey', in: 'cookie', name: '__Host-w3g_sid', description: 'The UI\'s session; state-changing requests also need the x-csrf-token header.' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
  });
  // A response finished while closing ends its connection too, so close does not wait out the keep-alive timeout.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (request, reply) => {
    if (closing) void reply.header('connection', 'close');
    // API answers carry findings and accounts: no cache keeps them (ASVS 14.3.2).
    if (request.url.startsWith('/api/')) void reply.header('cache-control', 'no-store');
    // The UI's own scripts, styles and API calls, nothing from elsewhere, nothing inline.
    else if (uiRoot !== undefined) void reply.header('content-security-policy', UI_CSP);
  });
  const requireMfa = options.requireMfa === true;
  addAuthentication(app, { requireMfa });

  app.get('/api/v1/openapi.json', { schema: { summary: 'This API as OpenAPI 3.1', tags: ['meta'], response: { 200: { type: 'object', additionalProperties: true }, 401: errorSchema } } }, async () => app.swagger());
  await app.register(healthRoutes);
  await app.register(sessionRoutes, { requireMfa });
  await app.register(accountRoutes);
  await app.register(findingRoutes, { ...(options.onTriaged === undefined ? {} : { onTriaged: options.onTriaged }) });
  for (const routeModule of options.routes ?? []) await app.register(routeModule);
  if (uiRoot !== undefined) await app.register(fastifyStatic, { root: uiRoot, prefix: '/', index: 'index.html', dotfiles: 'deny' });
  await app.ready();
  return app;
}
