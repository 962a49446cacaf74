#!/usr/bin/env bash
# `npm run bench`: Nestguard side by side with Unbound and dnsmasq (both with the same 1M-domain
# blocklist) on the shared bench workloads, in one run:
#   1. data (zone, blocklist, queries) generated if missing; NSD upstream started if not answering
#   2. Nestguard started pinned (taskset -c 1, like the peers): time to first answer and RSS
#      with the 1M list
#   3. hit, blocked, miss (and hit@10000) against Nestguard, unbound-1t-bl and dnsmasq-bl
#   4. reload run: the blocked workload while the whole list is rebuilt (append + SIGHUP)
#   5. the same workloads on the node:dgram fallback (NESTGUARD_UDP=dgram), for comparison
#   6. all cores, unpinned: 1 and 2 workers (batched: a SO_REUSEPORT socket each) and Unbound
#      2 threads, hit open loop and hit@ALLCORES_RATE (dnsperf's own rate limit)
#   6b. DoT and DoH (HTTP/2): Nestguard's listeners beside Unbound's tls-port and https-port,
#      pinned, hit and blocked (scripts/bench-encrypted.sh)
#   7. memory: RSS during a 1M-distinct-name miss flood (Nestguard with cache.max_bytes 32 MiB,
#      unbound-1t, dnsmasq; 100k names with BENCH_QUICK=1)
#   8. markdown tables (shared summarize.sh), then Nestguard's ratios against the targets
# Every process it starts is stopped on exit, Ctrl-C included. Traffic goes to 127.0.0.1 only.
#
# Uses the shared bench scripts in place: $SHARED_BENCH, default <repo>/../shared/bench.
# Env: BENCH_QUICK=1 (DURATION 5, no hit@10000, one reload), DURATION (20), WORKLOADS,
#      RELOADS (2), NG_PORT (15390), NG_CLUSTER_PORT (15391), NG_DGRAM_PORT (15392),
#      ALLCORES_RATE (60000), SERVER_CPU (1), CLIENT_CPU (0),
#      UPSTREAM_CPU (0), BENCH_BUILD=0 (use dist/ as it is), BENCH_KEEP=1 (keep data dirs),
#      PB (/tmp/peerbench: data, logs; this run's files go to $PB/nestguard/<time>/),
#      BENCH_MEMORY=0 (skip step 7), MEM_NAMES, MEM_QPS, MEM_CACHE_BYTES (see bench-memory.sh),
#      BENCH_STEPS: the steps to run, of "main reload dgram allcores encrypted memory" (all;
#      e.g. BENCH_STEPS=encrypted for the DoT/DoH rows alone), ENC_* (see bench-encrypted.sh)
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ -z "${SHARED_BENCH:-}" ]; then
  top=$(git -C "$REPO" rev-parse --show-toplevel 2>/dev/null || echo "$REPO")
  SHARED_BENCH=$(cd "$top/../shared/bench" 2>/dev/null && pwd) || { echo "bench: shared bench scripts not found at $top/../shared/bench; set SHARED_BENCH" >&2; exit 1; }
fi
export SHARED_BENCH
. "$SHARED_BENCH/lib.sh"
. "$REPO/scripts/bench-nestguard.sh"
. "$REPO/scripts/bench-reload.sh"
. "$REPO/scripts/bench-memory.sh"
. "$REPO/scripts/bench-encrypted.sh"
BENCH_STEPS=" ${BENCH_STEPS:-main reload dgram allcores encrypted memory} "
step() { [[ "$BENCH_STEPS" == *" $1 "* ]]; }

if [ "${BENCH_QUICK:-0}" = 1 ]; then
  DURATION=${DURATION:-5}; WORKLOADS=${WORKLOADS:-hit blocked miss}; RELOADS=${RELOADS:-1}
fi
export DURATION=${DURATION:-20} PB BENCH_DIR
WORKLOADS=${WORKLOADS:-hit blocked miss hit@10000}; RELOADS=${RELOADS:-2}
NG_PORT=${NG_PORT:-15390}; NG_CLUSTER_PORT=${NG_CLUSTER_PORT:-15391}; NG_DGRAM_PORT=${NG_DGRAM_PORT:-15392}
ALLCORES_RATE=${ALLCORES_RATE:-60000}
SERVER_CPU=${SERVER_CPU-1}; CLIENT_CPU=${CLIENT_CPU-0}; UPSTREAM_CPU=${UPSTREAM_CPU-0}
export SERVER_CPU CLIENT_CPU UPSTREAM_CPU

for tool in dnsperf dig nsd unbound dnsmasq taskset node openssl; do
  command -v "$tool" >/dev/null || { echo "bench: $tool not found; run: bash scripts/setup.sh --apt" >&2; exit 1; }
done

RUN="$PB/nestguard/$(date +%Y%m%d-%H%M%S)"; mkdir -p "$RUN"
NG_LIST=""
export RESULTS="$RUN/results.tsv" PEERS_TSV="$RUN/peers.tsv"
RELOAD_TSV="$RUN/reload.tsv"
printf 'peer\tport\tload_s\trss_after_start_kb\trss_after_bench_kb\tversion\n' > "$PEERS_TSV"
printf 'label\treload\tsignal_at_s\tlive_after_s\n' > "$RELOAD_TSV"

# --- process bookkeeping: every process started here is stopped by pid, with its children
TRACKED=()
start_time() { awk '{ sub(/^.*\) /, ""); print $20 }' "/proc/$1/stat" 2>/dev/null; }
track_pid() { TRACKED+=("$1:$(start_time "$1")"); }
# stop_trees "PID:START" ... : stops the trees of the given processes (if still the same
# processes: same start time). Each tree is frozen first (SIGSTOP) so no script spawns a new
# child while it is being stopped; the bench shell scripts in it are killed outright (their
# own traps would carry on with the next step), the servers and load generators get SIGTERM
# and up to 10 s to exit, then SIGKILL.
stop_trees() {
  local e p s all=() i pass
  for pass in 1 2; do
    for e in "$@"; do
      p=${e%%:*}; s=${e#*:}
      [ -n "$p" ] && [ "$(start_time "$p")" = "$s" ] || continue
      for i in $(tree_pids "$p"); do kill -STOP "$i" 2>/dev/null || true; done
    done
  done
  for e in "$@"; do
    p=${e%%:*}; s=${e#*:}
    [ -n "$p" ] && [ "$(start_time "$p")" = "$s" ] || continue
    for i in $(tree_pids "$p"); do all+=("$i:$(start_time "$i")"); done
  done
  [ ${#all[@]} -gt 0 ] || return 0
  local ppid
  for e in "${all[@]}"; do
    p=${e%%:*}; ppid=$(awk '{ sub(/^.*\) /, ""); print $2 }' "/proc/$p/stat" 2>/dev/null)
    if [ "$(cat "/proc/$p/comm" 2>/dev/null)" = bash ]; then kill -KILL "$p" 2>/dev/null || true
    # cluster workers are stopped by their primary: a worker that exits first would be replaced
    elif [ "$(cat "/proc/$ppid/comm" 2>/dev/null)" != node ]; then kill -TERM "$p" 2>/dev/null || true; fi
  done
  for e in "${all[@]}"; do kill -CONT "${e%%:*}" 2>/dev/null || true; done
  for i in $(seq 1 100); do
    local alive=0
    for e in "${all[@]}"; do [ "$(start_time "${e%%:*}")" = "${e#*:}" ] && alive=1 && break; done
    [ "$alive" = 0 ] && return 0
    sleep 0.1
  done
  for e in "${all[@]}"; do [ "$(start_time "${e%%:*}")" = "${e#*:}" ] && kill -KILL "${e%%:*}" 2>/dev/null; done
  return 0
}
stop_tracked_pid() { # PID : stop one tracked process tree now
  local e
  for e in "${TRACKED[@]}"; do [ "${e%%:*}" = "$1" ] && stop_trees "$e"; done
  return 0
}
cleanup() {
  trap - EXIT INT TERM
  [ ${#TRACKED[@]} -eq 0 ] || stop_trees "${TRACKED[@]}"
  [ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$RUN"/*/data ${NG_LIST:+"$NG_LIST"}
}
trap cleanup EXIT
trap 'echo "bench: interrupted" >&2; exit 130' INT TERM

# long steps run in the background and are waited for, so Ctrl-C is handled at once
run_bg() { "$@" & local p=$!; track_pid "$p"; wait "$p"; }

echo "# Nestguard benchmark ($(date -u +%FT%TZ)); DURATION=${DURATION}s, workloads: $WORKLOADS"
echo "   shared bench: $SHARED_BENCH; this run's files: $RUN"

# --- 0. build
if [ "${BENCH_BUILD:-1}" = 1 ]; then
  if ! (cd "$REPO" && npx tsc -p tsconfig.json) > "$RUN/build.log" 2>&1; then
    echo "bench: the build failed (BENCH_BUILD=0 benchmarks dist/ as it is):" >&2
    grep -v '^npm warn' "$RUN/build.log" | head -n 20 >&2
    exit 1
  fi
fi
# the batched UDP addon (npm install builds it; a tree installed before it existed has not)
[ -f "$REPO/resolver/native/udp-batch/build/Release/udp_batch.node" ] || (cd "$REPO" && npm run build:native --silent) > "$RUN/build-native.log" 2>&1 \
  || echo "bench: the udp-batch addon did not build (see $RUN/build-native.log); node:dgram serves" >&2
[ -f "$REPO/dist/resolver/src/main.js" ] || { echo "bench: $REPO/dist/resolver/src/main.js missing" >&2; exit 1; }

# --- 1. data and upstream
for f in bench.test.zone blocklist.txt unbound-blocklist.conf dnsmasq-blocklist.conf hit.txt blocked.txt miss.txt; do
  if [ ! -f "$PB/data/$f" ]; then
    echo "== generating bench data into $PB/data (log: $RUN/gen.log)"
    { "$SHARED_BENCH/gen-zone.sh" && "$SHARED_BENCH/gen-blocklist.sh" && "$SHARED_BENCH/gen-queries.sh"; } > "$RUN/gen.log" 2>&1
    break
  fi
done
# the reload run appends to the list: Nestguard reads this run's own copy, never the shared data
NG_LIST="$RUN/blocklist.txt"
cp "$PB/data/blocklist.txt" "$NG_LIST"

UP_PID=""
if [ -n "$(dns_status "$UPSTREAM_PORT" name1.bench.test)" ]; then
  # not ours: only its pid is looked up, for the upstream CPU column
  UP_PID=$(ss -H -lunp "sport = :$UPSTREAM_PORT" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2 || true)
  echo "== upstream already answering on 127.0.0.1:$UPSTREAM_PORT${UP_PID:+ (pid $UP_PID)}; not started by this run"
  UP_ORIGIN="found running, not started by this run"
else
  UP_PID=$(UPSTREAM_CPU=$UPSTREAM_CPU "$SHARED_BENCH/upstream.sh" 2> "$RUN/upstream.log")
  track_pid "$UP_PID"
  echo "== upstream NSD started: pid $UP_PID on 127.0.0.1:$UPSTREAM_PORT${UPSTREAM_CPU:+ pinned to cpu $UPSTREAM_CPU}"
  UP_ORIGIN="the NSD this run started, pid $UP_PID"
fi

if step main || step reload; then
# --- 2. Nestguard, pinned like the single-threaded peers
echo "== nestguard on 127.0.0.1:$NG_PORT ($(ng_version))${SERVER_CPU:+ pinned to cpu $SERVER_CPU}, 1M-domain list"
ng_start nestguard "$NG_PORT" 0 "$SERVER_CPU"
NG_MAIN_PID=$NG_PID; NG_MAIN_LOAD=$NG_LOAD_S; NG_MAIN_RSS0=$NG_RSS0_KB
echo "   answering after ${NG_LOAD_S}s, RSS ${NG_RSS0_KB} KiB"
ng_check_blocking "$NG_PORT"

# --- 3. the same workloads against Nestguard and the peers
# run-peers.sh (shared, used as it is) finds the upstream already up and says it did not start
# it: true for that script, but this run did (or found it), so its line is said in this run's words
if step main; then
  run_bg env WORKLOADS="$WORKLOADS" KEEP_UPSTREAM=1 UPSTREAM_PID="$UP_PID" \
    "$SHARED_BENCH/run-peers.sh" "ext:nestguard=127.0.0.1:$NG_PORT:$NG_MAIN_PID" unbound-1t-bl dnsmasq-bl \
    > >(sed -u "s|^upstream already answering on $UPSTREAM_PORT (not started by this run)\$|   peers use the same upstream on 127.0.0.1:$UPSTREAM_PORT ($UP_ORIGIN)|") \
    || echo "bench: run-peers.sh failed (status $?); the tables show what was measured" >&2
fi
printf 'nestguard\t%s\t%s\t%s\t%s\t%s\n' "$NG_PORT" "$NG_MAIN_LOAD" "$NG_MAIN_RSS0" "$(rss_kb "$NG_MAIN_PID")" "$(ng_version)" >> "$PEERS_TSV"

# --- 4. reload run
if step reload; then
  echo "== nestguard-reload: blocked workload with $RELOADS full list rebuild(s) (append + SIGHUP)"
  reload_run nestguard-reload "$NG_PORT" "$NG_MAIN_PID" "$RELOADS" \
    || echo "bench: the reload run failed (status $?)" >&2
  if ! kill -0 "$NG_MAIN_PID" 2>/dev/null; then
    echo "bench: nestguard exited during the reload run; last lines of $RUN/nestguard/nestguard.log:" >&2
    tail -n 5 "$RUN/nestguard/nestguard.log" >&2
  fi
fi
stop_tracked_pid "$NG_MAIN_PID"
fi

# --- 5. the node:dgram fallback, pinned, same workloads
if step dgram; then
  echo "== nestguard-dgram on 127.0.0.1:$NG_DGRAM_PORT (NESTGUARD_UDP=dgram)${SERVER_CPU:+ pinned to cpu $SERVER_CPU}: the fallback path, same workloads"
  NG_UDP=dgram ng_rows nestguard-dgram "$NG_DGRAM_PORT" 0 "$SERVER_CPU" $WORKLOADS
fi

# All cores, unpinned: 1 and 2 workers (each with its own SO_REUSEPORT socket on the batched
# path) and Unbound at 2 threads, open loop; then the same at a fixed rate dnsperf can hold
# on its own core, so the server CPU per query compares at equal load.
if step allcores; then
  ALLCORES="hit hit@$ALLCORES_RATE"
  echo "== all cores: nestguard-workers1 / -workers2 (batched, reusePort) and unbound-2t-bl: $ALLCORES"
  ng_rows nestguard-workers1 "$NG_CLUSTER_PORT" 1 "" $ALLCORES
  ng_rows nestguard-workers2 "$NG_CLUSTER_PORT" 2 "" $ALLCORES
  run_bg env WORKLOADS="$ALLCORES" KEEP_UPSTREAM=1 UPSTREAM_PID="$UP_PID" "$SHARED_BENCH/run-peers.sh" unbound-2t-bl \
    || echo "bench: run-peers.sh unbound-2t-bl failed (status $?)" >&2
fi

# --- 6b. DoT and DoH beside Unbound's own listeners
if step encrypted; then encrypted_run || echo "bench: the DoT/DoH run failed (status $?)" >&2; fi

# --- 7. memory: RSS while 1M never-asked names arrive, Nestguard beside Unbound and dnsmasq
if step memory && [ "${BENCH_MEMORY:-1}" != 0 ]; then memory_run || echo "bench: the memory run failed (status $?)" >&2; fi

# --- 8. tables and ratios
echo
echo "## Results (DURATION=${DURATION}s; raw dnsperf logs in $PB/logs, resolver logs in $RUN)"
echo
"$SHARED_BENCH/summarize.sh" "$RESULTS" "$PEERS_TSV"
echo
echo "## Nestguard ratios"
echo
"$REPO/scripts/bench-ratios.sh" "$RESULTS" "$PEERS_TSV" "$RELOAD_TSV"
