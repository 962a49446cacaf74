# Starting and stopping Nestguard for the benchmark (sourced by scripts/bench.sh after the
# shared bench lib.sh, whose tree_pids / rss_kb / now helpers it uses).
#
# Every start gets a fresh data dir, so "time to first answer" always includes reading and
# compiling the 1M-domain list (lists load before the listeners open), like the peers,
# which have no on-disk snapshot to restart from.

# ng_config FILE LIST_FILE : the bench configuration (the list path is absolute, so the
# file can live anywhere); NG_CACHE_BYTES sets cache.max_bytes (default 512 MiB)
ng_config() {
  cat > "$1" <<YAML
log_level: info
cache: { max_entries: 1000000, max_bytes: ${NG_CACHE_BYTES:-536870912} }
lists: { bundled: false }
blocklists:
  - { name: bench-1m, category: malware, source: $2, format: domains }
policies: [ { name: bench, block: [malware] } ]
networks: [ { name: loopback, cidrs: ["127.0.0.0/8"], policy: bench } ]
YAML
}

# dns_status PORT QNAME : the rcode dig gets from 127.0.0.1:PORT ("" when no answer)
dns_status() {
  dig +tries=1 +time=1 -p "$1" @127.0.0.1 "$2" A 2>/dev/null \
    | awk '/->>HEADER<<-/ { s = $6; sub(/,$/, "", s); print s; exit }'
}

# is_blocked_status STATUS : the bench policy answers blocked names with a synthesised
# NXDOMAIN (default) or a null address; anything that came from upstream is REFUSED here
# (NSD is authoritative for bench.test only)
is_blocked_status() { [ "$1" = NXDOMAIN ] || [ "$1" = NOERROR ]; }

# ng_start LABEL PORT WORKERS CPU : starts Nestguard (pinned with taskset when CPU is set;
# NG_UDP=dgram|batched forces the UDP path, default auto; NG_ENV adds NAME=value words),
# waits for its first answer and sets NG_PID, NG_LOAD_S, NG_RSS0_KB. Config, data dir and
# log go under $RUN/LABEL.
ng_start() {
  local label=$1 port=$2 workers=$3 cpu=$4 d="$RUN/$1" t0 t1 pin=()
  rm -rf "$d"; mkdir -p "$d/data"
  ng_config "$d/nestguard.yaml" "$NG_LIST"
  if [ -n "$(dns_status "$port" name1.bench.test)" ]; then
    echo "bench: something already answers on 127.0.0.1:$port; set NG_PORT to a free port" >&2
    return 1
  fi
  [ -n "$cpu" ] && pin=(taskset -c "$cpu")
  t0=$(now)
  # shellcheck disable=SC2086 # NG_ENV is a list of NAME=value words
  "${pin[@]}" env ${NG_ENV:-} NESTGUARD_CONFIG="$d/nestguard.yaml" NESTGUARD_DATA_DIR="$d/data" \
    NESTGUARD_DNS_LISTEN="127.0.0.1:$port" NESTGUARD_HTTP_LISTEN="127.0.0.1:0" \
    NESTGUARD_UPSTREAMS="udp://127.0.0.1:$UPSTREAM_PORT" NESTGUARD_WORKERS="$workers" \
    NESTGUARD_UDP="${NG_UDP:-auto}" \
    node "$REPO/dist/resolver/src/main.js" > "$d/nestguard.log" 2>&1 &
  NG_PID=$!
  track_pid "$NG_PID"
  local end=$(( $(date +%s) + ${NG_START_TIMEOUT:-600} ))
  until [ -n "$(dns_status "$port" name1.bench.test)" ]; do
    if ! kill -0 "$NG_PID" 2>/dev/null; then
      echo "bench: nestguard ($label) exited before answering; last log lines:" >&2
      tail -n 20 "$d/nestguard.log" >&2
      return 1
    fi
    if [ "$(date +%s)" -ge "$end" ]; then
      echo "bench: nestguard ($label) did not answer within ${NG_START_TIMEOUT:-600}s" >&2
      return 1
    fi
    sleep 0.05
  done
  t1=$(now)
  NG_LOAD_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
  sleep 1
  NG_RSS0_KB=$(rss_kb "$NG_PID")
}

# ng_check_blocking PORT : warns when a name from the list is not blocked (then the blocked
# and reload workloads would measure forwarding, not filtering)
ng_check_blocking() {
  local name st
  name=$(awk 'NR == 1 { print $1 }' "$PB/data/blocked.txt")
  st=$(dns_status "$1" "$name")
  if is_blocked_status "$st"; then
    echo "   blocklist live: $name -> $st"
  else
    echo "   WARNING: $name -> ${st:-no answer}, not blocked: the blocked workload will not measure filtering" >&2
  fi
}

# ng_version : "nestguard X node Y"
ng_version() {
  echo "nestguard $(node -p "require('$REPO/package.json').version") node $(node --version)"
}

# ng_rows LABEL PORT WORKERS CPU WORKLOAD... : starts Nestguard, runs the workloads against it
# (server CPU summed over its process tree), stops it
ng_rows() {
  local label=$1 port=$2 workers=$3 cpu=$4; shift 4
  if ! ng_start "$label" "$port" "$workers" "$cpu"; then
    echo "bench: $label did not start; skipping its rows" >&2
    return 0
  fi
  echo "   $label answering after ${NG_LOAD_S}s, RSS ${NG_RSS0_KB} KiB; UDP path: $(grep -o '"path":"[a-z]*"' "$RUN/$label/nestguard.log" | sort | uniq -c | tr -s ' ' | tr '\n' ' ')"
  run_bg env LABEL="$label" WATCH_PIDS="$NG_PID" UPSTREAM_PIDS="$UP_PID" \
    "$SHARED_BENCH/bench-target.sh" 127.0.0.1 "$port" "$@" \
    || echo "bench: the $label run failed (status $?)" >&2
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$port" "$NG_LOAD_S" "$NG_RSS0_KB" "$(rss_kb "$NG_PID")" "$(ng_version), workers $workers" >> "$PEERS_TSV"
  stop_tracked_pid "$NG_PID"
  [ "$workers" -gt 1 ] && ng_spread "$label"
  return 0
}

# ng_spread LABEL : how the kernel spread the datagrams over the workers' SO_REUSEPORT sockets,
# from the counts each worker logs when its socket closes (the dgram path logs none)
ng_spread() {
  grep '"msg":"udp: socket closed"' "$RUN/$1/nestguard.log" | grep -o '"datagrams":[0-9]*' | cut -d: -f2 \
    | awk -v label="$1" '{ n[NR] = $1; t += $1 } END {
        if (NR == 0) exit
        s = ""; for (i = 1; i <= NR; i++) s = s sprintf(" %d (%.1f%%)", n[i], t ? 100 * n[i] / t : 0)
        printf "   %s datagrams read per worker socket:%s\n", label, s }'
}
