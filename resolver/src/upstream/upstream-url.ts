import { isIP } from 'node:net';

export type UpstreamProtocol = 'udp' | 'tcp' | 'tls' | 'https';

export interface UpstreamSpec {
  /** the text as configured: shown in health reports */
  url: string;
  protocol: UpstreamProtocol;
  host: string;
  port: number;
  /** TLS server name (SNI and certificate check) for tls:// and https:// */
  serverName?: string;
  /** full URL for https:// */
  href?: string;
}

const DEFAULT_PORT: Record<UpstreamProtocol, number> = { udp: 53, tcp: 53, tls: 853, https: 443 };

/**
 * `udp://1.1.1.1:53`, `tcp://…`, `tls://1.1.1.1:853#cloudflare-dns.com`, `https://dns.example/dns-query`.
 * A bare address means UDP. DoT names its certificate's host after `#`, because the address
 * alone cannot be verified.
 */
export function parseUpstreamUrl(text: string): UpstreamSpec {
  // `udp//1.2.3.4`, `tls:/…`: a scheme with a mangled separator would otherwise read as an address
  const mangled = /^(udp|tcp|tls|https):?\/+|^(udp|tcp|tls|https):(?!\/\/)/i.exec(text);
  if (mangled && !text.includes('://')) {
    const scheme = (mangled[1] ?? mangled[2]).toLowerCase();
    throw new Error(`"${text}": the scheme is written "${scheme}://" (colon and two slashes): ${scheme}://${text.slice(mangled[0].length)}`);
  }
  const raw = text.includes('://') ? text : `udp://${text}`;
  const scheme = raw.slice(0, raw.indexOf('://')) as UpstreamProtocol;
  if (!(scheme in DEFAULT_PORT)) throw new Error(`"${text}": scheme must be udp, tcp, tls or https`);
  if (scheme === 'https') {
    let u: URL;
    try { u = new URL(raw); } catch { throw new Error(`"${text}": not a valid URL`); }
    const host = u.hostname.replace(/^\[|\]$/g, '');
    return { url: text, protocol: 'https', host, port: Number(u.port || 443), serverName: isIP(host) ? undefined : host, href: u.href };
  }
  const rest = raw.slice(scheme.length + 3);
  const [addr, sni] = rest.split('#', 2);
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(addr) ?? /^([^:]+)(?::(\d+))?$/.exec(addr);
  if (!m) throw new Error(`"${text}": expected ${scheme}://address[:port]`);
  const host = m[1];
  if (!isIP(host)) throw new Error(`"${text}": ${scheme} upstreams take an IP address (a name would need a resolver to find it)`);
  const port = m[2] ? Number(m[2]) : DEFAULT_PORT[scheme];
  if (!(port > 0 && port < 65536)) throw new Error(`"${text}": port out of range`);
  if (scheme === 'tls' && !sni) throw new Error(`"${text}": tls:// needs the certificate name after #, e.g. tls://1.1.1.1:853#cloudflare-dns.com`);
  return { url: text, protocol: scheme, host, port, serverName: sni || undefined };
}
