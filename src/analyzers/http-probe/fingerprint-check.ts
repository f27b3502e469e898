import { excerpt, header, hitFor, probeRule, type ProbeCheck, type ProbeHit } from './probe-check.js';

/** IIS releases and the day Microsoft stopped patching the Windows Server that ships them. */
const IIS_END_OF_LIFE: Record<string, string> = {
  '5.0': '2010-07-13',
  '5.1': '2014-04-08',
  '6.0': '2015-07-14',
  '7.0': '2020-01-14',
  '7.5': '2020-01-14',
  '8.0': '2023-10-10',
  '8.5': '2023-10-10',
};

/** ASP.NET header versions whose whole .NET line is out of support. */
const ASPNET_END_OF_LIFE: Record<string, string> = { '1.0.3705': '2009-07-14', '1.1.4322': '2015-10-14' };

const IIS_VERSION = probeRule({
  id: 'w3g-http-iis-version',
  title: 'IIS version disclosed in the Server header',
  description: 'The Server header names the IIS version, which tells attackers which Windows Server and which HTTP.sys bugs to try.',
  severity: 'info',
  confidence: 'certain',
  category: 'fingerprint',
  tags: ['attack.t1592.002'],
  remediation: 'Set removeServerHeader="true" on system.webServer/security/requestFiltering (IIS 10) or strip it with a URL Rewrite outbound rule.',
});
const IIS_EOL = probeRule({
  id: 'w3g-http-iis-end-of-life',
  title: 'IIS release out of support',
  description: 'The Server header names an IIS release whose Windows Server no longer receives security updates.',
  severity: 'high',
  confidence: 'firm',
  category: 'end-of-life',
  references: ['https://learn.microsoft.com/en-us/lifecycle/products/'],
  remediation: 'Move the site to a supported Windows Server (2019 or later).',
});
const POWERED_BY = probeRule({
  id: 'w3g-http-x-powered-by',
  title: 'X-Powered-By header discloses the framework',
  description: 'X-Powered-By tells attackers the site runs ASP.NET.',
  severity: 'info',
  confidence: 'certain',
  category: 'fingerprint',
  remediation: 'Remove X-Powered-By under system.webServer/httpProtocol/customHeaders.',
});
const ASPNET_VERSION = probeRule({
  id: 'w3g-http-aspnet-version',
  title: 'ASP.NET version disclosed (X-AspNet-Version)',
  description: 'X-AspNet-Version names the CLR version of the application.',
  severity: 'low',
  confidence: 'certain',
  category: 'fingerprint',
  remediation: 'Set <httpRuntime enableVersionHeader="false" /> in web.config.',
});
const ASPNET_EOL = probeRule({
  id: 'w3g-http-aspnet-end-of-life',
  title: '.NET Framework release out of support',
  description: 'The ASP.NET version the site discloses belongs to a .NET Framework release that no longer receives security updates.',
  severity: 'high',
  confidence: 'firm',
  category: 'end-of-life',
  remediation: 'Move the application to .NET Framework 4.6.2 or later (4.8.1 preferred).',
});
const MVC_VERSION = probeRule({
  id: 'w3g-http-aspnetmvc-version',
  title: 'ASP.NET MVC version disclosed (X-AspNetMvc-Version)',
  description: 'X-AspNetMvc-Version names the MVC version of the application.',
  severity: 'low',
  confidence: 'certain',
  category: 'fingerprint',
  remediation: 'Set MvcHandler.DisableMvcResponseHeader = true in Application_Start.',
});
const DEFAULT_PAGE = probeRule({
  id: 'w3g-http-iis-default-page',
  title: 'IIS default welcome page served',
  description: 'The IIS welcome page (iisstart.htm) is still published: a forgotten or half-configured site.',
  severity: 'low',
  confidence: 'firm',
  category: 'exposure',
  remediation: 'Delete iisstart.htm and iisstart.png from the site root, or stop the Default Web Site.',
});

/** .NET 4.x point releases whose support ended, by the ASP.NET build in error pages (4.7.3062 is 4.7.2, …). */
function dotnetFrameworkEndOfLife(aspnetBuild: string): string | undefined {
  const [major, minor, build] = aspnetBuild.split('.').map(Number);
  if (major === 4 && minor === 0) return '2016-01-12';
  if (major === 4 && minor !== undefined && minor >= 5 && minor <= 6 && (minor < 6 || (build ?? 0) < 1590)) return '2022-04-26';
  return undefined;
}

/** Fingerprints IIS and ASP.NET from headers, the welcome page and error-page shapes, and their end of life. */
export const fingerprintCheck: ProbeCheck = {
  id: 'fingerprint',
  rules: [IIS_VERSION, IIS_EOL, POWERED_BY, ASPNET_VERSION, ASPNET_EOL, MVC_VERSION, DEFAULT_PAGE],
  async run(context) {
    const hits: ProbeHit[] = [];
    const home = await context.fetch('/');
    const today = context.now.toISOString().slice(0, 10);
    if (home !== undefined) {
      const server = header(home, 'server') ?? '';
      const iis = /Microsoft-IIS\/(\d+\.\d+)/i.exec(server);
      if (iis?.[1] !== undefined) {
        hits.push(hitFor(IIS_VERSION, home, `Server: ${excerpt(server)}`, 'server'));
        const eol = IIS_END_OF_LIFE[iis[1]];
        if (eol !== undefined && eol <= today) hits.push(hitFor(IIS_EOL, home, `IIS ${iis[1]} out of support since ${eol}`, `iis-${iis[1]}`));
      }
      const poweredBy = header(home, 'x-powered-by');
      if (poweredBy !== undefined) hits.push(hitFor(POWERED_BY, home, `X-Powered-By: ${excerpt(poweredBy)}`, 'x-powered-by'));
      const aspnet = header(home, 'x-aspnet-version');
      if (aspnet !== undefined) {
        hits.push(hitFor(ASPNET_VERSION, home, `X-AspNet-Version: ${excerpt(aspnet)}`, 'x-aspnet-version'));
        const eol = ASPNET_END_OF_LIFE[aspnet.trim()];
        if (eol !== undefined && eol <= today) hits.push(hitFor(ASPNET_EOL, home, `.NET ${aspnet.trim()} out of support since ${eol}`, `aspnet-${aspnet.trim()}`));
      }
      const mvc = header(home, 'x-aspnetmvc-version');
      if (mvc !== undefined) hits.push(hitFor(MVC_VERSION, home, `X-AspNetMvc-Version: ${excerpt(mvc)}`, 'x-aspnetmvc-version'));
    }
    const start = await context.fetch('/iisstart.htm');
    if (start !== undefined && start.response.status === 200 && /<title>\s*(IIS Windows Server|IIS7|IIS8|Internet Information Services)\s*</i.test(start.text)) {
      hits.push(hitFor(DEFAULT_PAGE, start, 'IIS welcome page title'));
    }
    // The ASP.NET error page names the exact framework build, more precise than X-AspNet-Version.
    const missing = await context.fetch('/w3guard-probe-404.aspx');
    const build = missing === undefined ? undefined : /ASP\.NET Version:\s*(\d+\.\d+\.\d+(?:\.\d+)?)/.exec(missing.text)?.[1];
    if (missing !== undefined && build !== undefined) {
      const eol = dotnetFrameworkEndOfLife(build);
      if (eol !== undefined && eol <= today) hits.push(hitFor(ASPNET_EOL, missing, `error page names ASP.NET ${build}, out of support since ${eol}`, `aspnet-${build}`));
    }
    return hits;
  },
};
