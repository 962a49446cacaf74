import dns2 from 'dns2';

// A small authoritative server for names outside the NSD test zone (safe-search hosts,
// CNAME-cloaking chains): dns2's UDP server on 127.0.0.1 answering from a table. A real DNS
// server on loopback, started by the test.

const { Packet } = dns2;

export type TableRecord =
  | { type: 'A'; address: string; ttl?: number }
  | { type: 'AAAA'; address: string; ttl?: number }
  | { type: 'CNAME'; target: string; ttl?: number };

export interface TableUpstream {
  port: number;
  /** questions received, "name TYPE", in order */
  asked: string[];
  close(): Promise<void>;
}

const TYPE_NAMES: Record<number, string> = { 1: 'A', 5: 'CNAME', 28: 'AAAA', 65: 'HTTPS' };

export async function startTableUpstream(table: Record<string, TableRecord[]>, o: { delayMs?: number } = {}): Promise<TableUpstream> {
  const asked: string[] = [];
  const server = dns2.createServer({
    udp: true,
    handle(request: InstanceType<typeof Packet>, send: (p: InstanceType<typeof Packet>) => void) {
      const response = Packet.createResponseFromRequest(request);
      const q = request.questions[0];
      const name = q.name.toLowerCase();
      asked.push(`${name} ${TYPE_NAMES[q.type] ?? q.type}`);
      // follow CNAMEs inside the table, as a recursive upstream would
      let owner = name;
      const rrs = table[name];
      if (!rrs) response.header.rcode = Packet.RCODE.NXDOMAIN;
      for (let hops = 0; hops < 8; hops++) {
        const here = table[owner] ?? [];
        const cname = here.find((r) => r.type === 'CNAME') as { target: string; ttl?: number } | undefined;
        if (cname) {
          response.answers.push({ name: owner, type: Packet.TYPE.CNAME, class: Packet.CLASS.IN, ttl: cname.ttl ?? 300, domain: cname.target } as never);
          owner = cname.target;
          continue;
        }
        for (const r of here) {
          if (TYPE_NAMES[q.type] !== r.type) continue;
          response.answers.push({ name: owner, type: q.type, class: Packet.CLASS.IN, ttl: r.ttl ?? 300, address: (r as { address: string }).address } as never);
        }
        break;
      }
      if (o.delayMs) setTimeout(() => send(response), o.delayMs);
      else send(response);
    },
  } as never);
  await server.listen({ udp: { port: 0, address: '127.0.0.1' } } as never);
  const port = (server.addresses() as { udp: { port: number } }).udp.port;
  return { port, asked, close: () => server.close() as Promise<void> };
}
