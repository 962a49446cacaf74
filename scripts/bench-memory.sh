# Memory under a miss flood (sourced by scripts/bench.sh after bench-nestguard.sh): each
# resolver gets MEM_NAMES distinct never-asked names (the shared miss workload, one pass),
# while the RSS of its process tree is sampled; the table shows the peak and what stays after.
# Nestguard runs with cache.max_bytes = MEM_CACHE_BYTES, so its figure can be held against
# that setting; the peers run as the shared run-peers.sh configures them.
#
# Env: MEM_NAMES (1000000; 100000 with BENCH_QUICK=1), MEM_CACHE_BYTES (33554432),
#      MEM_QPS (how fast the names are sent; 20000)

# rss_peak_by_port PORT OUT : until killed, samples the RSS of whatever listens on UDP PORT
# every 0.2 s and keeps the largest value (KiB) in OUT
rss_peak_by_port() {
  local port=$1 out=$2 peak=0 pid r
  echo 0 > "$out"
  for (( ; ; )); do
    pid=$(ss -H -lunp "sport = :$port" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2 || true)
    if [ -n "$pid" ]; then
      r=$(rss_kb "$pid")
      [ "${r:-0}" -gt "$peak" ] && { peak=$r; echo "$peak" > "$out"; }
    fi
    sleep 0.2
  done
}

# mem_flood LABEL PORT PEERS... : runs the flood against LABEL on PORT. With PEERS, the shared
# run-peers.sh starts and floods them (LABEL = the peer); without, the resolver already runs.
mem_flood() {
  local label=$1 port=$2; shift 2
  # time enough for every name (dnsperf -n 1 stops once all were sent)
  local secs=$(( MEM_NAMES * 3 / MEM_QPS / 2 + 5 )) peakf="$RUN/mem-$label.peak" sampler row
  rss_peak_by_port "$port" "$peakf" & sampler=$!
  track_pid "$sampler"
  # the miss workload sends each name once, at MEM_QPS, for as long as MEM_NAMES take
  if [ $# -gt 0 ]; then
    env WORKLOADS="miss@$MEM_QPS" DURATION="$secs" KEEP_UPSTREAM=1 UPSTREAM_PID="$UP_PID" \
      RESULTS="$RUN/memory-runs.tsv" PEERS_TSV="$RUN/memory-peers.tsv" \
      "$SHARED_BENCH/run-peers.sh" "$@" > "$RUN/mem-$label.log" 2>&1 || true
  else
    env LABEL="$label" DURATION="$secs" RESULTS="$RUN/memory-runs.tsv" WATCH_PIDS="$NG_PID" \
      "$SHARED_BENCH/bench-target.sh" 127.0.0.1 "$port" "miss@$MEM_QPS" > "$RUN/mem-$label.log" 2>&1 || true
  fi
  stop_tracked_pid "$sampler"
  # reaped here, so the shell does not report the sampler as "Killed"
  wait "$sampler" 2>/dev/null || true
  # rss after: the last column bench-target.sh measured right after the flood
  row=$(awk -F'\t' -v l="$label" '$1 == l && $2 ~ /^miss/ { print $4 "\t" $15 }' "$RUN/memory-runs.tsv" | tail -n 1)
  printf '%s\t%s\t%s\t%s\n' "$label" "${row%%$'\t'*}" "$(cat "$peakf")" "${row#*$'\t'}" >> "$MEMORY_TSV"
}

memory_run() {
  MEM_NAMES=${MEM_NAMES:-$([ "${BENCH_QUICK:-0}" = 1 ] && echo 100000 || echo 1000000)}
  MEM_CACHE_BYTES=${MEM_CACHE_BYTES:-33554432}; MEM_QPS=${MEM_QPS:-20000}
  MEMORY_TSV="$RUN/memory.tsv"
  printf 'label\tnames_sent\tpeak_rss_kb\trss_after_kb\n' > "$MEMORY_TSV"
  echo "== memory: $MEM_NAMES distinct names at $MEM_QPS/s; nestguard with cache.max_bytes=$MEM_CACHE_BYTES"
  if NG_CACHE_BYTES=$MEM_CACHE_BYTES ng_start nestguard-memory "$NG_PORT" 0 "$SERVER_CPU"; then
    mem_flood nestguard-memory "$NG_PORT"
    stop_tracked_pid "$NG_PID"
  fi
  # ports as run-peers.sh assigns them: unbound-1t 15302, dnsmasq 15311
  mem_flood unbound-1t 15302 unbound-1t
  mem_flood dnsmasq 15311 dnsmasq
  echo
  echo "## Memory during a miss flood (RSS of the process tree, MiB)"
  echo
  echo "| resolver | names sent | peak RSS | RSS after |"
  echo "|---|--:|--:|--:|"
  awk -F'\t' 'NR > 1 { printf "| %s | %s | %s | %s |\n", $1, $2, ($3 ~ /^[0-9]+$/ ? sprintf("%.0f", $3 / 1024) : "-"), ($4 ~ /^[0-9]+$/ ? sprintf("%.0f", $4 / 1024) : "-") }' "$MEMORY_TSV"
}
