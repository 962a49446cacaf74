import { Type, type Static } from '@sinclair/typebox';

// The configuration file's shape. Key names here are a public contract: operators keep
// these files under version control and the Docker image documents them. Add keys freely;
// never rename one.

// `description` is what a problem says is expected ("… is not <description>"); 'x-form' lets
// the problem offer the corrected form
const HostPort = Type.String({ pattern: '^(\\[[0-9a-fA-F:.]+\\]|[^\\s:\\[\\]]+):[0-9]{1,5}$', description: 'address:port, e.g. 127.0.0.1:53 or [::1]:53', 'x-form': 'host-port' });
const Cidr = Type.String({ minLength: 1, description: 'an IPv4 or IPv6 CIDR, or a single address' });
const Hhmm = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$', description: 'a time of day as HH:MM with two-digit hours, e.g. "07:00" (00:00 to 24:00)' });
const Day = Type.Union(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => Type.Literal(d)));
const IsoDate = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'a date as YYYY-MM-DD, e.g. "2026-12-24"' });

export const ListFormat = Type.Union(
  ['auto', 'hosts', 'domains', 'adblock', 'dnsmasq', 'rpz', 'regex'].map((f) => Type.Literal(f)),
);

export const BlocklistSourceSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    category: Type.String({ pattern: '^[a-z][a-z0-9_-]{0,31}$', description: 'a category name: lower-case letters, digits, "-" and "_", starting with a letter (e.g. "drugs")' }),
    source: Type.String({ minLength: 1, description: 'a file path (relative to the config file) or an http(s) URL' }),
    format: Type.Optional(ListFormat),
    enabled: Type.Optional(Type.Boolean()),
    refresh_hours: Type.Optional(Type.Number({ minimum: 0.05, maximum: 24 * 30 })),
    description: Type.Optional(Type.String()),
    license: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const ScheduleSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    days: Type.Array(Day, { minItems: 1 }),
    from: Hhmm,
    to: Hhmm,
    block: Type.Optional(Type.Array(Type.String())),
    // apps of the services catalog (blocklists/services/), or group ids meaning all of a group's
    services: Type.Optional(Type.Array(Type.String(), { description: 'service ids (tiktok, roblox) or group ids (games, social)' })),
    deny: Type.Optional(Type.Array(Type.String())),
    allow: Type.Optional(Type.Array(Type.String())),
    // date ranges (inclusive) on which this window does not apply: holidays, term breaks
    except: Type.Optional(Type.Array(Type.Object({ from: IsoDate, to: IsoDate, name: Type.Optional(Type.String()) }, { additionalProperties: false }))),
  },
  { additionalProperties: false },
);

export const SafeSearchSchema = Type.Object(
  {
    google: Type.Optional(Type.Boolean()),
    youtube: Type.Optional(Type.Union([Type.Literal(false), Type.Literal('strict'), Type.Literal('moderate')])),
    bing: Type.Optional(Type.Boolean()),
    duckduckgo: Type.Optional(Type.Boolean()),
    yandex: Type.Optional(Type.Boolean()),
    ecosia: Type.Optional(Type.Boolean()),
    pixabay: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const BlockMode = Type.Union(['nxdomain', 'null', 'refused', 'custom'].map((m) => Type.Literal(m)));

export const PolicySchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    description: Type.Optional(Type.String()),
    block: Type.Optional(Type.Array(Type.String())),
    services: Type.Optional(Type.Array(Type.String(), { description: 'service ids (tiktok, roblox) or group ids (games, social)' })),
    deny: Type.Optional(Type.Array(Type.String())),
    allow: Type.Optional(Type.Array(Type.String())),
    safe_search: Type.Optional(SafeSearchSchema),
    block_mode: Type.Optional(BlockMode),
    block_ips: Type.Optional(Type.Array(Type.String())),
    block_ttl: Type.Optional(Type.Integer({ minimum: 0, maximum: 86400 })),
    schedules: Type.Optional(Type.Array(ScheduleSchema)),
  },
  { additionalProperties: false },
);

/** a network token: a DNS label of 8 to 63 characters, so DoT can carry it as {token}.{server_name} */
export const TOKEN_LABEL_PATTERN = '^[a-z0-9]([a-z0-9-]{6,61})[a-z0-9]$';

export const NetworkSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    kind: Type.Optional(Type.Union(['school', 'home', 'isp', 'other'].map((k) => Type.Literal(k)))),
    cidrs: Type.Optional(Type.Array(Cidr)),
    // selects the network over DoT ({token}.{server_name}) and DoH (/dns-query/{token}); a DNS label
    token: Type.Optional(Type.String({ pattern: TOKEN_LABEL_PATTERN, description: 'a token of 8 to 63 lower-case letters, digits or "-" (a DNS label)' })),
    // the older name of `token`, still accepted
    doh_token: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{8,128}$', description: 'a token of 8 to 128 letters, digits, "-" or "_"' })),
    policy: Type.String({ minLength: 1 }),
    timezone: Type.Optional(Type.String()),
    contact: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const ConfigSchema = Type.Object(
  {
    data_dir: Type.String({ minLength: 1 }),
    log_level: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l))),
    // auto: readable lines when stdout is a terminal, JSON lines otherwise (services, containers)
    log_format: Type.Union([Type.Literal('auto'), Type.Literal('json'), Type.Literal('pretty')]),
    // reload when the config file changes, as on SIGHUP (polled: editors that replace the file are seen too)
    config_watch: Type.Boolean(),
    dns: Type.Object(
      {
        listen: Type.Array(HostPort, { minItems: 1 }),
        // largest UDP answer sent, whatever the client advertises (DNS flag day 2020)
        udp_payload_max: Type.Integer({ minimum: 512, maximum: 4096 }),
        tcp_idle_timeout_ms: Type.Integer({ minimum: 100, maximum: 600_000 }),
        tcp_max_connections: Type.Integer({ minimum: 1, maximum: 100_000 }),
        // a TCP/DoT frame (or TLS handshake) must be complete this long after its first byte
        tcp_frame_timeout_ms: Type.Integer({ minimum: 100, maximum: 60_000 }),
        // TCP/DoT connections at once from one /24 (IPv4) or /56 (IPv6)
        tcp_max_connections_per_prefix: Type.Integer({ minimum: 1, maximum: 100_000 }),
        // DNS over TLS (RFC 7858) addresses; needs tls.cert_file and tls.key_file
        dot_listen: Type.Array(HostPort),
        // a Node cluster of this many workers sharing the listening sockets (0 = one process)
        workers: Type.Integer({ minimum: 0, maximum: 64 }),
        // response rate limiting of UDP answers per client prefix (0 = off), against reflection
        ratelimit: Type.Integer({ minimum: 0, maximum: 10_000_000 }),
        ratelimit_slip: Type.Integer({ minimum: 0, maximum: 100 }),
        ratelimit_ipv4_prefix: Type.Integer({ minimum: 8, maximum: 32 }),
        ratelimit_ipv6_prefix: Type.Integer({ minimum: 16, maximum: 128 }),
        ratelimit_exempt: Type.Array(Type.String()),
        // UDP path: batched (recvmmsg/sendmmsg addon, a socket per worker), dgram (node:dgram),
        // or auto (batched where the addon is built)
        udp: Type.Union([Type.Literal('auto'), Type.Literal('batched'), Type.Literal('dgram')]),
      },
      { additionalProperties: false },
    ),
    http: Type.Object(
      {
        listen: HostPort,
        // connections at once per HTTP listener
        max_connections: Type.Integer({ minimum: 1, maximum: 100_000 }),
        // reverse proxies whose X-Forwarded-For names the real client; nobody else's is read
        trusted_proxies: Type.Array(Cidr),
        // HTTPS (HTTP/2 and HTTP/1.1) address; needs tls.cert_file and tls.key_file
        https_listen: Type.Optional(HostPort),
        // false: HTTPS serves DoH and the public report only; the console and API stay on `listen`
        https_admin: Type.Boolean(),
      },
      { additionalProperties: false },
    ),
    // the server certificate for DoT and HTTPS (PEM; the chain may follow the certificate)
    tls: Type.Object(
      {
        cert_file: Type.Optional(Type.String({ minLength: 1 })),
        key_file: Type.Optional(Type.String({ minLength: 1 })),
        // the name clients use, e.g. dns.example.org; {token}.{server_name} selects a network over DoT
        server_name: Type.Optional(Type.String({ pattern: '^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$', description: 'a lower-case DNS name, e.g. dns.example.org' })),
      },
      { additionalProperties: false },
    ),
    upstreams: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
    upstream: Type.Object(
      {
        // one try against one upstream
        try_timeout_ms: Type.Integer({ minimum: 50, maximum: 30_000 }),
        // the client never waits longer than this for an answer (stale or SERVFAIL after)
        resolve_timeout_ms: Type.Integer({ minimum: 100, maximum: 60_000 }),
        // extra CA bundle (PEM) trusted for DoT/DoH upstreams, besides the system store
        tls_ca_file: Type.Optional(Type.String()),
        // queries waiting for upstream answers at once; past it new ones get SERVFAIL
        max_waiting: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
      },
      { additionalProperties: false },
    ),
    cache: Type.Object(
      {
        // bounded: a typo of a few zeros must not ask for gigabytes of bookkeeping
        max_entries: Type.Integer({ minimum: 0, maximum: 10_000_000 }),
        max_bytes: Type.Integer({ minimum: 0 }),
        min_ttl: Type.Integer({ minimum: 0 }),
        max_ttl: Type.Integer({ minimum: 1 }),
        negative_max_ttl: Type.Integer({ minimum: 0 }),
        // RFC 8767: how long past expiry an answer may still be served when upstreams fail
        stale_window_s: Type.Integer({ minimum: 0 }),
        stale_answer_ttl: Type.Integer({ minimum: 1, maximum: 3600 }),
        // RFC 8767 client response timer: with a stale entry at hand, a slow upstream is
        // not waited for longer than this
        stale_answer_timeout_ms: Type.Integer({ minimum: 0, maximum: 60_000 }),
        prefetch: Type.Boolean(),
      },
      { additionalProperties: false },
    ),
    lists: Type.Object(
      {
        refresh_hours: Type.Number({ minimum: 0.05 }),
        fetch_timeout_ms: Type.Integer({ minimum: 100 }),
        max_bytes: Type.Integer({ minimum: 1024 }),
        max_regex: Type.Integer({ minimum: 0 }),
        bundled: Type.Boolean({ description: 'load the default offline set shipped in blocklists/' }),
      },
      { additionalProperties: false },
    ),
    stats: Type.Object(
      {
        flush_interval_s: Type.Number({ minimum: 0.1, maximum: 3600 }),
        hourly_retention_days: Type.Integer({ minimum: 1 }),
        daily_retention_days: Type.Integer({ minimum: 1 }),
        domain_threshold: Type.Integer({ minimum: 1 }),
        suppress_below: Type.Integer({ minimum: 1 }),
      },
      { additionalProperties: false },
    ),
    blocklists: Type.Array(BlocklistSourceSchema),
    policies: Type.Array(PolicySchema),
    networks: Type.Array(NetworkSchema),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;
export type BlocklistSourceConfig = Static<typeof BlocklistSourceSchema>;
export type PolicyConfig = Static<typeof PolicySchema>;
export type NetworkConfig = Static<typeof NetworkSchema>;
export type ScheduleConfig = Static<typeof ScheduleSchema>;
export type SafeSearchConfig = Static<typeof SafeSearchSchema>;
