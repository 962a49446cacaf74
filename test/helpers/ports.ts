import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

// A port is only "free" for a DNS server when UDP and TCP are both free on every address it
// will bind, so each candidate is probed with real sockets on all of them. Probing is racy by
// nature (another process may grab the port between probe and use); handing out each port at
// most once per test process removes the races between our own servers.

const handedOut = new Set<number>();

function bindTcp(host: string, port: number): Promise<{ port: number; close: () => Promise<void> } | null> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(null));
    srv.listen({ host, port, exclusive: true }, () => {
      const bound = (srv.address() as { port: number }).port;
      resolve({ port: bound, close: () => new Promise((r) => srv.close(() => r())) });
    });
  });
}

function bindUdp(host: string, port: number): Promise<{ close: () => Promise<void> } | null> {
  return new Promise((resolve) => {
    const sock = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', ipv6Only: host.includes(':') });
    sock.once('error', () => { sock.close(); resolve(null); });
    sock.bind({ address: host, port, exclusive: true }, () => {
      resolve({ close: () => new Promise((r) => sock.close(() => r())) });
    });
  });
}

/**
 * A port free for both UDP and TCP on every host given (default 127.0.0.1 only).
 * Pass ['127.0.0.1', '::1'] for a server listening on both loopbacks with one port.
 */
export async function freePort(hosts: readonly string[] = ['127.0.0.1']): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = await bindTcp(hosts[0], 0);
    if (!first) continue;
    const port = first.port;
    const held: { close: () => Promise<void> }[] = [first];
    let ok = !handedOut.has(port);
    for (let i = 0; ok && i < hosts.length; i++) {
      if (i > 0) {
        const t = await bindTcp(hosts[i], port);
        if (t) held.push(t); else ok = false;
      }
      if (ok) {
        const u = await bindUdp(hosts[i], port);
        if (u) held.push(u); else ok = false;
      }
    }
    await Promise.all(held.map((h) => h.close()));
    if (ok) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`ports: no port free for UDP and TCP on ${hosts.join(', ')} after 50 attempts`);
}

/** Several distinct ports, each free as `freePort` defines it. */
export async function freePorts(count: number, hosts: readonly string[] = ['127.0.0.1']): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(await freePort(hosts));
  return out;
}
