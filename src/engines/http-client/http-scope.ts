/** The hosts a scan may contact: `hostname:port` pairs taken from the named targets, nothing else. */
export class HttpScope {
  readonly #hosts = new Set<string>();

  constructor(urls: Iterable<string | URL>) {
    for (const url of urls) this.#hosts.add(hostKey(new URL(url)));
  }

  /** True when the URL's host and port were named by the user. */
  allows(url: string | URL): boolean {
    try {
      return this.#hosts.has(hostKey(new URL(url)));
    } catch {
      return false;
    }
  }

  get hosts(): readonly string[] {
    return [...this.#hosts].sort();
  }
}

/** `hostname:port` with the scheme's default port filled in, lower-cased. */
export function hostKey(url: URL): string {
  const port = url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80';
  return `${url.hostname.toLowerCase()}:${port}`;
}
