import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback site that answers every request after `delayMs`, so a scan of it takes a while; counts requests. */
export interface SlowSite {
  readonly url: string;
  requests: number;
  /** Time of the latest request (ms since the epoch). */
  lastRequestAt: number;
  close(): Promise<void>;
}

export async function startSlowSite(delayMs: number): Promise<SlowSite> {
  const site: { url: string; requests: number; lastRequestAt: number; close: () => Promise<void> } = { url: '', requests: 0, lastRequestAt: 0, close: async () => undefined };
  const server: Server = createServer((_req, res) => {
    site.requests += 1;
    site.lastRequestAt = Date.now();
    setTimeout(() => {
      res.writeHead(404, { 'content-type': 'text/html', server: 'Microsoft-IIS/10.0' });
      res.end('<html><body>Not found</body></html>');
    }, delayMs);
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  site.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  site.close = async () => {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  };
  return site;
}
