#!/usr/bin/env bash
# Installs what Nestguard's tests and benchmark need on a Debian machine, idempotently:
# only what is missing is installed, so running it again costs a few checks.
#   scripts/setup.sh           Debian tools for tests and bench (needs root or sudo), then npm deps
#   scripts/setup.sh --apt     only the Debian tools
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
have() { command -v "$1" >/dev/null 2>&1; }
have kdig || need+=(knot-dnsutils)
have dig || need+=(dnsutils)
have dnsperf || need+=(dnsperf)
have unbound || need+=(unbound)
have nsd || need+=(nsd)
have dnsmasq || need+=(dnsmasq-base)
have openssl || need+=(openssl)
have taskset || need+=(util-linux)
# the bench's DoH load generator (dnsperf's DoH client takes one answer per read at most)
have h2load || need+=(nghttp2-client)
# node-gyp builds the batched UDP addon with these
have make || need+=(make)
have g++ || need+=(g++)
have python3 || need+=(python3)
# the console's end-to-end tests and the HTML report check drive Debian's Chromium (never a downloaded browser)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -d /usr/share/fonts/truetype/noto ] || need+=(fonts-noto-core)

if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "setup: installing ${need[*]}"
  $sudo apt-get update -qq
  # no service start: the packages' daemons would grab port 53 on a developer's machine
  printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
  $sudo chmod +x /usr/sbin/policy-rc.d
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  $sudo rm -f /usr/sbin/policy-rc.d
fi

if [ "${1:-}" != "--apt" ]; then
  # npm ci when the installed tree is missing or older than the lockfile
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
  fi
  # the batched UDP addon: npm ci builds it, a tree installed before it existed has not
  if [ ! -f resolver/native/udp-batch/build/Release/udp_batch.node ]; then
    npm run build:native --silent >/dev/null || echo "setup: the udp-batch addon did not build; node:dgram will serve UDP" >&2
  fi
fi
