import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_USER_AGENT, HttpClient, HttpClientError, splitUrl } from './http-client.js';
import { HttpScope } from './http-scope.js';

let server: Server;
let base: string;
const seen: IncomingMessage[] = [];
let flaky = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req);
    if (req.url === '/big') return res.end(Buffer.alloc(100_000, 0x41));
    if (req.url === '/flaky' && flaky++ === 0) return req.socket.destroy();
    if (req.url === '/hop') {
      res.writeHead(301, { Location: '/landing' });
      return res.end();
    }
    res.setHeader('Set-Cookie', ['a=1', 'b=2']);
    res.end(`${req.method} ${req.url}`);
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
});

describe('HttpClient', () => {
  it('sends the path as written, names itself, adds the user headers and cookie, and keeps repeated headers', async () => {
    const client = new HttpClient({ scope: new HttpScope([base]), headers: [['Authorization', 'Bearer t']], cookie: 'sid=1' });
    const response = await client.send({ method: 'GET', url: `${base}/*~1*/a.aspx?x=1`, headers: [['Cookie', 'own=2'], ['Content-Length', '99']] });
    await client.close();
    expect(response.body.toString()).toBe('GET /*~1*/a.aspx?x=1');
    const req = seen.at(-1);
    expect(req?.headers['user-agent']).toBe(DEFAULT_USER_AGENT);
    expect(req?.headers.authorization).toBe('Bearer t');
    expect(req?.headers.cookie).toBe('own=2; sid=1');
    expect(response.headers.filter(([n]) => n === 'set-cookie').map(([, v]) => v)).toEqual(['a=1', 'b=2']);
  });

  it('caps bodies, sends identical requests once, and retries a reset connection', async () => {
    const client = new HttpClient({ scope: new HttpScope([base]), maxBodyBytes: 1000, retryDelayMs: 10 });
    const big = await client.send({ method: 'GET', url: `${base}/big` });
    expect(big.body.length).toBe(1000);
    expect(big.truncated).toBe(true);
    const before = seen.length;
    const [a, b] = await Promise.all([client.send({ method: 'GET', url: `${base}/same` }), client.send({ method: 'GET', url: `${base}/same` })]);
    expect(a).toBe(b);
    expect(seen.length - before).toBe(1);
    expect(client.stats.duplicatesAvoided).toBe(1);
    const retried = await client.send({ method: 'GET', url: `${base}/flaky` });
    expect(retried.status).toBe(200);
    expect(client.stats.retries).toBe(1);
    await client.close();
  });

  it('never contacts a host that was not named, and reports an off-scope redirect instead of following it', async () => {
    const client = new HttpClient({ scope: new HttpScope([base]) });
    await expect(client.send({ method: 'GET', url: 'http://127.0.0.2:1/' })).rejects.toMatchObject({ code: 'http.off-scope' });
    const followed = await client.send({ method: 'GET', url: `${base}/hop`, redirects: 2 });
    expect(followed.redirects).toHaveLength(1);
    expect(followed.body.toString()).toBe('GET /landing');
    await client.close();
    expect(client.issues).toEqual([]);
  });

  it('spaces requests to one host by the rate limit', async () => {
    const client = new HttpClient({ scope: new HttpScope([base]), ratePerHost: 20 });
    const started = performance.now();
    await Promise.all([1, 2, 3, 4, 5].map((n) => client.send({ method: 'GET', url: `${base}/rate${n}` })));
    await client.close();
    // Five starts at 20/s: the fifth waits at least four intervals of 50 ms.
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('goes through --proxy (CONNECT tunnel)', async () => {
    const tunnels: string[] = [];
    const proxy = createServer();
    proxy.on('connect', (req: IncomingMessage, socket, head: Buffer) => {
      tunnels.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      const upstream = connect(Number(port), host, () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
    });
    await new Promise<void>((ready) => proxy.listen(0, '127.0.0.1', ready));
    const client = new HttpClient({ scope: new HttpScope([base]), proxy: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` });
    const response = await client.send({ method: 'GET', url: `${base}/via-proxy` });
    await client.close();
    proxy.closeAllConnections();
    await new Promise((done) => proxy.close(done));
    expect(response.body.toString()).toBe('GET /via-proxy');
    expect(tunnels).toEqual([new URL(base).host]);
  });

  it('splits URLs without rewriting the path', () => {
    expect(splitUrl('http://h:8080/a/../b?x')).toEqual({ origin: 'http://h:8080', path: '/a/../b?x' });
    expect(splitUrl('https://h')).toEqual({ origin: 'https://h', path: '/' });
    expect(splitUrl('file:///etc/passwd')).toBeUndefined();
    expect(new HttpClientError('http.timeout', 'x').code).toBe('http.timeout');
  });
});
