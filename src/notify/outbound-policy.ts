import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * Where the server may send notifications. Link-local addresses (169.254.0.0/16, fe80::/10) are refused
 * always: cloud metadata services live there and a channel URL must not reach them. Loopback and private
 * networks stay allowed: SIEMs and mail relays usually sit on them.
 */
export interface OutboundPolicy {
  /** Undefined when `address` (an IP literal) may be reached, else why not. */
  deny(address: string): string | undefined;
}

const ALWAYS_DENIED = new BlockList();
ALWAYS_DENIED.addSubnet('169.254.0.0', 16, 'ipv4');
ALWAYS_DENIED.addSubnet('fe80::', 10, 'ipv6');
ALWAYS_DENIED.addAddress('fd00:ec2::254', 'ipv6');
ALWAYS_DENIED.addAddress('0.0.0.0', 'ipv4');
ALWAYS_DENIED.addAddress('::', 'ipv6');

/** The default policy, with extra denied subnets (`10.0.0.0/8`) when an operator wants them. */
export function outboundPolicy(extraDenied: readonly string[] = []): OutboundPolicy {
  const extra = new BlockList();
  for (const cidr of extraDenied) {
    const [net, bits] = cidr.split('/');
    const family = isIP(net ?? '');
    if (family === 0 || bits === undefined) throw new Error(`not a subnet: ${cidr}`);
    extra.addSubnet(net ?? '', Number(bits), family === 6 ? 'ipv6' : 'ipv4');
  }
  return {
    deny(address: string): string | undefined {
      const bare = address.replace(/^\[|\]$/g, '');
      const family = isIP(bare);
      if (family === 0) return undefined;
      // IPv4-mapped IPv6 (::ffff:169.254.169.254) is the IPv4 address in disguise.
      const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare)?.[1];
      const [addr, type] = mapped !== undefined ? [mapped, 'ipv4' as const] : [bare, family === 6 ? ('ipv6' as const) : ('ipv4' as const)];
      if (ALWAYS_DENIED.check(addr, type)) return `${address} is a link-local or unspecified address`;
      if (extra.check(addr, type)) return `${address} is in a denied network`;
      return undefined;
    },
  };
}

/** The policy most callers use. */
export const DEFAULT_POLICY: OutboundPolicy = outboundPolicy();

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for sockets that refuses denied addresses after DNS resolution, so a name that resolves (or
 * re-resolves) to a metadata address is caught at connect time, not only when the channel was saved.
 */
export function guardedLookup(policy: OutboundPolicy) {
  return (hostname: string, options: LookupOptions | undefined, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...(options ?? {}), all: true }, (error, addresses) => {
      if (error !== null) return callback(error, []);
      for (const entry of addresses) {
        const why = policy.deny(entry.address);
        if (why !== undefined) return callback(Object.assign(new Error(`refused to connect to ${hostname}: ${why}`), { code: 'EW3GPOLICY' }), []);
      }
      const first = addresses[0];
      if (first === undefined) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
      if (options?.all === true) return callback(null, addresses);
      return callback(null, first.address, first.family);
    });
  };
}

/** Why a host (a name or an IP literal) in a channel's configuration is refused, checked before connecting. */
export function denyHost(policy: OutboundPolicy, host: string): string | undefined {
  return policy.deny(host);
}
