import { excerpt, header, hitFor, probeRule, type ProbeCheck, type ProbeHit } from './probe-check.js';

const TRACE = probeRule({
  id: 'w3g-http-trace-enabled',
  title: 'HTTP TRACE answered',
  description: 'The server echoes TRACE requests, which can leak headers such as cookies to script in cross-site tracing attacks.',
  severity: 'low',
  confidence: 'certain',
  category: 'http-methods',
  remediation: 'Deny the TRACE verb with request filtering (<verbs><add verb="TRACE" allowed="false" /></verbs>).',
});
const WRITE = probeRule({
  id: 'w3g-http-write-methods',
  title: 'PUT or DELETE advertised',
  description: 'OPTIONS lists PUT or DELETE: if authorization is weak anyone can upload a web shell. Only advertised: no file was written to check.',
  severity: 'medium',
  confidence: 'tentative',
  category: 'http-methods',
  tags: ['attack.t1505.003'],
  remediation: 'Deny PUT and DELETE with request filtering unless an application needs them.',
});
const WEBDAV = probeRule({
  id: 'w3g-http-webdav-enabled',
  title: 'WebDAV enabled',
  description: 'The server speaks WebDAV (DAV header or a 207 answer to PROPFIND). WebDAV on IIS 6 is CVE-2017-7269; on any IIS it widens the write surface.',
  severity: 'medium',
  confidence: 'firm',
  category: 'http-methods',
  tags: ['cve.2017-7269'],
  remediation: 'Uninstall the WebDAV Publishing role service or disable WebDAV authoring for the site.',
});
const DEBUG = probeRule({
  id: 'w3g-http-aspnet-debug-verb',
  title: 'ASP.NET debugging enabled (DEBUG verb answered)',
  description: 'The DEBUG verb with "Command: stop-debug" is answered with 200 OK: the application is compiled with debug="true", which slows it down and shows more in errors.',
  severity: 'medium',
  confidence: 'firm',
  category: 'misconfiguration',
  remediation: 'Set <compilation debug="false" /> in web.config (or <deployment retail="true" /> in machine.config).',
});

/** HTTP methods: TRACE, advertised PUT/DELETE, WebDAV (OPTIONS and PROPFIND) and the DEBUG verb. */
export const methodCheck: ProbeCheck = {
  id: 'methods',
  rules: [TRACE, WRITE, WEBDAV, DEBUG],
  async run(context) {
    const hits: ProbeHit[] = [];
    const marker = 'w3guard-trace-marker';
    const trace = await context.fetch('/', { method: 'TRACE', headers: [['X-W3guard-Trace', marker]] });
    if (trace !== undefined && trace.response.status === 200 && trace.text.toLowerCase().includes(marker)) {
      hits.push(hitFor(TRACE, trace, 'the request headers came back in the body', '/'));
    }
    const options = await context.fetch('/', { method: 'OPTIONS' });
    if (options !== undefined) {
      const allowed = `${header(options, 'allow') ?? ''},${header(options, 'public') ?? ''}`.toUpperCase();
      const writes = ['PUT', 'DELETE'].filter((m) => new RegExp(`(^|[ ,])${m}($|[ ,])`).test(allowed));
      if (writes.length > 0 && options.response.status < 400) hits.push(hitFor(WRITE, options, `Allow/Public list ${writes.join(', ')}`, '/'));
      const dav = header(options, 'dav');
      if (dav !== undefined && options.response.status < 400) hits.push(hitFor(WEBDAV, options, `DAV: ${excerpt(dav)}`, '/'));
    }
    if (!hits.some((h) => h.rule === WEBDAV)) {
      const propfind = await context.fetch('/', { method: 'PROPFIND', headers: [['Depth', '0'], ['Content-Type', 'text/xml']] });
      if (propfind !== undefined && propfind.response.status === 207 && /multistatus/i.test(propfind.text)) hits.push(hitFor(WEBDAV, propfind, '207 Multi-Status', '/'));
    }
    const debug = await context.fetch('/w3guard-debug-probe.aspx', { method: 'DEBUG', headers: [['Command', 'stop-debug']] });
    if (debug !== undefined && debug.response.status === 200 && debug.text.trim() === 'OK') hits.push(hitFor(DEBUG, debug, 'body "OK"', '/'));
    return hits;
  },
};
