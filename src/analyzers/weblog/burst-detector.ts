import type { Asset } from '../../core/asset.js';
import type { RuleMeta } from '../../core/rule-meta.js';
import type { WebRecord } from '../../formats/web-log/web-record.js';
import { stemFileName } from './web-detector.js';
import { webAsset } from './web-asset.js';

/**
 * A behaviour seen only in numbers: many matching requests with the same key within a time window
 * (500s for one page from one client, worker crashes, parse-error storms). Each part of a hunt collects
 * the matching requests per key; the whole is judged once all parts are merged, in time order.
 */
export interface BurstDetector {
  readonly meta: RuleMeta;
  /** The logs it reads: IIS web logs (W3C, IIS, NCSA) or HTTP.sys error logs. */
  readonly logs: 'web' | 'httperr';
  /** Lower-case strings of which one occurs in every request `key` accepts (the line prefilter). */
  readonly needles: readonly string[];
  /** A second set of lower-case strings of which one also occurs in every request `key` accepts, when one set is not selective enough. */
  readonly alsoNeedles?: readonly string[];
  /** The group a request counts in, or undefined when it does not count. */
  key(record: WebRecord): string | undefined;
  readonly windowMs: number;
  /** Requests within one window that make a burst. */
  readonly threshold: number;
  /** A trait worth counting on each request (for example: no Referer). */
  mark?(record: WebRecord): boolean;
  /**
   * Judge each key (a page) by who used it: a finding only when one single client ever did, and at least
   * `minMarkedShare` of its requests carry the mark. `client` names the client of a request.
   */
  readonly loneClient?: { readonly minMarkedShare: number; client(record: WebRecord): string };
  /**
   * Judge each key by the rhythm of its requests, as a beacon: at least `minRegularShare` of the gaps
   * between consecutive requests lie within `tolerance` (a fraction) of their median gap, which is at
   * least `minIntervalMs`. People click at irregular times; a script or an implant polls on a timer.
   */
  readonly periodic?: { readonly minIntervalMs: number; readonly tolerance: number; readonly minRegularShare: number };
  /**
   * Judge each key by when its site first answered it: a finding when that was after the site's baseline,
   * the first `baselineShare` of the site's analysed period but at least `minBaselineMs` of it.
   */
  readonly firstSeen?: { readonly baselineShare: number; readonly minBaselineMs: number };
  /**
   * Judge each key's densest window against its site's own rate of such requests over the analysed period:
   * a finding when the window holds at least `factor` times the site's average per window.
   */
  readonly aboveSiteRate?: { readonly factor: number };
}

/**
 * What one part of a hunt (one stream) counted for one key: every request in `count`, the time and line
 * of the first `BURST_LIMITS.eventsPerKey` in parallel number arrays (small, and cheap to send between
 * threads), and for lone-client detectors the one client seen so far (`undefined` once a second appears).
 */
export interface BurstTally {
  readonly asset: Asset;
  readonly file: string;
  readonly times: number[];
  readonly lines: number[];
  count: number;
  marked: number;
  client: string | undefined;
}

/** Most requests whose time and line are kept per key, and most keys per detector, in one part of a hunt. */
export const BURST_LIMITS = { eventsPerKey: 1_000, keysPerDetector: 5_000, loneClientSample: 20 } as const;

function meta(fields: Omit<RuleMeta, 'engine' | 'confidence' | 'category'>): RuleMeta {
  return { engine: 'behavior', confidence: 'firm', category: 'behavior', ...fields };
}

const PARSE_ERRORS = new Set(['url', 'badrequest', 'hostname', 'verb', 'header', 'fieldlength', 'requestlength', 'url_length', 'invalid_cr/lf', 'number', 'forbidden']);

const status = (record: WebRecord): string | undefined => record.get('sc-status');

/** Downloads that run code or carry it: programs, libraries, installers, scripts, archives, disk images. */
const EXECUTABLE_STEM = /\.(exe|dll|scr|msi|msix|appx|ps1|bat|cmd|vbs|vbe|jse|hta|wsf|lnk|jar|apk|zip|rar|7z|iso|img|cab)$/;
// The stem field ends at a space; `.js ` is left out of the needles: scripts of pages are everywhere.
const EXECUTABLE_STEM_NEEDLES = ['.exe ', '.dll ', '.scr ', '.msi ', '.msix ', '.appx ', '.ps1 ', '.bat ', '.cmd ', '.vbs ', '.vbe ', '.jse ', '.hta ', '.wsf ', '.lnk ', '.jar ', '.apk ', '.zip ', '.rar ', '.7z ', '.iso ', '.img ', '.cab '];
const SCRIPT_PAGE = /\.(aspx|ashx|asp|php|jsp|cshtml)$/;

/** Bursts w3guard looks for in IIS web and HTTPERR logs; thresholds are documented in the README. */
export const BUILTIN_BURSTS: readonly BurstDetector[] = [
  {
    meta: meta({
      id: 'w3g-web-burst-500-one-page',
      title: 'Burst of server errors on one page from one client',
      description: 'One client received 20 or more 500 answers from the same page within 5 minutes: payloads thrown at one handler (forged ViewState, deserialization, injection) make it fail again and again. An outage spreads its 500s over many clients instead.',
      severity: 'medium',
      tags: ['attack.initial-access', 'attack.t1190'],
      references: ['https://www.cyber.gov.au/about-us/view-all-content/alerts-and-advisories/advisory-2020-006-active-exploitation-of-vulnerability-in-microsoft-internet-information-services'],
      remediation: 'Look at what this client sent to the page, and at ASP.NET event 1316 (ViewState) and crashes in the Application log at the same time.',
    }),
    needles: [' 500'],
    logs: 'web',
    key: (r) => (status(r) === '500' ? `${r.get('c-ip') ?? '-'} ${(r.decoded('cs-uri-stem') ?? '').toLowerCase()}` : undefined),
    windowMs: 5 * 60_000,
    threshold: 20,
  },
  {
    meta: meta({
      id: 'w3g-web-burst-telerik-dialog-oracle',
      title: 'Telerik DialogHandler padding-oracle brute force',
      description: 'One client received 50 or more 500 answers from Telerik.Web.UI.DialogHandler.aspx (or SpellCheckHandler.axd) with dp= within 10 minutes: recovering the dialog parameters key (CVE-2017-9248) takes hundreds to thousands of such requests, after which files can be uploaded.',
      severity: 'high',
      tags: ['attack.initial-access', 'attack.t1190', 'cve.2017-9248'],
      references: ['https://nvd.nist.gov/vuln/detail/CVE-2017-9248'],
      remediation: 'Upgrade Telerik UI for ASP.NET AJAX, set Telerik.Web.UI.DialogParametersEncryptionKey, and look for files uploaded after the burst.',
    }),
    logs: 'web',
    needles: ['dialoghandler.aspx', 'spellcheckhandler.axd'],
    key: (r) => {
      const name = stemFileName(r);
      if (name !== 'telerik.web.ui.dialoghandler.aspx' && name !== 'telerik.web.ui.spellcheckhandler.axd') return undefined;
      return status(r) === '500' && /(^|&)dp=/i.test(r.decoded('cs-uri-query') ?? '') ? (r.get('c-ip') ?? '-') : undefined;
    },
    windowMs: 10 * 60_000,
    threshold: 50,
  },
  {
    meta: meta({
      id: 'w3g-httperr-burst-apppool-abandoned',
      title: 'Worker process crashing: requests abandoned by an app pool',
      description: 'HTTP.sys logged 10 or more requests abandoned by one application pool within a minute: its worker process is crashing, which exploit attempts and unstable injected native modules cause. A recycle abandons one or two.',
      severity: 'medium',
      tags: ['attack.persistence', 'attack.t1505.004', 'attack.initial-access'],
      references: ['https://learn.microsoft.com/en-us/troubleshoot/developer/webapps/iis/iisadmin-service-inetinfo/httperr-logs'],
      remediation: 'Read Application event 1000 (faulting module in w3wp.exe) at that time and check every native module the pool loads.',
    }),
    needles: ['connection_abandoned_by_apppool'],
    logs: 'httperr',
    key: (r) => ((r.get('s-reason') ?? '').toLowerCase() === 'connection_abandoned_by_apppool' ? (r.get('s-queuename') ?? '-') : undefined),
    windowMs: 60_000,
    threshold: 10,
  },
  {
    meta: meta({
      id: 'w3g-httperr-burst-parse-errors',
      title: 'Storm of malformed requests from one client',
      description: 'One client sent 50 or more requests within 10 minutes that HTTP.sys rejected before IIS saw them (bad URL, host name, verb or header): a fuzzer or scanner. These never reach the W3C logs.',
      severity: 'low',
      tags: ['attack.reconnaissance', 'attack.t1595.002'],
      references: ['https://learn.microsoft.com/en-us/troubleshoot/developer/webapps/iis/iisadmin-service-inetinfo/httperr-logs'],
    }),
    // s-reason is a space-delimited field: a leading space keeps ordinary words in URLs from matching.
    needles: [' url', ' badrequest', ' hostname', ' verb', ' header', ' fieldlength', ' requestlength', ' invalid_cr', ' number', ' forbidden'],
    logs: 'httperr',
    key: (r) => (PARSE_ERRORS.has((r.get('s-reason') ?? '').toLowerCase()) ? (r.get('c-ip') ?? '-') : undefined),
    windowMs: 10 * 60_000,
    threshold: 50,
  },
  {
    meta: meta({
      id: 'w3g-web-burst-404-scan',
      title: 'Content discovery: 404 storm from one client',
      description: 'One client asked for 100 or more missing paths within 5 minutes: a content or vulnerability scanner walking its word list.',
      severity: 'low',
      tags: ['attack.reconnaissance', 'attack.t1595.003'],
      references: ['https://attack.mitre.org/techniques/T1595/003/'],
    }),
    needles: [' 404'],
    logs: 'web',
    key: (r) => (status(r) === '404' ? (r.get('c-ip') ?? '-') : undefined),
    windowMs: 5 * 60_000,
    threshold: 100,
  },
  {
    meta: meta({
      id: 'w3g-web-lone-client-post-page',
      title: 'Script page used by a single client, with POSTs and no Referer',
      description: 'Over the whole hunt, exactly one client sent POSTs to this script page (10 or more, answered 2xx), mostly without a Referer, from a browser-like user agent. Pages of an application are used by many people and reached from other pages; a web shell is driven by its one operator straight to its address.',
      severity: 'medium',
      tags: ['attack.persistence', 'attack.t1505.003'],
      references: ['https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF'],
      remediation: 'Open the file behind this page on the server (w3guard sweep) and compare it with the deployed application.',
    }),
    logs: 'web',
    needles: [' post '],
    // The stem field ends at a space: most POSTs (Exchange, APIs) go to pages that are not script pages.
    alsoNeedles: ['.aspx ', '.ashx ', '.asp ', '.php ', '.jsp ', '.cshtml '],
    key: (r) => {
      if ((r.get('cs-method') ?? '').toUpperCase() !== 'POST' || !(status(r) ?? '').startsWith('2')) return undefined;
      const stem = (r.decoded('cs-uri-stem') ?? '').toLowerCase();
      if (!SCRIPT_PAGE.test(stem) || !(r.get('cs(user-agent)') ?? '').toLowerCase().startsWith('mozilla/')) return undefined;
      return stem;
    },
    mark: (r) => r.get('cs(referer)') === undefined,
    windowMs: Number.POSITIVE_INFINITY,
    threshold: 10,
    loneClient: { minMarkedShare: 0.8, client: (r) => r.get('c-ip') ?? '-' },
  },
  {
    meta: meta({
      id: 'w3g-web-beacon-script-page',
      title: 'Script page polled on a timer by one client, without a Referer',
      description: 'One client sent 12 or more POSTs without a Referer to the same script page, answered 2xx, at regular intervals (70% of the gaps within 20% of the median gap, which is 10 seconds or more). People click at irregular times; a web shell checked or driven by a script, or an implant calling home through the site, keeps a timer.',
      severity: 'medium',
      tags: ['attack.command-and-control', 'attack.t1071.001', 'attack.persistence', 'attack.t1505.003'],
      references: ['https://attack.mitre.org/techniques/T1071/001/'],
      remediation: 'Find the program behind the client address, and open the page\'s file on the server (w3guard sweep).',
    }),
    logs: 'web',
    needles: [' post '],
    alsoNeedles: ['.aspx ', '.ashx ', '.asp ', '.php ', '.jsp ', '.cshtml '],
    key: (r) => {
      if ((r.get('cs-method') ?? '').toUpperCase() !== 'POST' || !(status(r) ?? '').startsWith('2') || r.get('cs(referer)') !== undefined) return undefined;
      const stem = (r.decoded('cs-uri-stem') ?? '').toLowerCase();
      return SCRIPT_PAGE.test(stem) ? `${r.get('c-ip') ?? '-'} ${stem}` : undefined;
    },
    windowMs: Number.POSITIVE_INFINITY,
    threshold: 12,
    periodic: { minIntervalMs: 10_000, tolerance: 0.2, minRegularShare: 0.7 },
  },
  {
    meta: meta({
      id: 'w3g-web-first-served-executable',
      title: 'Site began serving an executable, script or archive during the analysed period',
      description: 'The site answered a download of a program, library, installer, script or archive with 200 for the first time after the first quarter of its analysed period (and at least a day into it). Sites that spread malware to their own visitors (Lazarus 2023, BadIIS) start serving such files on a given day; a deployed download was served from the start.',
      severity: 'medium',
      tags: ['attack.resource-development', 'attack.t1608.001', 'attack.initial-access', 'attack.t1189'],
      references: ['https://asec.ahnlab.com/en/55369/'],
      remediation: 'Check whether the file was deployed on purpose; if not, take it down, find who wrote it (w3guard sweep, events) and which visitors fetched it.',
    }),
    logs: 'web',
    needles: EXECUTABLE_STEM_NEEDLES,
    key: (r) => {
      const method = (r.get('cs-method') ?? '').toUpperCase();
      if ((method !== 'GET' && method !== 'HEAD') || status(r) !== '200' || r.get('cs-uri-query') !== undefined) return undefined;
      const stem = (r.decoded('cs-uri-stem') ?? '').toLowerCase();
      if (!EXECUTABLE_STEM.test(stem) || stem.includes('/rpc/')) return undefined;
      return `${webAsset(r).id} ${stem}`;
    },
    windowMs: Number.POSITIVE_INFINITY,
    threshold: 1,
    firstSeen: { baselineShare: 0.25, minBaselineMs: 24 * 3_600_000 },
  },
  {
    meta: meta({
      id: 'w3g-web-burst-500-above-site-rate',
      title: 'Server errors on one page far above the site\'s own error rate',
      description: 'One page answered 20 or more requests with 500 within 10 minutes, at least ten times the site\'s average number of 500s per 10 minutes over the analysed period. Exploits against one handler (deserialization, forged ViewState, injection) make it fail in a burst, from one or many addresses; a site\'s usual errors are spread out.',
      severity: 'medium',
      tags: ['attack.initial-access', 'attack.t1190'],
      references: ['https://www.cyber.gov.au/about-us/view-all-content/alerts-and-advisories/advisory-2020-006-active-exploitation-of-vulnerability-in-microsoft-internet-information-services'],
      remediation: 'Read what was sent to the page in the burst, and the Application log (ASP.NET 1309/1316, crashes) at the same time.',
    }),
    logs: 'web',
    needles: [' 500'],
    key: (r) => (status(r) === '500' ? `${webAsset(r).id} ${(r.decoded('cs-uri-stem') ?? '').toLowerCase()}` : undefined),
    windowMs: 10 * 60_000,
    threshold: 20,
    aboveSiteRate: { factor: 10 },
  },
];
