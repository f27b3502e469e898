import { OUTCOME_GRADED_TAG } from './grade-by-outcome.js';
import type { RuleMeta } from '../../core/rule-meta.js';
import type { WebRecord } from '../../formats/web-log/web-record.js';
import { requestTexts, servedOrUnknown, stemFileName, type WebDetector } from './web-detector.js';

/** File names of well-known ASP/ASP.NET web shells and tunnels (lower case). */
const WEB_SHELL_NAMES = new Set([
  'cmd.aspx', 'cmdasp.aspx', 'cmdasp.asp', 'shell.aspx', 'shell.asp', 'webshell.aspx', 'aspxspy.aspx', 'aspxspy2.aspx',
  'aspxshell.aspx', 'spy.aspx', 'chopper.aspx', 'caidao.aspx', 'antsword.aspx', 'godzilla.aspx', 'behinder.aspx',
  'tunnel.aspx', 'tunnel.ashx', 'tunnel.nosocket.aspx', 'regeorg.aspx', 'sharpyshell.aspx', 'up.aspx', 'upload.asp',
  'xx.aspx', 'cmd.ashx', 'shell.ashx', 'cmd.asmx', 'c99.php', 'r57.php', 'b374k.php', 'wso.php',
]);
const SCRIPT_EXTENSION = /\.(aspx|ashx|asmx|asp|cshtml|php)$/;

function meta(fields: Omit<RuleMeta, 'engine' | 'confidence'> & Partial<Pick<RuleMeta, 'confidence'>>): RuleMeta {
  return { engine: 'line-rule', confidence: 'firm', ...fields };
}

/** Removes Log4j lookup obfuscation (`${lower:j}`, `${::-n}`, `${env:X:-d}`) so `${jndi:` shows through. */
function unwrapLookups(text: string): string {
  let current = text;
  for (let round = 0; round < 8; round += 1) {
    const next = current.replace(/\$\{(?:[^${}]*?:-|lower:|upper:)([^${}]*)\}/gi, '$1');
    if (next === current) return current;
    current = next;
  }
  return current;
}

const log4shell: WebDetector = {
  meta: meta({
    id: 'w3g-web-log4shell-jndi',
    title: 'Log4Shell JNDI lookup string in a request',
    description: 'A request field carries a Log4j `${jndi:` lookup (CVE-2021-44228), plain, encoded or obfuscated. On a pure IIS/.NET site this is scanning; it matters where IIS proxies to a Java back end.',
    severity: 'medium',
    category: 'exploitation',
    tags: ['attack.initial-access', 'attack.t1190', 'cve.2021-44228'],
    references: ['https://nvd.nist.gov/vuln/detail/CVE-2021-44228'],
    remediation: 'Check whether this site forwards requests to Java applications (ARR, URL Rewrite) and patch Log4j there; block the source.',
  }),
  needles: ['${', 'jndi'],
  test(record) {
    for (const text of requestTexts(record)) {
      if (text.indexOf('${') < 0) continue;
      const plain = unwrapLookups(text).toLowerCase();
      if (!/\$\{\s*jndi\s*:/.test(plain)) continue;
      // Authorised scanners announce themselves with their own callback hosts.
      if (plain.includes('nessus')) continue;
      return true;
    }
    return false;
  },
};

const webShellRequest: WebDetector = {
  meta: meta({
    id: 'w3g-web-webshell-request',
    title: 'Request served by a known web-shell name or a script in aspnet_client',
    description: 'The server answered a request for a file named like a well-known ASP.NET web shell or tunnel, or for a script under /aspnet_client/, a folder that only ever holds static client files (the HAFNIUM and Lazarus drop location).',
    severity: 'high',
    category: 'web-shell',
    tags: ['attack.persistence', 'attack.t1505.003'],
    references: ['https://media.defense.gov/2020/Jun/09/2002313081/-1/-1/0/CSI-DETECT-AND-PREVENT-WEB-SHELL-MALWARE-20200422.PDF'],
    remediation: 'Inspect the file on disk (w3guard sweep), compare it with the deployment, remove it, and find how it was written.',
  }),
  needles: [...WEB_SHELL_NAMES, 'aspnet_client'],
  test(record) {
    if (!servedOrUnknown(record)) return false;
    const name = stemFileName(record);
    if (WEB_SHELL_NAMES.has(name)) return true;
    const stem = (record.decoded('cs-uri-stem') ?? '').toLowerCase();
    return stem.includes('/aspnet_client/') && SCRIPT_EXTENSION.test(name);
  },
};

const SENSITIVE_TARGET = /(?:\.\.[\\/]|[\\/]\.\.(?:[\\/]|$)).*?(web\.config|applicationhost\.config|machine\.config|win\.ini|boot\.ini|global\.asa)/;

const traversalToConfig: WebDetector = {
  meta: meta({
    id: 'w3g-web-traversal-config',
    title: 'Path traversal to web.config or another server file',
    description: 'The decoded URI climbs out of its folder (`../`, `..\\`, double-encoded or overlong UTF-8) towards web.config, applicationHost.config, machine.config or win.ini: an attempt to read keys and connection strings.',
    severity: 'high',
    category: 'exploitation',
    tags: ['attack.initial-access', 'attack.t1190', 'attack.credential-access', 'attack.t1552.001', OUTCOME_GRADED_TAG],
    references: ['https://owasp.org/www-community/attacks/Path_Traversal'],
    remediation: 'Fix the handler that takes a file name from the request; if the request succeeded, rotate the machineKey and every secret in web.config.',
  }),
  needles: ['web.config', 'applicationhost.config', 'machine.config', 'win.ini', 'boot.ini', 'global.asa'],
  test(record: WebRecord) {
    const target = `${record.decoded('cs-uri-stem') ?? ''}?${record.decoded('cs-uri-query') ?? ''}`.toLowerCase();
    return SENSITIVE_TARGET.test(target);
  },
};

/**
 * Detectors written as code, where a Sigma rule cannot say it as well (unwrapping Log4j lookups, a set of
 * file names, climbing out of a folder); the rest of the content is Sigma in `content/sigma/weblog`.
 */
export const BUILTIN_WEB_RULES: readonly WebDetector[] = [log4shell, webShellRequest, traversalToConfig];
