import ipaddr from 'ipaddr.js';
import { isIP } from 'node:net';

/**
 * Address policy of the guarded fetcher: deny by default, allow only global unicast.
 *
 * Refused: loopback, RFC 1918 private, unique-local fc00::/7, link-local (169.254/16, fe80::/10),
 * unspecified (0.0.0.0/8, ::), multicast, broadcast, CGNAT 100.64/10, reserved/documentation/
 * benchmarking ranges, IPv4-compatible ::/96, discard 100::/64, Teredo, site-local, and cloud
 * metadata addresses (169.254.169.254, fd00:ec2::254, 100.100.100.200, 192.0.0.192).
 *
 * Addresses that embed an IPv4 address are judged by the embedded address:
 * IPv4-mapped ::ffff:a.b.c.d, SIIT ::ffff:0:a.b.c.d, NAT64 64:ff9b::/96 and 6to4 2002::/16.
 * So 64:ff9b::7f00:1 (NAT64 of 127.0.0.1) is refused while NAT64 of a public address is allowed
 * (IPv6-only clusters with DNS64 reach the public internet only that way). The local-use NAT64
 * prefix 64:ff9b:1::/48 (RFC 8215) is refused outright: its translation is site-specific.
 */

const METADATA_ADDRESSES = new Set([
  '169.254.169.254', // AWS, GCP, Azure, OpenStack, ...
  '169.254.170.2', // AWS ECS task metadata
  '100.100.100.200', // Alibaba Cloud
  '192.0.0.192', // Oracle Cloud
  'fd00:ec2::254', // AWS IMDS over IPv6
]);

const V4_ALLOWED_RANGES = new Set(['unicast']);
const V6_ALLOWED_RANGES = new Set(['unicast']);

export interface AddressVerdict {
  allowed: boolean;
  /** e.g. "address 127.0.0.1 is loopback"; present when refused. */
  reason?: string;
}

function describeV4(addr: ipaddr.IPv4, shown: string): AddressVerdict {
  const normal = addr.toString();
  if (METADATA_ADDRESSES.has(normal)) {
    return { allowed: false, reason: `address ${shown} is a cloud metadata address` };
  }
  const range = addr.range();
  if (!V4_ALLOWED_RANGES.has(range)) {
    return { allowed: false, reason: `address ${shown} is ${range}` };
  }
  return { allowed: true };
}

function embeddedV4(parts: number[]): ipaddr.IPv4 {
  return ipaddr.IPv4.parse(`${parts[0] >> 8}.${parts[0] & 0xff}.${parts[1] >> 8}.${parts[1] & 0xff}`);
}

/** Judge one IP address (v4 or v6, without brackets). Non-IP input is refused. */
export function checkAddress(address: string): AddressVerdict {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  // Zone ids (fe80::1%eth0) are link-local by definition.
  if (bare.includes('%')) return { allowed: false, reason: `address ${bare} has a zone id (link-local)` };
  if (!isIP(bare)) return { allowed: false, reason: `"${bare}" is not an IP address` };
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(bare);
  } catch {
    return { allowed: false, reason: `"${bare}" is not an IP address` };
  }
  if (parsed.kind() === 'ipv4') return describeV4(parsed as ipaddr.IPv4, bare);

  const v6 = parsed as ipaddr.IPv6;
  const compact = v6.toString();
  if (METADATA_ADDRESSES.has(compact)) {
    return { allowed: false, reason: `address ${bare} is a cloud metadata address` };
  }
  const range = v6.range();
  const p = v6.parts;
  switch (range) {
    case 'ipv4Mapped': // ::ffff:a.b.c.d
    case 'rfc6145': // ::ffff:0:a.b.c.d
      return describeV4(embeddedV4([p[6], p[7]]), `${bare} (${range})`);
    case 'rfc6052': {
      // 64:ff9b::/96 well-known NAT64 prefix: judge the embedded IPv4 address.
      if (p[0] === 0x64 && p[1] === 0xff9b && p[2] === 0 && p[3] === 0 && p[4] === 0 && p[5] === 0) {
        return describeV4(embeddedV4([p[6], p[7]]), `${bare} (NAT64)`);
      }
      return { allowed: false, reason: `address ${bare} is local-use NAT64` };
    }
    case '6to4':
      return describeV4(embeddedV4([p[1], p[2]]), `${bare} (6to4)`);
    default:
      break;
  }
  // IPv4-compatible ::a.b.c.d (deprecated): never legitimate.
  if (range === 'unicast' && p[0] === 0 && p[1] === 0 && p[2] === 0 && p[3] === 0 && p[4] === 0 && p[5] === 0) {
    return { allowed: false, reason: `address ${bare} is ipv4Compatible` };
  }
  if (!V6_ALLOWED_RANGES.has(range)) {
    return { allowed: false, reason: `address ${bare} is ${range}` };
  }
  return { allowed: true };
}

/** Hostnames that are loopback by definition (RFC 6761), refused without a DNS query. */
export function isLocalhostName(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost') || h === 'localhost.localdomain';
}
