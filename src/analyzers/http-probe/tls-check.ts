import type { ScanIssue } from '../../core/scan-issue.js';
import { probeTls, type TlsReport } from '../../engines/tls-probe/probe-tls.js';
import type { SiteProbe } from './http-probe-analyzer.js';
import { excerpt, probeRule, type ProbeHit } from './probe-check.js';

const rule = (id: string, title: string, description: string, severity: 'low' | 'medium' | 'high', remediation: string) =>
  probeRule({ id: `w3g-tls-${id}`, title, description, severity, confidence: 'certain', category: 'tls', remediation });

const LEGACY = rule('legacy-protocol', 'TLS 1.0 or 1.1 accepted', 'The server still completes TLS 1.0 or 1.1 handshakes, deprecated since 2021 (RFC 8996).', 'medium', 'Disable TLS 1.0 and 1.1 under HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols (IIS Crypto or the CIS IIS 10 7.x settings).');
const NO_MODERN = rule('no-modern-protocol', 'Neither TLS 1.2 nor TLS 1.3 accepted', 'Clients can only reach the site over deprecated protocols.', 'high', 'Enable TLS 1.2 in SCHANNEL and in .NET (SchUseStrongCrypto).');
const WEAK_CIPHER = rule('weak-cipher', 'Cipher suite without forward secrecy or with a broken cipher accepted', 'The server accepts a suite with static RSA key exchange (recorded traffic can be decrypted if the key leaks) or a broken cipher (3DES, RC4, NULL).', 'low', 'Order ECDHE suites first and disable TLS_RSA_* suites (Disable-TlsCipherSuite, or the SSL Cipher Suite Order policy).');
const EXPIRED = rule('certificate-expired', 'Certificate expired', 'The server certificate is past its notAfter date.', 'high', 'Renew the certificate and bind the new one to the site (netsh http show sslcert).');
const EXPIRING = rule('certificate-expiring', 'Certificate expires within 30 days', 'The server certificate will expire soon.', 'low', 'Renew the certificate before it expires.');
const SELF_SIGNED = rule('certificate-self-signed', 'Self-signed certificate', 'The certificate is signed by its own key: browsers warn, and users learn to click through warnings.', 'medium', 'Use a certificate from a trusted CA (an internal CA for internal sites).');
const UNTRUSTED = rule('certificate-untrusted-chain', 'Certificate chain not trusted', 'The chain the server sends does not lead to a trusted root (missing intermediate or unknown CA).', 'medium', 'Install the intermediate certificates on the server so it sends the full chain.');
const MISMATCH = rule('certificate-name-mismatch', 'Certificate does not name the host', 'The certificate is not valid for the host name that was scanned.', 'medium', 'Bind a certificate whose subject alternative names include this host.');
const WEAK_KEY = rule('certificate-weak-key', 'Certificate key too small', 'The certificate key is below 2048 bits (RSA) or 256 bits (EC).', 'medium', 'Issue a new certificate with an RSA 2048+ or EC P-256+ key.');

/** TLS for every https target: protocol versions, weak suites, and the certificate (expiry, self-signed, name, chain, key size). */
export function tlsProbe(options: { timeoutMs?: number } = {}): SiteProbe {
  return {
    rules: [LEGACY, NO_MODERN, WEAK_CIPHER, EXPIRED, EXPIRING, SELF_SIGNED, UNTRUSTED, MISMATCH, WEAK_KEY],
    async run(context) {
      const url = new URL(context.base);
      if (url.protocol !== 'https:' || !context.client.scope.allows(url)) return { hits: [], issues: [] };
      const report = await probeTls(url.hostname.replace(/^\[|\]$/g, ''), Number(url.port || 443), options.timeoutMs);
      return judgeTls(report, `https://${url.host}`, context.now);
    },
  };
}

/** Turns a TLS report into hits for one endpoint. */
export function judgeTls(report: TlsReport, endpoint: string, now: Date): { hits: ProbeHit[]; issues: ScanIssue[] } {
  const hits: ProbeHit[] = [];
  const evidence = (text: string) => ({ kind: 'tls', url: endpoint, text: excerpt(text, 400) });
  const issues: ScanIssue[] = [];
  if (report.protocols.length === 0 && report.certificate === undefined) {
    issues.push({ code: 'tls.no-handshake', message: `${endpoint}: no TLS handshake completed`, path: endpoint });
    return { hits, issues };
  }
  for (const version of report.protocols.filter((p) => p === 'TLSv1' || p === 'TLSv1.1')) hits.push({ rule: LEGACY, locationKey: version, evidence: evidence(`${version} handshake accepted`) });
  if (!report.protocols.includes('TLSv1.2') && !report.protocols.includes('TLSv1.3')) hits.push({ rule: NO_MODERN, locationKey: 'protocols', evidence: evidence(`accepted: ${report.protocols.join(', ')}`) });
  for (const suite of report.weakCiphers) hits.push({ rule: WEAK_CIPHER, locationKey: suite, evidence: evidence(`${suite} accepted`) });
  const cert = report.certificate;
  if (cert !== undefined) {
    const left = cert.notAfterMs - now.getTime();
    if (left < 0) hits.push({ rule: EXPIRED, locationKey: 'certificate', evidence: evidence(`notAfter ${cert.validTo}; subject ${cert.subject}`) });
    else if (left < 30 * 86_400_000) hits.push({ rule: EXPIRING, locationKey: 'certificate', evidence: evidence(`notAfter ${cert.validTo}`) });
    if (cert.selfSigned) hits.push({ rule: SELF_SIGNED, locationKey: 'certificate', evidence: evidence(`subject = issuer = ${cert.subject}`) });
    else if (cert.chainError !== undefined) hits.push({ rule: UNTRUSTED, locationKey: 'certificate', evidence: evidence(`${cert.chainError}; issuer ${cert.issuer}`) });
    if (cert.nameMismatch !== undefined) hits.push({ rule: MISMATCH, locationKey: 'certificate', evidence: evidence(cert.nameMismatch) });
    if ((cert.keyType === 'RSA' && cert.keyBits < 2048) || (cert.keyType === 'EC' && cert.keyBits < 256)) hits.push({ rule: WEAK_KEY, locationKey: 'certificate', evidence: evidence(`${cert.keyType} ${cert.keyBits} bits`) });
  }
  const untested = [...report.untestable, ...report.untestableCiphers];
  if (untested.length > 0) issues.push({ code: 'tls.untestable', message: `${endpoint}: this machine's OpenSSL cannot offer ${untested.join(', ')}; not tested`, path: endpoint });
  return { hits, issues };
}
