// An Apple configuration profile with one DNS settings payload (com.apple.dnsSettings.managed),
// which iPhone, iPad and macOS install from Settings to send every DNS query encrypted to this
// network's address: DoH when there is a URL, DoT otherwise.

function uuid(): string {
  // crypto.randomUUID exists only on https and localhost; consoles are often opened over plain http on a LAN
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`.toUpperCase();
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export interface ProfileInput {
  networkName: string;
  dohUrl?: string | null;
  dotHostname?: string | null;
  /** shown by the device as the profile's name and description */
  displayName: string;
  description: string;
}

export function mobileconfig(p: ProfileInput): string {
  const id = p.networkName.replace(/[^A-Za-z0-9-]/g, '-').toLowerCase();
  const dns = p.dohUrl
    ? `<key>DNSProtocol</key><string>HTTPS</string><key>ServerURL</key><string>${esc(p.dohUrl)}</string>`
    : `<key>DNSProtocol</key><string>TLS</string><key>ServerName</key><string>${esc(p.dotHostname ?? '')}</string>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>PayloadContent</key>
  <array>
    <dict>
      <key>DNSSettings</key>
      <dict>${dns}</dict>
      <key>PayloadDisplayName</key><string>${esc(p.displayName)}</string>
      <key>PayloadIdentifier</key><string>org.nestguard.dns.${esc(id)}.settings</string>
      <key>PayloadType</key><string>com.apple.dnsSettings.managed</string>
      <key>PayloadUUID</key><string>${uuid()}</string>
      <key>PayloadVersion</key><integer>1</integer>
    </dict>
  </array>
  <key>PayloadDescription</key><string>${esc(p.description)}</string>
  <key>PayloadDisplayName</key><string>${esc(p.displayName)}</string>
  <key>PayloadIdentifier</key><string>org.nestguard.dns.${esc(id)}</string>
  <key>PayloadRemovalDisallowed</key><false/>
  <key>PayloadType</key><string>Configuration</string>
  <key>PayloadUUID</key><string>${uuid()}</string>
  <key>PayloadVersion</key><integer>1</integer>
</dict>
</plist>
`;
}
