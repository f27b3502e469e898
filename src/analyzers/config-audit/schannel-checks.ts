import { severityRank, type Severity } from '../../core/severity.js';
import type { RegistryKey } from '../../formats/registry-hive/registry-hive.js';
import type { RegistryValue } from '../../formats/registry-hive/registry-value.js';
import type { RegistryCheck, RegistryContext, RegistryResult } from './registry-check.js';
import { registryFix, type RegistryValueFix } from './registry-fix.js';
import { auditRule, cisRule, type CheckRuleSpec } from './check-rule.js';
import { BUILD_SERVER_2008, BUILD_SERVER_2008_R2, BUILD_SERVER_2012, BUILD_SERVER_2012_R2, BUILD_SERVER_2016, BUILD_SERVER_2022, BUILD_WINDOWS_1709, defaultByBuild, type WindowsDefault } from '../../formats/registry-hive/windows-build.js';

const SCHANNEL = 'Control\\SecurityProviders\\SCHANNEL';
const CURRENT_CONTROL_SET = 'HKLM\\SYSTEM\\CurrentControlSet';
const PASS: RegistryResult = { status: 'pass' };

/** Windows Server 2025 (Windows 11 24H2), where Microsoft has been turning TLS 1.0 and 1.1 off. */
const BUILD_SERVER_2025 = 26100;

type Thresholds = readonly (readonly [number, WindowsDefault])[];

/** A DWORD as found: its number, or why there is none, written the way the evidence shows it. */
interface DwordRead {
  readonly value?: number;
  readonly text: string;
}

function readDword(key: RegistryKey | undefined, name: string): DwordRead {
  const found: RegistryValue | undefined = key?.value(name);
  if (found === undefined) return { text: `${name} not set` };
  const value = key?.dword(name);
  // Schannel reads these as DWORDs only; a string "0" is ignored by Windows, so it must not count as off here.
  if (value === undefined) return { text: `${name} is ${found.typeName}, which Windows ignores` };
  return { value, text: `${name}=0x${value.toString(16)}` };
}

function versionText(build: number | undefined): string {
  return build === undefined ? 'the Windows version is unknown: no readable SOFTWARE hive' : `build ${build}`;
}

/** Judges a setting left to Windows: a known default decides; an unknown one is a low finding, never a pass. */
function byDefault(context: RegistryContext, thresholds: Thresholds, wantOn: boolean, fail: (note: string, severity?: Severity) => RegistryResult): RegistryResult {
  const state = defaultByBuild(context.build, thresholds);
  if (state === 'unknown') return fail(`relies on the default for this Windows version (${versionText(context.build)}), which w3guard cannot confirm is safe`, 'low');
  if ((state === 'on') === wantOn) return PASS;
  return fail(`relies on the default for this Windows version (${versionText(context.build)}), which is ${state === 'on' ? 'enabled' : 'disabled'}`);
}

interface ProtocolSpec {
  readonly cis: string;
  readonly slug: string;
  readonly protocol: string;
  readonly want: 'disabled' | 'enabled';
  readonly title: string;
  readonly description: string;
  readonly severity: Severity;
  readonly defaults: Thresholds;
}

/** The outbound side matters less on a web server (calls to back ends, updates), so its failures stay low. */
const CLIENT_SEVERITY: Severity = 'low';

/**
 * A check of one protocol's `Server` key (what IIS offers) and `Client` key (what the server uses when it calls
 * out): `Enabled` (0 is off, anything else on) and `DisabledByDefault`. CIS asks for both sides.
 */
function protocolCheck(spec: ProtocolSpec): RegistryCheck {
  const off = spec.want === 'disabled';
  const side = (name: 'Server' | 'Client'): { relative: string; location: string } => {
    const relative = `${SCHANNEL}\\Protocols\\${spec.protocol}\\${name}`;
    return { relative, location: `${CURRENT_CONTROL_SET}\\${relative}` };
  };
  const values: RegistryValueFix[] = [
    { name: 'Enabled', type: 'REG_DWORD', value: off ? 0 : 1 },
    { name: 'DisabledByDefault', type: 'REG_DWORD', value: off ? 1 : 0 },
  ];
  const expected = off ? 'Enabled=0x0 and DisabledByDefault=0x1' : 'Enabled=0x1 and DisabledByDefault=0x0';
  const judge = (context: RegistryContext, name: 'Server' | 'Client'): RegistryResult => {
    const { relative, location } = side(name);
    const key = context.controlSet.key(relative);
    const enabled = readDword(key, 'Enabled');
    const byDefaultOff = readDword(key, 'DisabledByDefault');
    const fail = (note: string, severity?: Severity): RegistryResult => {
      const chosen = name === 'Client' ? (severity !== undefined && severityRank(severity) < severityRank(CLIENT_SEVERITY) ? severity : CLIENT_SEVERITY) : severity;
      const prefix = name === 'Client' ? 'client side (outbound connections): ' : '';
      return { status: 'fail', location, file: context.systemFile, text: `${enabled.text}, ${byDefaultOff.text}: ${prefix}${note} (expected ${expected})`, ...(chosen === undefined ? {} : { severity: chosen }) };
    };
    const offByDefault = byDefaultOff.value !== undefined && byDefaultOff.value !== 0;
    if (off) {
      if (enabled.value === 0) return PASS;
      // HTTP.sys names no protocols, so DisabledByDefault keeps IIS off it; other software may still ask for it.
      if (offByDefault) return fail(`${spec.protocol} is only off by default; software that asks for it by name still gets it`, 'low');
      if (enabled.value !== undefined) return fail(`${spec.protocol} is enabled`);
      return byDefault(context, spec.defaults, false, fail);
    }
    if (enabled.value === 0) return fail(`${spec.protocol} is disabled`);
    if (offByDefault) return fail(`${spec.protocol} is off by default, so ${name === 'Server' ? 'IIS does not offer it' : 'outbound connections do not use it'}`);
    if (enabled.value !== undefined) return PASS;
    return byDefault(context, spec.defaults, true, fail);
  };
  return {
    meta: cisRule(spec.cis, 1, {
      slug: spec.slug,
      title: spec.title,
      description: spec.description,
      severity: spec.severity,
      category: 'tls',
      remediation: registryFix(
        `${off ? 'Turn' : 'Keep'} ${spec.protocol} ${off ? 'off' : 'on'} for the server and the client side of Schannel, then restart Windows.`,
        [side('Server').location, side('Client').location],
        values,
      ),
    }),
    evaluate(context) {
      return [judge(context, 'Server'), judge(context, 'Client')];
    },
  };
}

interface CipherSpec {
  /** The CIS IIS 10 number and level; a cipher CIS does not cover is one of w3guard's own checks. */
  readonly cis?: { readonly number: string; readonly level: 1 | 2 };
  readonly tags?: readonly string[];
  readonly slug: string;
  readonly ciphers: readonly string[];
  readonly want: 'disabled' | 'enabled';
  readonly title: string;
  readonly description: string;
  readonly severity: Severity;
  readonly defaults: Thresholds;
}

/** A check of Schannel cipher keys (`Ciphers\RC4 128/128`): `Enabled` 0 is off, anything else on. */
function cipherCheck(spec: CipherSpec): RegistryCheck {
  const off = spec.want === 'disabled';
  const relative = (cipher: string): string => `${SCHANNEL}\\Ciphers\\${cipher}`;
  const expected = off ? 'Enabled=0x0' : 'Enabled=0xffffffff';
  const rule: CheckRuleSpec = {
    slug: spec.slug,
    title: spec.title,
    description: spec.description,
    severity: spec.severity,
    category: 'tls',
    ...(spec.tags === undefined ? {} : { tags: spec.tags }),
    remediation: registryFix(
      `${off ? 'Turn' : 'Keep'} the ${spec.ciphers.join(', ')} cipher${spec.ciphers.length > 1 ? 's' : ''} ${off ? 'off' : 'on'} in Schannel, then restart Windows.`,
      spec.ciphers.map((cipher) => `${CURRENT_CONTROL_SET}\\${relative(cipher)}`),
      [{ name: 'Enabled', type: 'REG_DWORD', value: off ? 0 : 4294967295 }],
    ),
  };
  return {
    meta: spec.cis === undefined ? auditRule('cfg', rule) : cisRule(spec.cis.number, spec.cis.level, rule),
    evaluate(context) {
      return spec.ciphers.map((cipher) => {
        const enabled = readDword(context.controlSet.key(relative(cipher)), 'Enabled');
        const fail = (note: string, severity?: Severity): RegistryResult => ({
          status: 'fail',
          location: `${CURRENT_CONTROL_SET}\\${relative(cipher)}`,
          file: context.systemFile,
          text: `${enabled.text}: ${note} (expected ${expected})`,
          ...(severity === undefined ? {} : { severity }),
        });
        if (enabled.value === undefined) return byDefault(context, spec.defaults, !off, fail);
        if ((enabled.value !== 0) === !off) return PASS;
        return fail(`${cipher} is ${enabled.value === 0 ? 'disabled' : 'enabled'}`);
      });
    },
  };
}

const PROTOCOL_CHECKS: readonly RegistryCheck[] = [
  protocolCheck({
    cis: '7.2',
    slug: 'ssl2-disabled',
    protocol: 'SSL 2.0',
    want: 'disabled',
    title: 'SSL 2.0 is not turned off',
    description: 'SSL 2.0 is broken by design (no handshake integrity, weak MACs and export ciphers); a server that still speaks it can be downgraded and decrypted.',
    severity: 'high',
    defaults: [
      [BUILD_SERVER_2016, 'off'],
      [BUILD_SERVER_2012, 'unknown'],
      [0, 'on'],
    ],
  }),
  protocolCheck({
    cis: '7.3',
    slug: 'ssl3-disabled',
    protocol: 'SSL 3.0',
    want: 'disabled',
    title: 'SSL 3.0 is not turned off',
    description: 'SSL 3.0 falls to POODLE and offers only broken ciphers; clients forced down to it leak session cookies.',
    severity: 'high',
    // Whether Server 2016 and later still offer SSL 3.0 on the server side without registry settings is not something to guess.
    defaults: [
      [BUILD_SERVER_2016, 'unknown'],
      [0, 'on'],
    ],
  }),
  protocolCheck({
    cis: '7.4',
    slug: 'tls10-disabled',
    protocol: 'TLS 1.0',
    want: 'disabled',
    title: 'TLS 1.0 is not turned off',
    description: 'TLS 1.0 relies on SHA-1 and CBC constructions with known attacks (BEAST, Lucky13) and is no longer accepted by PCI DSS or modern browsers.',
    severity: 'medium',
    defaults: [
      [BUILD_SERVER_2025, 'unknown'],
      [0, 'on'],
    ],
  }),
  protocolCheck({
    cis: '7.5',
    slug: 'tls11-disabled',
    protocol: 'TLS 1.1',
    want: 'disabled',
    title: 'TLS 1.1 is not turned off',
    description: 'TLS 1.1 lacks modern AEAD cipher suites and is deprecated (RFC 8996); keeping it on only helps downgrade attacks.',
    severity: 'medium',
    defaults: [
      [BUILD_SERVER_2025, 'unknown'],
      [0, 'on'],
    ],
  }),
  protocolCheck({
    cis: '7.6',
    slug: 'tls12-enabled',
    protocol: 'TLS 1.2',
    want: 'enabled',
    title: 'TLS 1.2 is not turned on',
    description: 'Without TLS 1.2 the server can only negotiate older protocols with weak ciphers, or no HTTPS at all for modern clients.',
    severity: 'medium',
    defaults: [
      [BUILD_SERVER_2012, 'on'],
      [0, 'off'],
    ],
  }),
];

const CIPHER_CHECKS: readonly RegistryCheck[] = [
  cipherCheck({
    cis: { number: '7.7', level: 1 },
    slug: 'null-cipher-disabled',
    ciphers: ['NULL'],
    want: 'disabled',
    title: 'The NULL cipher is not turned off',
    description: 'NULL cipher suites authenticate but do not encrypt: traffic negotiated with them crosses the network in clear text.',
    severity: 'high',
    defaults: [[BUILD_SERVER_2008, 'off']],
  }),
  cipherCheck({
    cis: { number: '7.8', level: 1 },
    slug: 'des-cipher-disabled',
    ciphers: ['DES 56/56'],
    want: 'disabled',
    title: 'The DES 56/56 cipher is not turned off',
    description: 'Single DES has a 56-bit key that can be brute-forced in hours with commodity hardware.',
    severity: 'medium',
    defaults: [[BUILD_SERVER_2008_R2, 'off']],
  }),
  cipherCheck({
    cis: { number: '7.9', level: 1 },
    slug: 'rc4-ciphers-disabled',
    ciphers: ['RC4 40/128', 'RC4 56/128', 'RC4 64/128', 'RC4 128/128'],
    want: 'disabled',
    title: 'An RC4 cipher is not turned off',
    description: 'RC4 keystream biases let an attacker recover repeated plaintext such as cookies (RFC 7465 forbids it in TLS).',
    severity: 'medium',
    // Microsoft made the RC4 suites disabled by default in Windows 10 1709 (Server 1709, then Server 2019);
    // Windows Server 2016 (1607) still had them on.
    defaults: [
      [BUILD_WINDOWS_1709, 'off'],
      [BUILD_SERVER_2016, 'on'],
      [BUILD_SERVER_2012_R2, 'unknown'],
      [0, 'on'],
    ],
  }),
  cipherCheck({
    cis: { number: '7.10', level: 2 },
    slug: 'aes128-cipher-disabled',
    ciphers: ['AES 128/128'],
    want: 'disabled',
    title: 'AES 128/128 is not turned off (AES 256 only)',
    description: 'The stricter profile keeps only AES 256; AES 128 is not broken, so this is a hardening choice, not a vulnerability.',
    severity: 'low',
    defaults: [[BUILD_SERVER_2008, 'on']],
  }),
  cipherCheck({
    cis: { number: '7.11', level: 1 },
    slug: 'aes256-cipher-enabled',
    ciphers: ['AES 256/256'],
    want: 'enabled',
    title: 'AES 256/256 is turned off',
    description: 'With AES 256 off, the server falls back to weaker ciphers, or fails handshakes with clients that require it.',
    severity: 'medium',
    defaults: [[BUILD_SERVER_2008, 'on']],
  }),
];

/** Triple DES is not in CIS IIS 10 section 7, but its 64-bit blocks fall to Sweet32 (CVE-2016-2183) on long connections. */
const tripleDes: RegistryCheck = cipherCheck({
  slug: 'triple-des-cipher-disabled',
  ciphers: ['Triple DES 168'],
  want: 'disabled',
  title: 'The Triple DES 168 cipher is not turned off',
  description: 'Triple DES works on 64-bit blocks: on long-lived connections an attacker who can watch enough traffic recovers cookies (Sweet32, CVE-2016-2183).',
  severity: 'medium',
  tags: ['cve.2016-2183'],
  // On through Windows Server 2012 R2; later builds keep it for compatibility, which w3guard does not count as off.
  defaults: [
    [BUILD_SERVER_2016, 'unknown'],
    [0, 'on'],
  ],
});

/**
 * TLS 1.3 is Schannel's from Windows Server 2022 (build 20348) on, where it is on by default. Older builds do not
 * support it, and Microsoft warns that turning it on there is not a safe configuration.
 */
const tls13: RegistryCheck = {
  meta: auditRule('cfg', {
    slug: 'tls13-state',
    title: 'TLS 1.3 is turned off where Windows supports it, or forced on where it does not',
    description:
      'On Windows Server 2022 and later TLS 1.3 gives every modern client forward secrecy and AEAD ciphers; turning it off pushes them back to TLS 1.2. On older builds Schannel does not support it, and registry settings that turn it on are unsupported.',
    severity: 'low',
    category: 'tls',
    remediation: registryFix(
      'On Windows Server 2022 or later, remove the TLS 1.3 settings (or set them as shown) so the default applies; on older builds delete the TLS 1.3 key. Restart Windows.',
      [`${CURRENT_CONTROL_SET}\\${SCHANNEL}\\Protocols\\TLS 1.3\\Server`],
      [
        { name: 'Enabled', type: 'REG_DWORD', value: 1 },
        { name: 'DisabledByDefault', type: 'REG_DWORD', value: 0 },
      ],
    ),
  }),
  evaluate(context) {
    const relative = `${SCHANNEL}\\Protocols\\TLS 1.3\\Server`;
    const location = `${CURRENT_CONTROL_SET}\\${relative}`;
    const key = context.controlSet.key(relative);
    const enabled = readDword(key, 'Enabled');
    const byDefaultOff = readDword(key, 'DisabledByDefault');
    const found = `${enabled.text}, ${byDefaultOff.text}`;
    if (context.build === undefined) return [{ status: 'not-evaluated', reason: 'TLS 1.3 support depends on the Windows build, which is unknown without a readable SOFTWARE hive' }];
    if (context.build < BUILD_SERVER_2022) {
      if (enabled.value !== undefined && enabled.value !== 0) {
        return [{ status: 'fail', location, file: context.systemFile, severity: 'medium', text: `${found}: TLS 1.3 is turned on, but build ${context.build} predates Windows Server 2022, where Schannel supports it (expected no TLS 1.3 settings)` }];
      }
      return [{ status: 'not-evaluated', reason: `TLS 1.3 is supported from Windows Server 2022 (build ${BUILD_SERVER_2022}); this host runs an older build, which is no failure` }];
    }
    if (enabled.value === 0 || (byDefaultOff.value !== undefined && byDefaultOff.value !== 0)) {
      return [{ status: 'fail', location, file: context.systemFile, text: `${found}: TLS 1.3 is turned off on build ${context.build}, which supports it (expected the settings removed, or Enabled=0x1 and DisabledByDefault=0x0)` }];
    }
    return [PASS];
  },
};

const POLICY_ORDER = 'Policies\\Microsoft\\Cryptography\\Configuration\\SSL\\00010002';
const LOCAL_ORDER = 'Control\\Cryptography\\Configuration\\Local\\SSL\\00010002';

function isStringList(data: RegistryValue['data']): data is readonly string[] {
  return Array.isArray(data);
}

/** Cipher suite names from a `Functions` value: a comma-separated REG_SZ (policy) or a REG_MULTI_SZ (local). */
function suitesOf(value: RegistryValue | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const data = value.data;
  const parts: readonly string[] = typeof data === 'string' ? [data] : isStringList(data) ? data : [];
  const suites = parts
    .flatMap((part) => part.split(','))
    .map((suite) => suite.trim())
    .filter((suite) => suite !== '');
  return suites.length === 0 ? undefined : suites;
}

/** Suites that give no or breakable confidentiality, with how bad each family is. */
const WEAK_SUITES: readonly (readonly [RegExp, Severity, string])[] = [
  [/_NULL_|_NULL$|_WITH_NULL/i, 'high', 'NULL'],
  [/EXPORT/i, 'high', 'export-grade'],
  [/_ANON_/i, 'high', 'anonymous'],
  [/_RC4_/i, 'medium', 'RC4'],
  [/3DES|_DES_/i, 'medium', 'DES/3DES'],
  [/_MD5$/i, 'medium', 'MD5'],
];

const PREFERRED_FIRST = /^TLS_ECDHE_(?:ECDSA|RSA)_WITH_(?:AES_(?:128|256)_GCM|CHACHA20_POLY1305)_/i;
const AEAD = /_GCM_|CHACHA20_POLY1305/i;
const CBC_SHA1 = /_CBC_SHA$/i;

/** What is wrong with a cipher suite order, worst first, with the severity it deserves. */
function judgeOrder(suites: readonly string[]): { problems: string[]; severity: Severity } | undefined {
  const problems: string[] = [];
  let severity: Severity | undefined;
  const raise = (next: Severity): void => {
    if (severity === undefined || severityRank(next) > severityRank(severity)) severity = next;
  };
  for (const [pattern, weight, family] of WEAK_SUITES) {
    const weak = suites.filter((suite) => pattern.test(suite));
    if (weak.length === 0) continue;
    problems.push(`${family} suites enabled: ${weak.join(', ')}`);
    raise(weight);
  }
  // TLS 1.3 suites (TLS_AES_256_GCM_SHA384) carry no key exchange in their name and are fine at the top.
  const tls12 = suites.filter((suite) => /_WITH_/i.test(suite));
  const first = tls12[0];
  if (first !== undefined && !PREFERRED_FIRST.test(first)) {
    problems.push(`${first} is preferred over ECDHE with AES-GCM`);
    raise('low');
  }
  const firstAead = tls12.findIndex((suite) => AEAD.test(suite));
  const cbcFirst = (firstAead === -1 ? tls12 : tls12.slice(0, firstAead)).filter((suite) => CBC_SHA1.test(suite));
  if (cbcFirst.length > 0) {
    problems.push(`CBC suites with SHA-1 ranked above every AES-GCM suite: ${cbcFirst.join(', ')}`);
    raise('low');
  }
  return severity === undefined ? undefined : { problems, severity };
}

const cipherSuiteOrder: RegistryCheck = {
  meta: cisRule('7.12', 2, {
    slug: 'tls-cipher-suite-order',
    title: 'The TLS cipher suite order is weak or not configured',
    description:
      'The server takes the first suite in its list that the client also offers; weak suites anywhere in it, or CBC/SHA-1 suites ahead of ECDHE with AES-GCM, let clients (or an attacker in the middle) settle on weak protection.',
    severity: 'medium',
    category: 'tls',
    remediation: registryFix(
      'Set an explicit order that starts with ECDHE and AES-GCM and leaves out NULL, export, RC4, DES and 3DES suites (the policy key wins over the local one), then restart Windows. With PowerShell 5+ the TLS module does the same: Disable-TlsCipherSuite / Enable-TlsCipherSuite -Position.',
      [`HKLM\\SOFTWARE\\${POLICY_ORDER}`],
      [
        {
          name: 'Functions',
          type: 'REG_SZ',
          value: 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
        },
      ],
    ),
  }),
  evaluate(context) {
    const policy = suitesOf(context.software?.key(POLICY_ORDER)?.value('Functions'));
    const local = suitesOf(context.controlSet.key(LOCAL_ORDER)?.value('Functions'));
    const where =
      policy !== undefined && context.softwareFile !== undefined
        ? { suites: policy, location: `HKLM\\SOFTWARE\\${POLICY_ORDER}`, file: context.softwareFile }
        : { suites: local, location: `${CURRENT_CONTROL_SET}\\${LOCAL_ORDER}`, file: context.systemFile };
    if (where.suites === undefined) {
      return [
        {
          status: 'fail',
          location: where.location,
          file: where.file,
          severity: 'low',
          text: `Functions not set here or in the policy key: relies on the default order for this Windows version (${versionText(context.build)}), which keeps CBC suites with SHA-1 (expected an explicit order, ECDHE with AES-GCM first)`,
        },
      ];
    }
    const judged = judgeOrder(where.suites);
    if (judged === undefined) return [PASS];
    const unread = context.software === undefined ? '; policy key not checked: no SOFTWARE hive' : '';
    return [{ status: 'fail', location: where.location, file: where.file, severity: judged.severity, text: `${judged.problems.join('; ')}${unread}; Functions=${where.suites.join(',')}` }];
  },
};

/** The Schannel checks (CIS IIS 10 section 7): protocols, ciphers and cipher suite order, read from the SYSTEM and SOFTWARE hives. */
export const SCHANNEL_CHECKS: readonly RegistryCheck[] = [...PROTOCOL_CHECKS, ...CIPHER_CHECKS, cipherSuiteOrder, tripleDes, tls13];
