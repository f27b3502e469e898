import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema.js';

/** The session's CSRF token, kept in memory only (never in storage a script could read later). */
let csrfToken: string | undefined;

/** Remembers the token the sign-in (or the session check) answered. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Every state-changing request carries the session's CSRF token; reads do not need it. */
const csrf: Middleware = {
  onRequest({ request }) {
    if (request.method !== 'GET' && request.method !== 'HEAD' && csrfToken !== undefined) request.headers.set('x-csrf-token', csrfToken);
    return request;
  },
};

let onSignedOut: () => void = () => undefined;

/** What to do when the server says the session is gone (expired, ended elsewhere): show the sign-in page. */
export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

/** A 401 on any request but the session check itself means the session ended while the page was open. */
const expiry: Middleware = {
  onResponse({ request, response }) {
    if (response.status === 401 && new URL(request.url).pathname !== '/api/v1/session') onSignedOut();
    return response;
  },
};

/** The typed API client: same origin, the session cookie sent by the browser. */
export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });
api.use(csrf, expiry);

/** The message of an API error answer, or a generic sentence. */
export function errorMessage(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'error' in error) {
    const inner = (error as { error?: { message?: unknown } }).error;
    if (typeof inner?.message === 'string') return inner.message;
  }
  if (error instanceof Error) return error.message;
  return 'The server did not answer as expected.';
}

/** The code of an API error answer (`mfa-required`, `forbidden` …), or undefined. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'error' in error) {
    const code = (error as { error?: { code?: unknown } }).error?.code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** Throws the API's error so TanStack Query shows it; returns the data otherwise. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || result.data === undefined) throw new Error(errorMessage(result.error ?? `HTTP ${result.response.status}`));
  return result.data;
}

type Schema200<P extends keyof paths, M extends 'get'> = paths[P][M] extends { responses: { 200: { content: { 'application/json': infer T } } } } ? T : never;

export type Finding = Schema200<'/api/v1/findings/{fingerprint}', 'get'>;
export type FindingList = Schema200<'/api/v1/findings', 'get'>;
export type ListedFinding = FindingList['items'] extends (infer T)[] | undefined ? T : never;
export type Dashboard = Schema200<'/api/v1/dashboard', 'get'>;
export type Scan = Schema200<'/api/v1/scans/{id}', 'get'>;
export type AssetDetail = Schema200<'/api/v1/assets/{asset}', 'get'>;
/** A node of the asset tree; children nest the same shape (three levels at most). */
export type AssetNode = Omit<Schema200<'/api/v1/assets', 'get'>['items'][number], 'children'> & { readonly children?: readonly unknown[] };
export type Role = 'viewer' | 'operator' | 'admin';

type Schema201<P extends keyof paths, M extends 'post'> = paths[P][M] extends { responses: { 201: { content: { 'application/json': infer T } } } } ? T : never;
type RequestBody<P extends keyof paths, M extends 'post' | 'patch'> = paths[P][M] extends { requestBody: { content: { 'application/json': infer T } } } ? T : never;
/** One item of a list answer (`{ items: T[] }`). */
type ItemOf<L> = L extends { items?: (infer T)[] } ? T : never;

export type Channel = ItemOf<Schema200<'/api/v1/channels', 'get'>>;
export type ChannelKind = RequestBody<'/api/v1/channels', 'post'>['kind'];
export type Rule = ItemOf<Schema200<'/api/v1/rules', 'get'>>;
export type NewRule = RequestBody<'/api/v1/rules', 'post'>;
export type RuleEvent = NewRule['events'][number];
export type RuleMode = NewRule['mode'];
export type Delivery = ItemOf<Schema200<'/api/v1/deliveries', 'get'>>;
export type DeliveryDetail = Schema200<'/api/v1/deliveries/{id}', 'get'>;
export type UserChange = RequestBody<'/api/v1/users/{name}', 'patch'>;
export type User = ItemOf<Schema200<'/api/v1/users', 'get'>>;
export type Token = ItemOf<Schema200<'/api/v1/tokens', 'get'>>;
export type CreatedToken = Schema201<'/api/v1/tokens', 'post'>;
export type AuditEntry = ItemOf<Schema200<'/api/v1/audit', 'get'>>;
