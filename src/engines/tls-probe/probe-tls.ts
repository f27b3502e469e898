import { checkServerIdentity, connect, createSecureContext, type PeerCertificate, type SecureVersion } from 'node:tls';

/** TLS protocol versions, oldest first, as Node names them. */
export const TLS_VERSIONS: readonly SecureVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** TLS 1.2-and-older suites whose key exchange is static RSA (no forward secrecy), in OpenSSL names; tested one by one. */
export const STATIC_RSA_SUITES: readonly string[] = ['AES128-SHA', 'AES256-SHA', 'AES128-SHA256', 'AES256-SHA256', 'AES128-GCM-SHA256', 'AES256-GCM-SHA384', 'DES-CBC3-SHA', 'RC4-SHA', 'RC4-MD5', 'NULL-SHA', 'NULL-SHA256'];

/** What the TLS probe learned about one endpoint. */
export interface TlsReport {
  readonly host: string;
  readonly port: number;
  /** Versions the server accepted. */
  readonly protocols: readonly SecureVersion[];
  /** Versions this machine's OpenSSL cannot offer, so they were not tested (SSLv3 always). */
  readonly untestable: readonly string[];
  /** Static-RSA / weak suites the server accepted (TLS 1.2 and older). */
  readonly weakCiphers: readonly string[];
  /** Weak suites the local OpenSSL cannot offer. */
  readonly untestableCiphers: readonly string[];
  readonly certificate?: CertificateFacts;
}

/** The server certificate, judged. */
export interface CertificateFacts {
  readonly subject: string;
  readonly issuer: string;
  readonly validTo: string;
  readonly notAfterMs: number;
  readonly selfSigned: boolean;
  /** OpenSSL's verdict on the chain (`DEPTH_ZERO_SELF_SIGNED_CERT`, `UNABLE_TO_VERIFY_LEAF_SIGNATURE`, …); undefined when trusted. */
  readonly chainError?: string;
  /** Set when the certificate does not name the host. */
  readonly nameMismatch?: string;
  readonly keyType: string;
  readonly keyBits: number;
}

interface Handshake {
  readonly protocol: string | null;
  readonly cipher: string;
  readonly cert?: PeerCertificate;
  readonly authorizationError?: string;
}

// OpenSSL 3 refuses TLS 1.0/1.1, SHA-1 and small keys at its default security level; level 0 lets us
// see what the server offers instead of what we would accept.
const PERMISSIVE = 'ALL:@SECLEVEL=0';

function handshake(host: string, port: number, options: { min: SecureVersion; max: SecureVersion; ciphers?: string; timeoutMs: number }): Promise<Handshake | undefined> {
  return new Promise((resolve) => {
    const servername = /^[\d.]+$|:/.test(host) ? undefined : host;
    const socket = connect({
      host,
      port,
      ...(servername === undefined ? {} : { servername }),
      minVersion: options.min,
      maxVersion: options.max,
      ciphers: options.ciphers ?? PERMISSIVE,
      rejectUnauthorized: false,
      timeout: options.timeoutMs,
    });
    const done = (result: Handshake | undefined): void => {
      socket.destroy();
      resolve(result);
    };
    socket.once('secureConnect', () => {
      const error = socket.authorizationError;
      done({
        protocol: socket.getProtocol(),
        cipher: socket.getCipher().standardName ?? socket.getCipher().name,
        cert: socket.getPeerCertificate(true),
        ...(error === null || error === undefined ? {} : { authorizationError: typeof error === 'string' ? error : error.message }),
      });
    });
    socket.once('error', () => done(undefined));
    socket.once('timeout', () => done(undefined));
  });
}

/** Whether this machine's OpenSSL can offer a suite at all: a context with only that suite must build. */
function locallyOffered(cipher: string): boolean {
  try {
    createSecureContext({ ciphers: `${cipher}:@SECLEVEL=0` });
    return true;
  } catch {
    return false;
  }
}

/** Probes one TLS endpoint: protocol versions one by one, weak suites one by one, and the certificate. */
export async function probeTls(host: string, port: number, timeoutMs = 5_000): Promise<TlsReport> {
  const protocols: SecureVersion[] = [];
  const untestable: string[] = ['SSLv3'];
  let certificate: CertificateFacts | undefined;
  for (const version of TLS_VERSIONS) {
    const result = await handshake(host, port, { min: version, max: version, timeoutMs });
    if (result === undefined || result.protocol !== version) continue;
    protocols.push(version);
    if (certificate === undefined && result.cert !== undefined) certificate = judgeCertificate(host, result);
  }
  const weakCiphers: string[] = [];
  const untestableCiphers: string[] = [];
  const legacy = protocols.filter((p) => p !== 'TLSv1.3');
  const top = legacy[legacy.length - 1];
  for (const suite of STATIC_RSA_SUITES) {
    if (!locallyOffered(suite)) {
      untestableCiphers.push(suite);
      continue;
    }
    if (top === undefined) continue;
    const result = await handshake(host, port, { min: legacy[0] ?? top, max: top, ciphers: `${suite}:@SECLEVEL=0`, timeoutMs });
    if (result !== undefined) weakCiphers.push(suite);
  }
  return { host, port, protocols, untestable, weakCiphers, untestableCiphers, ...(certificate === undefined ? {} : { certificate }) };
}

function judgeCertificate(host: string, result: Handshake): CertificateFacts {
  const cert = result.cert as PeerCertificate & { issuerCertificate?: PeerCertificate; pubkey?: Buffer; asn1Curve?: string };
  const subject = formatName(cert.subject);
  const issuer = formatName(cert.issuer);
  const identity = checkServerIdentity(host, cert);
  const selfSigned = result.authorizationError === 'DEPTH_ZERO_SELF_SIGNED_CERT' || (subject === issuer && cert.issuerCertificate === cert);
  return {
    subject,
    issuer,
    validTo: cert.valid_to,
    notAfterMs: Date.parse(cert.valid_to),
    selfSigned,
    ...(result.authorizationError === undefined ? {} : { chainError: result.authorizationError }),
    ...(identity === undefined ? {} : { nameMismatch: identity.message }),
    keyType: cert.asn1Curve !== undefined ? 'EC' : 'RSA',
    keyBits: cert.bits ?? 0,
  };
}

function formatName(name: PeerCertificate['subject'] | undefined): string {
  if (name === undefined || name === null) return '';
  return Object.entries(name)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`)
    .join(', ');
}
