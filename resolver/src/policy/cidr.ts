import ipaddr from 'ipaddr.js';

// Address ranges as the network table stores and matches them. IPv4-mapped IPv6 forms
// (::ffff:10.0.0.0/104, ::ffff:127.0.0.2) are folded to IPv4: a dual-stack socket reports
// IPv4 clients that way, and a range must match whichever way the client arrived.

export interface Cidr {
  v6: boolean;
  /** 4 or 16 network bytes, host bits zeroed */
  bytes: number[];
  prefix: number;
  /** canonical text: "10.1.0.0/16", "2001:db8::/32" */
  text: string;
}

function zeroHostBits(bytes: number[], prefix: number): number[] {
  return bytes.map((b, i) => {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    return keep === 0 ? 0 : b & (0xff << (8 - keep)) & 0xff;
  });
}

/** Parses "a.b.c.d/n", "x::/n" or a single address; null when it is not one. */
export function parseCidr(text: string): Cidr | null {
  const t = text.trim();
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  let prefix: number;
  // ipaddr.js also accepts "10.1" and "0x7f.1" as IPv4; a config file means four decimal parts
  if (!t.includes(':') && !(t.includes('/') ? ipaddr.IPv4.isValidCIDRFourPartDecimal(t) : ipaddr.IPv4.isValidFourPartDecimal(t))) return null;
  try {
    if (t.includes('/')) [addr, prefix] = ipaddr.parseCIDR(t);
    else { addr = ipaddr.parse(t); prefix = addr.kind() === 'ipv4' ? 32 : 128; }
  } catch {
    return null;
  }
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() && prefix >= 96) {
    addr = (addr as ipaddr.IPv6).toIPv4Address();
    prefix -= 96;
  }
  const v6 = addr.kind() === 'ipv6';
  if (v6) (addr as ipaddr.IPv6).zoneId = undefined;
  const bytes = zeroHostBits(addr.toByteArray(), prefix);
  const canonical = v6 ? ipaddr.fromByteArray(bytes).toString() : bytes.join('.');
  return { v6, bytes, prefix, text: `${canonical}/${prefix}` };
}

/** An address's bytes (4 for IPv4, including IPv4-mapped IPv6; 16 otherwise), or null. */
export function addressBytes(address: string): number[] | null {
  try {
    return ipaddr.process(address).toByteArray();
  } catch {
    return null;
  }
}

/** 4 or 16 raw bytes of an address, for synthesised answers; null when not an address. */
export function parseAddress(text: string): { v6: boolean; bytes: Uint8Array } | null {
  if (text.includes(':') ? !ipaddr.IPv6.isValid(text) : !ipaddr.IPv4.isValidFourPartDecimal(text)) return null;
  const a = ipaddr.parse(text);
  return { v6: a.kind() === 'ipv6', bytes: Uint8Array.from(a.toByteArray()) };
}
