import { excerpt, header, hitFor, probeRule, type ProbeCheck, type ProbeExchange, type ProbeHit } from './probe-check.js';

const EXECUTABLE = probeRule({
  id: 'w3g-http-serves-executable',
  title: 'Site serves a Windows executable',
  description: 'A page linked from the site answers with a Windows executable (body starts with "MZ", or an executable content type). Compromised IIS servers are used to spread malware to their own visitors; make sure this download is intended.',
  severity: 'high',
  confidence: 'firm',
  category: 'tampering',
  tags: ['attack.t1608.001'],
  remediation: 'Check who published the file and when; if unexpected, treat the server as compromised (look for native IIS modules and web shells).',
});
const CLOAKING = probeRule({
  id: 'w3g-http-search-engine-cloaking',
  title: 'Different page for search engines (SEO cloaking)',
  description: 'The home page changes when fetched as Googlebot or with a search-engine Referer: new outside links or scripts, or a redirect elsewhere. This is what BadIIS and IISerpent native modules do on compromised IIS servers.',
  severity: 'critical',
  confidence: 'firm',
  category: 'tampering',
  tags: ['attack.t1505.004', 'badiis'],
  references: ['https://www.welivesecurity.com/2021/08/06/anatomy-native-iis-malware/'],
  remediation: 'List the native modules (appcmd list modules) and compare with a known-good server; remove unknown modules and rebuild the host.',
});
export const EXTERNAL_SCRIPT = probeRule({
  id: 'w3g-http-external-script',
  title: 'Page loads script from another domain',
  description: 'The home page loads script from another domain: it runs with the page\'s rights. Injected script domains are a common sign of tampering; compare with the previous scan.',
  severity: 'info',
  confidence: 'certain',
  category: 'tampering',
  remediation: 'Confirm each script domain is intended; pin them with a Content-Security-Policy and Subresource Integrity.',
});

const BROWSER_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36';
const GOOGLEBOT_UA = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
const EXECUTABLE_TYPES = /application\/(x-msdownload|x-msdos-program|x-dosexec|vnd\.microsoft\.portable-executable|x-ms-installer|x-executable)/i;

/** Malware distribution and tampering: executables, search-engine cloaking, outside script domains. */
export const tamperingCheck: ProbeCheck = {
  id: 'tampering',
  rules: [EXECUTABLE, CLOAKING, EXTERNAL_SCRIPT],
  async run(context) {
    const hits: ProbeHit[] = [];
    const browser = await context.fetch('/', { headers: [['User-Agent', BROWSER_UA]] });
    if (browser === undefined) return hits;
    const origin = new URL(context.base).origin;
    const pages = await Promise.all(sameSiteLinks(browser.text, context.base).slice(0, 20).map((link) => context.fetch(link)));
    for (const page of pages) {
      if (page !== undefined && isExecutable(page)) hits.push(hitFor(EXECUTABLE, page, `${page.response.body.subarray(0, 2).toString('latin1') === 'MZ' ? 'body starts with MZ' : 'executable content type'}; Content-Type: ${excerpt(header(page, 'content-type') ?? '-', 60)}`));
    }
    const seen = outsideResources(browser.text, origin);
    const bot = await context.fetch('/', { headers: [['User-Agent', GOOGLEBOT_UA]] });
    if (bot !== undefined) {
      const added = [...outsideResources(bot.text, origin)].filter((r) => !seen.has(r));
      if (added.length > 0) hits.push(hitFor(CLOAKING, bot, `as Googlebot the page adds ${added.slice(0, 5).map((a) => excerpt(a, 80)).join(', ')}`, 'googlebot'));
      else if (bot.response.status !== browser.response.status) hits.push(hitFor(CLOAKING, bot, `as Googlebot the page answers ${bot.response.status}, as a browser ${browser.response.status}`, 'googlebot'));
    }
    const referred = await context.fetch('/', { headers: [['User-Agent', BROWSER_UA], ['Referer', 'https://www.google.com/search?q=contoso']] });
    if (referred !== undefined) {
      const target = referred.response.offScopeRedirect ?? header(referred, 'location');
      const added = [...outsideResources(referred.text, origin)].filter((r) => !seen.has(r));
      if (target !== undefined && referred.response.status !== browser.response.status) hits.push(hitFor(CLOAKING, referred, `with a Google Referer the page redirects to ${excerpt(target, 120)}`, 'referer'));
      else if (added.length > 0) hits.push(hitFor(CLOAKING, referred, `with a Google Referer the page adds ${added.slice(0, 5).map((a) => excerpt(a, 80)).join(', ')}`, 'referer'));
    }
    for (const host of scriptHosts(browser.text, origin)) hits.push(hitFor(EXTERNAL_SCRIPT, browser, `<script src> from ${excerpt(host, 100)}`, host));
    return hits;
  },
};

function isExecutable(page: ProbeExchange): boolean {
  return page.response.body.subarray(0, 2).toString('latin1') === 'MZ' || EXECUTABLE_TYPES.test(header(page, 'content-type') ?? '');
}

/** Same-origin paths linked from a page (href and src), without fragments, de-duplicated. */
export function sameSiteLinks(html: string, base: string): string[] {
  const origin = new URL(base).origin;
  const out = new Set<string>();
  for (const m of html.matchAll(/(?:href|src)\s*=\s*["']([^"'#]{1,500})/gi)) {
    const url = resolve(m[1] ?? '', base);
    if (url === undefined || url.origin !== origin) continue;
    const path = url.pathname + url.search;
    if (path !== '/') out.add(path);
  }
  return [...out].sort();
}

/** Outside link and script targets (`host/path`), the things cloaking adds. */
function outsideResources(html: string, origin: string): Set<string> {
  const out = new Set<string>();
  for (const m of html.matchAll(/<(a|script|iframe)\b[^>]*?(?:href|src)\s*=\s*["']([^"'#]{1,500})/gi)) {
    const url = resolve(m[2] ?? '', origin);
    if (url !== undefined && url.origin !== origin) out.add(`${(m[1] ?? '').toLowerCase()} ${url.host}${url.pathname}`);
  }
  return out;
}

function scriptHosts(html: string, origin: string): string[] {
  const out = new Set<string>();
  for (const m of html.matchAll(/<script\b[^>]*?\bsrc\s*=\s*["']([^"'#]{1,500})/gi)) {
    const url = resolve(m[1] ?? '', origin);
    if (url !== undefined && url.origin !== origin) out.add(url.host.toLowerCase());
  }
  return [...out].sort();
}

function resolve(link: string, base: string): URL | undefined {
  try {
    const url = new URL(link.replace(/&amp;/g, '&'), `${base}/`);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}
