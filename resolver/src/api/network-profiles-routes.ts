import { createHash } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../config/config-schema.js';
import { parseHostPort } from '../config/host-port.js';
import { tokenAsDnsLabel } from '../policy/token-label.js';
import { loadNetworks, type StoredNetwork } from '../store/network-repository.js';
import { ApiError, forbidden, notFound } from './api-error.js';
import type { ApiContext } from './api-context.js';
import { mayNetwork } from './authorization.js';
import { ERRORS, IdParams } from './schemas/common.js';

// How a device away from home reaches its network's policy: the DoH URL and DoT host name
// that carry the network's token, and an Apple configuration profile (DNS settings payload)
// that sets either on an iPhone, iPad or Mac in one tap. The token grants the policy to any
// device, so only the network's editors see these.

export const NetworkEndpoints = Type.Object({
  doh_url: Type.Union([Type.String(), Type.Null()], { description: 'DoH over HTTPS with the token; null when HTTPS or tls.server_name is not configured' }),
  dot_hostname: Type.Union([Type.String(), Type.Null()], { description: 'the DoT server name ({token}.{server_name}), e.g. for Android "Private DNS"; null without DoT' }),
  dot_port: Type.Union([Type.Integer(), Type.Null()]),
}, { $id: 'NetworkEndpoints' });

interface Endpoints { doh_url: string | null; dot_hostname: string | null; dot_port: number | null }

/** `https://{server_name}[:port]` when HTTPS is served under a configured name, else null. */
export function httpsBaseUrl(c: Config): string | null {
  if (!c.tls.server_name || !c.tls.cert_file || c.http.https_listen === undefined) return null;
  const port = parseHostPort(c.http.https_listen).port;
  return `https://${c.tls.server_name}${port === 443 ? '' : `:${port}`}`;
}

/** the DoT listener clients are told about, when DoT is fully configured */
function dotListen(c: Config): string | undefined {
  return c.tls.server_name && c.tls.cert_file ? c.dns.dot_listen[0] : undefined;
}

export function networkEndpoints(c: Config, token: string): Endpoints {
  const base = httpsBaseUrl(c);
  const dot = dotListen(c);
  // a legacy token that is no DNS label cannot ride in a server name (see token-label.ts)
  const label = tokenAsDnsLabel(token);
  return {
    doh_url: base === null ? null : `${base}/dns-query/${token}`,
    dot_hostname: dot === undefined || label === null ? null : `${label}.${c.tls.server_name}`,
    dot_port: dot === undefined || label === null ? null : parseHostPort(dot).port,
  };
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A stable UUID per network, token and transport: downloading again replaces the profile. */
function uuidFrom(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\0')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`.toUpperCase();
}

/** The `.mobileconfig` plist: one com.apple.dnsSettings.managed payload. */
export function mobileconfig(networkName: string, token: string, transport: 'https' | 'tls', e: Endpoints): string {
  const settings = transport === 'https'
    ? `<key>DNSProtocol</key><string>HTTPS</string><key>ServerURL</key><string>${xml(e.doh_url!)}</string>`
    : `<key>DNSProtocol</key><string>TLS</string><key>ServerName</key><string>${xml(e.dot_hostname!)}</string>`;
  const inner = uuidFrom('dns', networkName, token, transport);
  const outer = uuidFrom('profile', networkName, token, transport);
  const title = xml(`Nestguard – ${networkName}`);
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>PayloadContent</key>
  <array>
    <dict>
      <key>DNSSettings</key>
      <dict>${settings}</dict>
      <key>PayloadDisplayName</key><string>${title}</string>
      <key>PayloadIdentifier</key><string>org.nestguard.dns.${inner}</string>
      <key>PayloadType</key><string>com.apple.dnsSettings.managed</string>
      <key>PayloadUUID</key><string>${inner}</string>
      <key>PayloadVersion</key><integer>1</integer>
    </dict>
  </array>
  <key>PayloadDisplayName</key><string>${title}</string>
  <key>PayloadIdentifier</key><string>org.nestguard.profile.${outer}</string>
  <key>PayloadType</key><string>Configuration</string>
  <key>PayloadUUID</key><string>${outer}</string>
  <key>PayloadVersion</key><integer>1</integer>
</dict>
</plist>
`;
}

const ProfileQuery = Type.Object({ transport: Type.Optional(Type.Union([Type.Literal('https'), Type.Literal('tls')], { description: 'https (DoH, the default) or tls (DoT)' })) }, { additionalProperties: false });

export const networkProfilesRoutes: FastifyPluginAsync<{ ctx: ApiContext }> = async (app, { ctx }) => {
  app.addSchema(NetworkEndpoints);
  const withToken = (actorOk: boolean, n: StoredNetwork | undefined, id: number): StoredNetwork & { doh_token: string } => {
    if (!n) throw notFound(`network ${id}`);
    if (!actorOk) throw forbidden('only the network\'s editors see its token');
    if (!n.doh_token) throw new ApiError(404, 'not-found', `network ${id} has no token; POST /api/networks/${id}/token makes one`);
    return n as StoredNetwork & { doh_token: string };
  };
  const find = (id: number) => loadNetworks(ctx.db).find((x) => x.id === id);

  app.get<{ Params: { id: number } }>('/api/networks/:id/endpoints', {
    schema: { tags: ['networks'], summary: 'The network\'s DoH URL and DoT host name (they carry its token)', params: IdParams, response: { 200: NetworkEndpoints, ...ERRORS } },
  }, async (req) => {
    const found = find(req.params.id);
    if (found && !mayNetwork(req.actor, 'read', found.id)) throw notFound(`network ${req.params.id}`);
    const n = withToken(found !== undefined && mayNetwork(req.actor, 'edit', found.id), found, req.params.id);
    return networkEndpoints(ctx.config, n.doh_token);
  });

  app.get<{ Params: { id: number }; Querystring: { transport?: 'https' | 'tls' } }>('/api/networks/:id/mobileconfig', {
    schema: {
      tags: ['networks'], summary: 'Apple configuration profile (.mobileconfig) setting the network\'s encrypted DNS',
      params: IdParams, querystring: ProfileQuery, response: { 200: Type.String({ description: 'application/x-apple-aspen-config' }), ...ERRORS },
    },
  }, async (req, reply) => {
    const found = find(req.params.id);
    if (found && !mayNetwork(req.actor, 'read', found.id)) throw notFound(`network ${req.params.id}`);
    const n = withToken(found !== undefined && mayNetwork(req.actor, 'edit', found.id), found, req.params.id);
    const transport = req.query.transport ?? 'https';
    const e = networkEndpoints(ctx.config, n.doh_token);
    if (transport === 'tls' && dotListen(ctx.config) !== undefined && tokenAsDnsLabel(n.doh_token) === null) {
      throw new ApiError(409, 'token-not-a-label', `network ${n.name}'s token is not a DNS label, so DoT cannot carry it; give it a \`token\` of 8-63 lower-case letters, digits or "-"`);
    }
    if ((transport === 'https' ? e.doh_url : e.dot_hostname) === null) {
      throw new ApiError(404, 'not-found', `${transport === 'https' ? 'DoH over HTTPS (http.https_listen' : 'DoT (dns.dot_listen'}, tls.server_name and a certificate) is not configured`);
    }
    const file = `nestguard-${n.name.replace(/[^A-Za-z0-9_-]+/g, '-')}-${transport === 'https' ? 'doh' : 'dot'}.mobileconfig`;
    reply.header('content-disposition', `attachment; filename="${file}"`);
    return reply.type('application/x-apple-aspen-config').send(mobileconfig(n.name, n.doh_token, transport, e));
  });
};
