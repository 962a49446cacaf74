import { CompiledMatcher, type DomainMatcher } from '../lists/domain-matcher.js';
import { MatcherBuilder } from '../lists/matcher-builder.js';
import { RuleAction, RuleScope } from '../lists/rule-types.js';

// Names whose NXDOMAIN answer tells a device to keep its own encrypted DNS off and use the
// network's resolver, so the network's filter applies:
//   use-application-dns.net   Firefox's canary domain: NXDOMAIN keeps DNS over HTTPS off
//                             unless the user forced it on (Mozilla, "Canary domain")
//   mask.icloud.com           iCloud Private Relay: NXDOMAIN (or no answer) tells Apple
//   mask-h2.icloud.com        devices the network does not allow it (Apple, "Prepare your
//                             network or web server for iCloud Private Relay")
// Only NXDOMAIN works: a 0.0.0.0 or REFUSED answer is not read as the signal, so these names
// get NXDOMAIN whatever a policy's block_mode says. The shipped `bypass` list carries them.

export const ENCRYPTED_DNS_SIGNALS = ['use-application-dns.net', 'mask.icloud.com', 'mask-h2.icloud.com'] as const;

const signals: DomainMatcher = (() => {
  const b = new MatcherBuilder();
  const set = b.setFor(0);
  for (const n of ENCRYPTED_DNS_SIGNALS) b.addName(n, RuleAction.Block, RuleScope.Exact, set);
  return new CompiledMatcher(b.build());
})();

/** Whether the wire name is exactly one of ENCRYPTED_DNS_SIGNALS. */
export function isEncryptedDnsSignal(buf: Uint8Array, offsets: Int32Array, count: number): boolean {
  return signals.matches(buf, offsets, count);
}
