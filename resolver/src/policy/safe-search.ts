import type { SafeSearchConfig } from '../config/config-schema.js';
import { encodeName } from '../dns/wire.js';
import { CompiledMatcher, type DomainMatcher } from '../lists/domain-matcher.js';
import { MatcherBuilder } from '../lists/matcher-builder.js';
import { RuleAction, RuleScope } from '../lists/rule-types.js';
import { GOOGLE_SEARCH_DOMAINS } from './google-domains.js';

// Safe search is enforced the way each engine documents for networks it does not manage
// itself: the resolver answers the engine's hosts with a CNAME to an "enforced" host whose
// servers always filter. Only engines with a documented DNS endpoint are listed, because an
// undocumented target can vanish or start serving something else:
//
//   engine      hosts rewritten                                    target
//   google      google.<every search domain>, www.google.<...>     forcesafesearch.google.com
//               (Google: "Lock SafeSearch for devices & networks you manage")
//   youtube     www.youtube.com, m.youtube.com, youtubei.googleapis.com,
//               youtube.googleapis.com, www.youtube-nocookie.com   restrict.youtube.com (strict)
//                                                                  restrictmoderate.youtube.com (moderate)
//               (Google Workspace: "Manage YouTube content on your network")
//   bing        www.bing.com                                       strict.bing.com
//               (Microsoft: "Block adult content with SafeSearch")
//   duckduckgo  duckduckgo.com, www.duckduckgo.com,
//               start.duckduckgo.com                               safe.duckduckgo.com
//               (DuckDuckGo help: "Safe Search" for networks)
//   pixabay     pixabay.com                                        safesearch.pixabay.com
//
// Yandex and Ecosia are accepted in the configuration but not enforced: their network
// enforcement is published as fixed addresses or not at all, not as a host to alias, so the
// policy compiler reports them as unsupported instead of pretending to filter.
//
// Every query type of a listed host is rewritten, not only A/AAAA: a CNAME aliases the whole
// name (RFC 1034), and leaving HTTPS/SVCB unrewritten would hand browsers the unfiltered
// servers' addresses in ipv4hint/ipv6hint.

export const SAFE_SEARCH_ENGINES = ['google', 'youtube', 'bing', 'duckduckgo', 'pixabay'] as const;
export type SafeSearchEngine = (typeof SAFE_SEARCH_ENGINES)[number];
export const UNSUPPORTED_SAFE_SEARCH = ['yandex', 'ecosia'] as const;

const HOSTS: Record<SafeSearchEngine, readonly string[]> = {
  google: GOOGLE_SEARCH_DOMAINS.flatMap((d) => [d, `www.${d}`]),
  youtube: ['www.youtube.com', 'm.youtube.com', 'youtubei.googleapis.com', 'youtube.googleapis.com', 'www.youtube-nocookie.com'],
  bing: ['www.bing.com'],
  duckduckgo: ['duckduckgo.com', 'www.duckduckgo.com', 'start.duckduckgo.com'],
  pixabay: ['pixabay.com'],
};

const ALL_TARGETS = [
  'forcesafesearch.google.com',
  'restrict.youtube.com',
  'restrictmoderate.youtube.com',
  'strict.bing.com',
  'safe.duckduckgo.com',
  'safesearch.pixabay.com',
];

/** The enforced host for an engine under a policy's setting, or null when off. */
function targetFor(engine: SafeSearchEngine, cfg: SafeSearchConfig): string | null {
  switch (engine) {
    case 'google': return cfg.google ? 'forcesafesearch.google.com' : null;
    case 'youtube': return cfg.youtube === 'strict' ? 'restrict.youtube.com' : cfg.youtube === 'moderate' ? 'restrictmoderate.youtube.com' : null;
    case 'bing': return cfg.bing ? 'strict.bing.com' : null;
    case 'duckduckgo': return cfg.duckduckgo ? 'safe.duckduckgo.com' : null;
    case 'pixabay': return cfg.pixabay ? 'safesearch.pixabay.com' : null;
  }
}

/** A policy's safe-search setting, compiled: per engine index, the target (text and wire) or null. */
export interface SafeSearchTargets {
  /** bit i set when engine i is on: ANDed with safeSearchMask */
  mask: number;
  names: (string | null)[];
  wire: (Uint8Array | null)[];
  /** engines switched on that have no documented endpoint (reported, not enforced) */
  unsupported: string[];
}

export function compileSafeSearch(cfg: SafeSearchConfig): SafeSearchTargets {
  const names = SAFE_SEARCH_ENGINES.map((e) => targetFor(e, cfg));
  return {
    mask: names.reduce((m, n, i) => (n ? m | (1 << i) : m), 0),
    names,
    wire: names.map((n) => (n ? new Uint8Array(encodeName(n)) : null)),
    unsupported: UNSUPPORTED_SAFE_SEARCH.filter((e) => cfg[e]),
  };
}

// One exact-name matcher over every rewritten host, the engine's index as its bit: built once,
// one lookup per query whatever the policy, masked by the engines the policy switched on.
const hostMatcher: DomainMatcher = (() => {
  const targets = new Set(ALL_TARGETS);
  const b = new MatcherBuilder();
  SAFE_SEARCH_ENGINES.forEach((engine, index) => {
    for (const host of HOSTS[engine]) {
      // the no-loop guarantee: an enforced host is never itself rewritten
      if (targets.has(host)) throw new Error(`policy: safe-search host ${host} is also a target`);
      b.addName(host, RuleAction.Block, RuleScope.Exact, b.setFor(index));
    }
  });
  return new CompiledMatcher(b.build());
})();

/** Bit i set when the exact name is a host of SAFE_SEARCH_ENGINES[i]; 0 for any other name. */
export function safeSearchMask(buf: Uint8Array, offsets: Int32Array, count: number): number {
  return hostMatcher.match(buf, offsets, count)[0];
}

/** The hosts rewritten for an engine (console display, tests). */
export function safeSearchHosts(engine: SafeSearchEngine): readonly string[] {
  return HOSTS[engine];
}
