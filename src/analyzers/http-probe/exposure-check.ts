import { hitFor, probeRule, type ProbeCheck, type ProbeContext, type ProbeHit } from './probe-check.js';

const TRACE_AXD = probeRule({
  id: 'w3g-http-trace-axd',
  title: 'ASP.NET trace viewer (trace.axd) exposed',
  description: 'trace.axd shows recent requests with their headers, cookies, form fields and server variables to anyone.',
  severity: 'high',
  confidence: 'certain',
  category: 'exposure',
  remediation: 'Set <trace enabled="false" /> (or localOnly="true") in web.config.',
});
const ELMAH = probeRule({
  id: 'w3g-http-elmah-axd',
  title: 'ELMAH error log (elmah.axd) exposed',
  description: 'elmah.axd lists application errors with full request details, often including session cookies.',
  severity: 'high',
  confidence: 'certain',
  category: 'exposure',
  remediation: 'Set allowRemoteAccess="false" in <elmah><security>, or require authentication for elmah.axd.',
});
const CONFIG_COPY = probeRule({
  id: 'w3g-http-web-config-exposed',
  title: 'web.config or a backup copy downloadable',
  description: 'A copy of web.config is served as a file: connection strings, and the machineKey that lets an attacker forge ViewState and run code.',
  severity: 'critical',
  confidence: 'certain',
  category: 'exposure',
  tags: ['attack.t1552.001'],
  remediation: 'Delete the copy, rotate every secret and the machineKey it holds, and deny backup extensions with request filtering.',
});
const LISTING = probeRule({
  id: 'w3g-http-directory-listing',
  title: 'Directory listing enabled',
  description: 'The server lists the files of a folder, showing names an attacker would otherwise have to guess.',
  severity: 'medium',
  confidence: 'certain',
  category: 'exposure',
  remediation: 'Disable directory browsing (<directoryBrowse enabled="false" />, or autoindex off / Options -Indexes).',
});
const DETAILED_ERRORS = probeRule({
  id: 'w3g-http-aspnet-detailed-errors',
  title: 'ASP.NET detailed errors shown to remote users',
  description: 'Error pages show the ASP.NET error page ("Server Error in ... Application") with version information to anyone.',
  severity: 'medium',
  confidence: 'certain',
  category: 'misconfiguration',
  remediation: 'Set <customErrors mode="RemoteOnly" /> (or On) and <httpErrors errorMode="DetailedLocalOnly" />.',
});
const STACK_TRACE = probeRule({
  id: 'w3g-http-aspnet-stack-trace',
  title: 'Yellow screen of death with a stack trace',
  description: 'An error page shows the .NET exception and stack trace to remote users: code paths, class names, sometimes file paths.',
  severity: 'medium',
  confidence: 'certain',
  category: 'misconfiguration',
  remediation: 'Set <customErrors mode="RemoteOnly" /> and log the exceptions instead of showing them.',
});
const IIS_DETAILED = probeRule({
  id: 'w3g-http-iis-detailed-errors',
  title: 'IIS detailed error pages shown to remote users',
  description: 'IIS detailed errors show the physical path, handler and module to anyone.',
  severity: 'medium',
  confidence: 'certain',
  category: 'misconfiguration',
  remediation: 'Set <httpErrors errorMode="DetailedLocalOnly" />.',
});

const CONFIG_COPIES = ['/web.config', '/web.config.bak', '/web.config.old', '/web.config~', '/web.config.orig', '/web.config.txt', '/web.config.save', '/web.config.1', '/App_Data/web.config'];
const LISTING_DIRS = ['/', '/uploads/', '/files/', '/images/', '/App_Data/', '/backup/', '/aspnet_client/'];
const LISTING_MARKER = /\[To Parent Directory\]|<title>\s*Index of \/|<h1>\s*Index of \//i;

/** Exposed diagnostics (trace.axd, elmah.axd), web.config copies, directory listings and detailed errors. */
export const exposureCheck: ProbeCheck = {
  id: 'exposures',
  rules: [TRACE_AXD, ELMAH, CONFIG_COPY, LISTING, DETAILED_ERRORS, STACK_TRACE, IIS_DETAILED],
  async run(context) {
    const hits: ProbeHit[] = [];
    // Independent probes go out together; hits are collected in a fixed order so reports stay stable.
    const dirs = await listingCandidates(context);
    const [trace, elmah, copies, listings] = await Promise.all([
      context.fetch('/trace.axd'),
      context.fetch('/elmah.axd'),
      Promise.all(CONFIG_COPIES.map((path) => context.fetch(path))),
      Promise.all(dirs.map((path) => context.fetch(path))),
    ]);
    if (trace?.response.status === 200 && /Application Trace|Requests to this Application/i.test(trace.text)) hits.push(hitFor(TRACE_AXD, trace, 'trace viewer page'));
    if (elmah?.response.status === 200 && /Error Log for/i.test(elmah.text)) hits.push(hitFor(ELMAH, elmah, 'ELMAH error log page'));
    for (const copy of copies) {
      if (copy?.response.status === 200 && /<configuration[\s>]/.test(copy.text) && /<(system\.web|system\.webServer|appSettings|connectionStrings)/i.test(copy.text)) {
        hits.push(hitFor(CONFIG_COPY, copy, 'body is an IIS configuration file'));
      }
    }
    for (const dir of listings) {
      if (dir?.response.status === 200 && LISTING_MARKER.test(dir.text)) hits.push(hitFor(LISTING, dir, 'directory index page'));
    }
    const missing = await context.fetch('/w3guard-probe-404.aspx');
    if (missing !== undefined && /Server Error in '[^']*' Application/.test(missing.text) && /Version Information:/.test(missing.text)) {
      hits.push(hitFor(DETAILED_ERRORS, missing, 'ASP.NET error page with version information', '/'));
    }
    if (missing !== undefined && /Detailed Error Information/i.test(missing.text) && /Physical Path/i.test(missing.text)) {
      hits.push(hitFor(IIS_DETAILED, missing, 'IIS detailed error with the physical path', '/'));
    }
    const invalid = await context.fetch('/w3guard-probe.aspx?w3g=%3Cscript%3E');
    if (invalid !== undefined && invalid.response.status >= 400 && /Stack Trace:/.test(invalid.text) && /Server Error in '/.test(invalid.text)) {
      hits.push(hitFor(STACK_TRACE, invalid, 'error page with "Stack Trace:"', '/'));
    }
    return hits;
  },
};

/** Common folders plus the folders of links on the home page. */
async function listingCandidates(context: ProbeContext): Promise<string[]> {
  const dirs = new Set(LISTING_DIRS);
  const home = await context.fetch('/');
  if (home !== undefined) {
    for (const m of home.text.matchAll(/(?:href|src)\s*=\s*["']([^"'#?]+)/gi)) {
      const link = m[1] ?? '';
      let url: URL;
      try {
        url = new URL(link, `${context.base}/`);
      } catch {
        continue;
      }
      if (url.origin !== new URL(context.base).origin) continue;
      const dir = url.pathname.replace(/[^/]*$/, '');
      if (dir.length > 1 && dirs.size < 20) dirs.add(dir);
    }
  }
  return [...dirs];
}
