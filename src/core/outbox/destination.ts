// Where a webhook may be sent. Cloud metadata, link-local, unspecified and reserved addresses are
// always refused; loopback and private ranges only when the operator allows private destinations
// (COOPWATCH_WEBHOOK_ALLOW_PRIVATE: a COOP network is often private). A URL is checked when a
// subscription is created, and every address a host name resolves to is checked again at connect
// time, so a name that later resolves somewhere else (DNS rebinding) is still refused.
// Pure: no Node-only imports (runs on Cloudflare Workers too).

export type AddressClass = 'loopback' | 'private' | 'link-local' | 'metadata' | 'public' | 'unspecified' | 'reserved';

export interface DestinationPolicy {
  /** Allow loopback and private (RFC 1918, CGNAT, unique-local) destinations. */
  allowPrivate: boolean;
}

export type DestinationCheck = { ok: true } | { ok: false; reason: string };

/** A destination refused by policy; `addressClass` says why when an address was at fault. */
export class DestinationRefusedError extends Error {
  readonly code = 'EDESTINATIONREFUSED';
  constructor(message: string, readonly addressClass?: AddressClass) {
    super(message);
    this.name = 'DestinationRefusedError';
  }
}

// ---- parsing ---------------------------------------------------------------------------------

/** Four octets of a strict dotted-decimal IPv4 address (no leading zeros), or null. */
export function parseIpv4(text: string): [number, number, number, number] | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const octets: number[] = [];
  for (const part of parts) {
    if (!/^(?:0|[1-9]\d{0,2})$/.test(part)) return null;
    const value = Number(part);
    if (value > 255) return null;
    octets.push(value);
  }
  return octets as [number, number, number, number];
}

/** Eight 16-bit groups of an IPv6 address (brackets and a zone id allowed), or null. */
export function parseIpv6(text: string): number[] | null {
  let s = text;
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (!s.includes(':')) return null;

  // A trailing dotted quad stands for the last two groups.
  const lastColon = s.lastIndexOf(':');
  const last = s.slice(lastColon + 1);
  if (last.includes('.')) {
    const v4 = parseIpv4(last);
    if (!v4) return null;
    s = `${s.slice(0, lastColon + 1)}${((v4[0] << 8) | v4[1]).toString(16)}:${((v4[2] << 8) | v4[3]).toString(16)}`;
  }

  const halves = s.split('::');
  if (halves.length > 2) return null;
  const parseGroups = (part: string): number[] | null => {
    if (part === '') return [];
    const groups: number[] = [];
    for (const g of part.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      groups.push(parseInt(g, 16));
    }
    return groups;
  };
  const head = parseGroups(halves[0]!);
  if (!head) return null;
  const want = 8;
  if (halves.length === 2) {
    const rest = parseGroups(halves[1]!);
    if (!rest) return null;
    const missing = want - head.length - rest.length;
    if (missing < 1) return null;
    return [...head, ...new Array<number>(missing).fill(0), ...rest];
  }
  if (head.length !== want) return null;
  return head;
}

/** True for a literal IPv4 or IPv6 address (IPv6 with or without brackets). */
export function isIpLiteral(text: string): boolean {
  return parseIpv4(text) !== null || parseIpv6(text) !== null;
}

// ---- classification --------------------------------------------------------------------------

function inV4(octets: readonly number[], base: readonly number[], prefix: number): boolean {
  const value = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
  const net = ((base[0]! << 24) | (base[1]! << 16) | (base[2]! << 8) | base[3]!) >>> 0;
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  return (value & mask) >>> 0 === (net & mask) >>> 0;
}

/** Cloud instance-metadata endpoints (AWS/GCP/Azure/OCI/DO 169.254.169.254, AWS ECS, Alibaba, Azure wireserver). */
const V4_METADATA = ['169.254.169.254', '169.254.170.2', '169.254.169.253', '100.100.100.200', '168.63.129.16'];

function classifyIpv4(o: readonly number[]): AddressClass {
  const dotted = o.join('.');
  if (V4_METADATA.includes(dotted)) return 'metadata';
  if (inV4(o, [0, 0, 0, 0], 8)) return 'unspecified'; // "this network": 0.0.0.0 reaches the local host
  if (inV4(o, [127, 0, 0, 0], 8)) return 'loopback';
  if (inV4(o, [169, 254, 0, 0], 16)) return 'link-local';
  if (inV4(o, [10, 0, 0, 0], 8) || inV4(o, [172, 16, 0, 0], 12) || inV4(o, [192, 168, 0, 0], 16)) return 'private';
  if (inV4(o, [100, 64, 0, 0], 10)) return 'private'; // CGNAT
  if (inV4(o, [198, 18, 0, 0], 15)) return 'private'; // benchmarking, used in labs
  if (
    inV4(o, [192, 0, 0, 0], 24) || // IETF protocol assignments
    inV4(o, [192, 0, 2, 0], 24) || inV4(o, [198, 51, 100, 0], 24) || inV4(o, [203, 0, 113, 0], 24) || // documentation
    inV4(o, [224, 0, 0, 0], 4) || // multicast
    inV4(o, [240, 0, 0, 0], 4) // reserved, and 255.255.255.255
  ) return 'reserved';
  return 'public';
}

function embeddedV4(g: readonly number[], at: number): number[] {
  return [g[at]! >> 8, g[at]! & 0xff, g[at + 1]! >> 8, g[at + 1]! & 0xff];
}

function classifyIpv6(g: readonly number[]): AddressClass {
  const zeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (g.every((x) => x === 0)) return 'unspecified';
  if (zeroUpTo(7) && g[7] === 1) return 'loopback';
  // IPv4-mapped ::ffff:a.b.c.d, IPv4-translated ::ffff:0:a.b.c.d, IPv4-compatible ::a.b.c.d: the IPv4 rules apply.
  if (zeroUpTo(5) && g[5] === 0xffff) return classifyIpv4(embeddedV4(g, 6));
  if (zeroUpTo(4) && g[4] === 0xffff && g[5] === 0) return classifyIpv4(embeddedV4(g, 6));
  if (zeroUpTo(6)) return classifyIpv4(embeddedV4(g, 6));
  // NAT64 well-known prefix 64:ff9b::/96 and 6to4 2002::/16 carry an IPv4 address too.
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) {
    const cls = classifyIpv4(embeddedV4(g, 6));
    if (cls !== 'public') return cls;
  }
  if (g[0] === 0x2002) {
    const cls = classifyIpv4(embeddedV4(g, 1));
    if (cls !== 'public') return cls;
  }
  // AWS instance metadata over IPv6 (Nitro): fd00:ec2::254 (and the DNS resolver fd00:ec2::253).
  if (g[0] === 0xfd00 && g[1] === 0x0ec2 && g.slice(2, 7).every((x) => x === 0) && (g[7] === 0x254 || g[7] === 0x253)) return 'metadata';
  if ((g[0]! & 0xffc0) === 0xfe80) return 'link-local';
  if ((g[0]! & 0xfe00) === 0xfc00) return 'private'; // unique local fc00::/7
  if ((g[0]! & 0xffc0) === 0xfec0) return 'private'; // deprecated site-local
  if ((g[0]! & 0xff00) === 0xff00) return 'reserved'; // multicast
  if (g[0] === 0x2001 && g[1] === 0x0db8) return 'reserved'; // documentation
  if ((g[0]! & 0xe000) !== 0x2000) return 'reserved'; // outside global unicast 2000::/3
  return 'public';
}

/** The class of a literal IPv4 or IPv6 address; throws when the text is not one. */
export function classifyAddress(ip: string): AddressClass {
  const v4 = parseIpv4(ip);
  if (v4) return classifyIpv4(v4);
  const v6 = parseIpv6(ip);
  if (v6) return classifyIpv6(v6);
  throw new Error(`not an IP address: ${JSON.stringify(ip)}`);
}

// ---- policy ----------------------------------------------------------------------------------

const ALWAYS_REFUSED: Partial<Record<AddressClass, string>> = {
  metadata: 'cloud metadata addresses are always refused',
  'link-local': 'link-local addresses are always refused',
  unspecified: 'unspecified addresses (0.0.0.0, ::) are always refused',
  reserved: 'reserved, multicast and documentation addresses are always refused',
};

/** Why an address of this class is refused under the policy, or null when it is allowed. */
export function refusalReason(cls: AddressClass, policy: DestinationPolicy): string | null {
  const always = ALWAYS_REFUSED[cls];
  if (always) return always;
  if ((cls === 'loopback' || cls === 'private') && !policy.allowPrivate) {
    return `${cls} addresses are refused unless private destinations are allowed (COOPWATCH_WEBHOOK_ALLOW_PRIVATE)`;
  }
  return null;
}

/** Host names of cloud metadata services, refused whatever they resolve to. */
const METADATA_HOSTS = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'metadata.azure.internal',
  'metadata.packet.net',
  'metadata.tencentyun.com',
  'instance-data',
  'instance-data.ec2.internal',
]);

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * Checks a destination URL when a subscription is created or changed: http(s) only, no
 * credentials, and a literal IP or well-known name checked against the policy. Names are
 * checked again against the addresses they resolve to at connect time.
 */
export function checkDestinationUrl(url: string, policy: DestinationPolicy): DestinationCheck {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: 'not a valid absolute URL' };
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return { ok: false, reason: 'only http and https URLs are allowed' };
  if (parsed.username || parsed.password) return { ok: false, reason: 'credentials in the URL are not allowed: use a header or the secret' };
  // The WHATWG parser has already turned 0x7f.1, 2130706433 and the like into dotted decimal.
  const host = stripBrackets(parsed.hostname).toLowerCase().replace(/\.$/, '');
  if (!host) return { ok: false, reason: 'the URL has no host' };
  if (isIpLiteral(host)) {
    const reason = refusalReason(classifyAddress(host), policy);
    return reason ? { ok: false, reason: `${host}: ${reason}` } : { ok: true };
  }
  if (METADATA_HOSTS.has(host)) return { ok: false, reason: `${host}: cloud metadata hosts are always refused` };
  if (host === 'localhost' || host.endsWith('.localhost')) {
    const reason = refusalReason('loopback', policy);
    return reason ? { ok: false, reason: `${host}: ${reason}` } : { ok: true };
  }
  return { ok: true };
}

/**
 * For the connect step, after DNS: throws a DestinationRefusedError when the address the
 * connection would go to is refused, so a name that resolves to a metadata or private address
 * (including by DNS rebinding after the URL was checked) never gets a connection.
 */
export function assertResolvedAddressAllowed(address: string, policy: DestinationPolicy): void {
  let cls: AddressClass;
  try {
    cls = classifyAddress(address);
  } catch {
    throw new DestinationRefusedError(`webhook destination refused: ${JSON.stringify(address)} is not an IP address`);
  }
  const reason = refusalReason(cls, policy);
  if (reason) throw new DestinationRefusedError(`webhook destination ${stripBrackets(address)} refused: ${reason}`, cls);
}
