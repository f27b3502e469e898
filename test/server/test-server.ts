import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import pg from 'pg';
import { pino } from 'pino';
import type { JobKind, JobQueue, SendOptions } from '../../src/jobs/job-queue.js';
import { buildServer, type BuildServerOptions } from '../../src/server/build-server.js';
import type { Role, ServerDeps } from '../../src/server/server-context.js';
import { SESSION_COOKIE } from '../../src/server/session-cookie.js';
import { AccountStore } from '../../src/store/account-store.js';
import type { FindingStore } from '../../src/store/finding-store.js';
import { openStore } from '../../src/store/open-store.js';
import { POSTGRES_URL } from '../e2e/test-postgres.js';

/** A job the recording queue was given. */
export interface SentJob {
  readonly kind: JobKind;
  readonly data: unknown;
  readonly options?: SendOptions;
}

/** A browser session as a test holds it: the Cookie header and the CSRF token to send back. */
export interface TestSession {
  readonly cookie: string;
  readonly csrfToken: string;
  /** Headers for a state-changing request of this session. */
  readonly headers: Record<string, string>;
}

/** A running server for tests: a real store, a real listening loopback socket, and a clock tests move. */
export interface TestServer {
  readonly app: FastifyInstance;
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly store: FindingStore;
  readonly deps: ServerDeps;
  /** Jobs sent to the default queue (when no queue was given). */
  readonly sent: SentJob[];
  /** Moves the server's clock by this many milliseconds. */
  advance(ms: number): void;
  /** Adds a user with this role (name unique per call unless given) and signs it in. */
  login(name: string, role: Role, password?: string): Promise<TestSession>;
  /** Creates an API token with this role and returns it. */
  token(role: Role, name?: string): Promise<string>;
  close(): Promise<void>;
}

/** How to start a test server. */
export interface TestServerOptions extends BuildServerOptions {
  readonly db: 'sqlite' | 'postgres';
  readonly routes?: readonly FastifyPluginAsync[];
  /**
   * The job queue; default: one that records what is sent and never runs it. A function opens a real queue on the
   * server's store (stopped by `close`), for tests whose scans run.
   */
  readonly queue?: JobQueue | ((store: FindingStore) => Promise<JobQueue>);
  /** The clock's start; default 2026-06-01T00:00:00Z. */
  readonly start?: Date;
  /** Passwords refused besides the built-in list. */
  readonly passwordBlocklist?: ReadonlySet<string>;
}

/** Password the harness gives users it creates. */
export const TEST_PASSWORD = 'correct horse battery staple';

/** Starts the API server on a fresh SQLite file or a fresh PostgreSQL schema; `close` removes it. */
export async function startTestServer(options: TestServerOptions): Promise<TestServer> {
  let cleanup: () => Promise<void>;
  let store: FindingStore;
  if (options.db === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'w3g-server-'));
    store = await openStore(path.join(dir, 'store.db'));
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const schema = `w3g_test_${randomBytes(6).toString('hex')}`;
    store = await openStore(POSTGRES_URL, { schema });
    cleanup = async () => {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    };
  }
  let now = (options.start ?? new Date('2026-06-01T00:00:00Z')).getTime();
  const sent: SentJob[] = [];
  const ownQueue = typeof options.queue === 'function' ? await options.queue(store) : undefined;
  const queue: JobQueue = ownQueue ?? (typeof options.queue === 'function' ? undefined : options.queue) ?? {
    send: async (kind, data, sendOptions) => {
      sent.push({ kind, data, ...(sendOptions === undefined ? {} : { options: sendOptions }) });
      return String(sent.length);
    },
    work: async () => undefined,
    stop: async () => undefined,
  };
  const deps: ServerDeps = { store, queue, log: pino({ level: 'silent' }), now: () => new Date(now), publicUrl: 'http://127.0.0.1', secretKey: randomBytes(32), ...(options.passwordBlocklist === undefined ? {} : { passwordBlocklist: options.passwordBlocklist }) };
  const app = await buildServer(deps, {
    ...(options.routes === undefined ? {} : { routes: options.routes }),
    ...(options.onTriaged === undefined ? {} : { onTriaged: options.onTriaged }),
    ...(options.uiRoot === undefined ? {} : { uiRoot: options.uiRoot }),
    ...(options.rateLimitPerMinute === undefined ? {} : { rateLimitPerMinute: options.rateLimitPerMinute }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.trustProxy === undefined ? {} : { trustProxy: options.trustProxy }),
    ...(options.requireMfa === undefined ? {} : { requireMfa: options.requireMfa }),
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const accounts = new AccountStore(store.database);
  let tokens = 0;
  let logins = 0;
  return {
    app,
    url: address,
    store,
    deps,
    sent,
    advance: (ms) => {
      now += ms;
    },
    async login(name, role, password = TEST_PASSWORD) {
      if ((await accounts.findUser(name)) === undefined) await accounts.addUser(name, role, password, deps.now());
      // Each sign-in from an address of its own: tests signing one user in many times stay under the sign-in limit.
      logins += 1;
      const remoteAddress = `127.1.${(logins >> 8) & 255}.${logins & 255}`;
      const response = await app.inject({ method: 'POST', url: '/api/v1/session', remoteAddress, payload: { username: name, password } });
      if (response.statusCode !== 200) throw new Error(`sign-in of ${name} answered ${response.statusCode}: ${response.body}`);
      const cookie = response.cookies.find((c) => c.name === SESSION_COOKIE);
      if (cookie === undefined) throw new Error('sign-in set no session cookie');
      const { csrfToken } = response.json<{ csrfToken: string }>();
      const header = `${SESSION_COOKIE}=${cookie.value}`;
      return { cookie: header, csrfToken, headers: { cookie: header, 'x-csrf-token': csrfToken } };
    },
    async token(role, name) {
      tokens += 1;
      const created = await accounts.createToken({ name: name ?? `test-${role}-${tokens}`, role, createdBy: 'test' }, deps.now());
      return created.token;
    },
    async close() {
      await ownQueue?.stop({ timeoutMs: 2000 }).catch(() => undefined);
      await app.close();
      await store.close();
      await cleanup();
    },
  };
}
