# DoT and DoH rows of the benchmark (sourced by scripts/bench.sh after bench-nestguard.sh):
# Nestguard's DoT and DoH (HTTP/2) listeners beside Unbound's own (tls-port and https-port,
# Debian's unbound is built with nghttp2), one thread each, pinned to the same core, with the
# same 1M-domain list, on the shared workloads.
#
# DoT: the shared bench-target.sh runs as it is, with a `dnsperf` first on PATH that adds
# `-m dot`, so the rows have the same columns, warm pass and CPU sampling as every other row.
# dnsperf checks no certificate and sends no server name, so Nestguard picks the network by
# the source address (the loopback network), as for a DoT client without a token.
#
# DoH: h2load (nghttp2) with the same query files as GET URLs (scripts/doh-uris.mjs), 16
# connections of up to ENC_STREAMS streams each; node-h2-floor-doh is Node's HTTP/2 with no
# DNS work at all (scripts/bench-h2-floor.mjs), the floor under Nestguard's DoH rows. dnsperf 2.10's DoH client handles one answer
# per read: two answers arriving in one TLS record (HTTP/2 servers coalesce frames of
# different streams) stop it with "frame received when already having a dns msg".
#
# Env: ENC_WORKLOADS (hit blocked), ENC_STREAMS (6), NG_DOT_PORT (15393), NG_DOH_PORT (15394),
#      UB_DOT_PORT (15395), UB_DOH_PORT (15396), UB_UDP_PORT (15397)

ENC_WORKLOADS=${ENC_WORKLOADS:-hit blocked}
ENC_STREAMS=${ENC_STREAMS:-6}
NG_DOT_PORT=${NG_DOT_PORT:-15393}; NG_DOH_PORT=${NG_DOH_PORT:-15394}
UB_DOT_PORT=${UB_DOT_PORT:-15395}; UB_DOH_PORT=${UB_DOH_PORT:-15396}; UB_UDP_PORT=${UB_UDP_PORT:-15397}
ENC_SERVER_NAME=dns.bench.test

# enc_cert DIR : a self-signed certificate for the bench server name (dnsperf verifies none)
enc_cert() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj "/CN=$ENC_SERVER_NAME" -addext "subjectAltName=DNS:$ENC_SERVER_NAME,DNS:*.$ENC_SERVER_NAME" \
    -keyout "$1/server.key" -out "$1/server.pem" >/dev/null 2>&1
}

# enc_dnsperf_shim DIR : DIR/dnsperf runs the real dnsperf with $DNSPERF_TRANSPORT added
enc_dnsperf_shim() {
  local real
  real=$(command -v dnsperf)
  cat > "$1/dnsperf" <<SH
#!/usr/bin/env bash
# shellcheck disable=SC2086 # DNSPERF_TRANSPORT holds several words on purpose
exec "$real" "\$@" \$DNSPERF_TRANSPORT
SH
  chmod +x "$1/dnsperf"
}

# enc_unbound_conf DIR : Unbound 1 thread with the bench list, UDP on UB_UDP_PORT (to know it
# is up), DoT on UB_DOT_PORT and DoH on UB_DOH_PORT
enc_unbound_conf() {
  local d=$1
  cat > "$d/unbound.conf" <<CONF
server:
  interface: 127.0.0.1@$UB_UDP_PORT
  interface: 127.0.0.1@$UB_DOT_PORT
  interface: 127.0.0.1@$UB_DOH_PORT
  tls-port: $UB_DOT_PORT
  https-port: $UB_DOH_PORT
  tls-service-key: "$d/server.key"
  tls-service-pem: "$d/server.pem"
  http-endpoint: "/dns-query"
  do-ip6: no
  num-threads: 1
  incoming-num-tcp: 100
  username: ""
  chroot: ""
  directory: "$d"
  pidfile: "$d/unbound.pid"
  logfile: "$d/unbound.log"
  use-syslog: no
  verbosity: 0
  module-config: "iterator"
  do-not-query-localhost: no
  local-zone: "test." nodefault
  access-control: 127.0.0.0/8 allow
  include: "$PB/data/unbound-blocklist.conf"
forward-zone:
  name: "."
  forward-addr: 127.0.0.1@$UPSTREAM_PORT
remote-control:
  control-enable: no
CONF
}

# enc_quiet : waits (up to QUIET_WAIT s) until the box is idle, as bench-target.sh does
enc_quiet() {
  local i a0 a1 hz
  hz=$(getconf CLK_TCK)
  for i in $(seq 1 "${QUIET_WAIT:-120}"); do
    read -r a0 _ <<< "$(sys_ticks)"; sleep 1; read -r a1 _ <<< "$(sys_ticks)"
    [ $(( (a1 - a0) * 100 / hz )) -le "${QUIET_MAX:-15}" ] && return 0
  done
}

# enc_h2load_row LABEL PID PORT WORKLOAD : one DoH row in results.tsv (bench-target.sh's
# columns; the rcode column holds HTTP status classes, dnsperf_cpu% is h2load's)
enc_h2load_row() {
  local label=$1 pid=$2 port=$3 w=$4 d="$RUN/encrypted" uris log req hz pin=()
  hz=$(getconf CLK_TCK)
  [ -n "${CLIENT_CPU:-}" ] && pin=(taskset -c "$CLIENT_CPU")
  uris="$d/doh-$w-$port.txt"; log="$PB/logs/$label-$w.log"; req="$d/requests-$label-$w.tsv"
  node "$REPO/scripts/doh-uris.mjs" "$PB/data/$w.txt" "https://127.0.0.1:$port/dns-query" > "$uris"
  # untimed warm pass: every name once (fills the cache, warms the JIT). One connection: each
  # h2load client walks the list from its start, so 16 would each ask only the first 16th
  "${pin[@]}" h2load -i "$uris" -n "$(wc -l < "$uris")" -c 1 -m 10 > /dev/null 2>&1 || true
  enc_quiet
  local s0 s1 u0 u1 b0 b1 q0 q1 t0 t1
  s0=$(cpu_ticks "$pid"); u0=$(cpu_ticks $UP_PID); read -r b0 q0 <<< "$(sys_ticks)"; t0=$(now)
  /usr/bin/time -f 'H2LOAD_TIME %e %U %S' -o "$d/time.out" \
    "${pin[@]}" h2load -i "$uris" -D "$DURATION" -c 16 -m "$ENC_STREAMS" --log-file="$req" > "$log" 2>&1 || true
  t1=$(now); read -r b1 q1 <<< "$(sys_ticks)"; s1=$(cpu_ticks "$pid"); u1=$(cpu_ticks $UP_PID)
  cat "$d/time.out" >> "$log"
  awk -F'\t' -v label="$label" -v w="$w" -v t0="$t0" -v t1="$t1" -v hz="$hz" -v s="$((s1 - s0))" -v u="$((u1 - u0))" \
    -v b="$((b1 - b0))" -v q="$((q1 - q0))" -v rss="$(rss_kb "$pid")" -v args="h2load -c 16 -m $ENC_STREAMS -D $DURATION (GET)${CLIENT_CPU:+ (taskset -c $CLIENT_CPU)}" '
    FILENAME != "-" && NF >= 3 { n++; us = $3 + 0; h[int(us)]++; sum += us; if (us > max) max = us; st[substr($2, 1, 1) "xx"]++; if ($2 !~ /^2/) bad++ }
    FILENAME == "-" && /^requests:/ { split($0, t, " "); total = t[2] + 0 }
    FILENAME == "-" && /^H2LOAD_TIME/ { split($0, t, " "); hcpu = (t[2] > 0) ? (t[3] + t[4]) / t[2] * 100 : 0 }
    END {
      el = t1 - t0; if (!n) { printf "%s\t%s\t0\t%d\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t%s\t-\t-\t-\t-\t%s\n", label, w, total, rss, args; exit }
      k = 1; c = 0; split("0.5 0.99 0.999", qq, " ")
      for (i = 0; k <= 3; i++) { c += h[i]; while (k <= 3 && c >= qq[k] * n) { r[k] = i / 1000; k++ } }
      rc = ""; for (x in st) rc = rc (rc == "" ? "" : ",") "HTTP" x st[x] "(" sprintf("%.2f", st[x] * 100 / n) "%)"
      scpu = s / hz / el * 100; ucpu = u / hz / el * 100; busy = b / hz / el * 100
      printf "%s\t%s\t%.0f\t%d\t%d\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%s\t%.0f\t%.0f\t%.0f\t%s\t%.1f\t%.0f\t%.0f\t%.0f\t%s\n",
        label, w, n / el, n, bad + 0, sum / n / 1000, r[1], r[2], r[3], max / 1000, rc, hcpu, scpu, ucpu, rss,
        s / hz / n * 1e6, busy, q / hz / el * 100, busy - hcpu - scpu - ucpu, args
    }' "$req" - < "$log" >> "$RESULTS"
  tail -n 1 "$RESULTS" | awk -F'\t' '{ printf "%-22s %-12s qps=%-8s lost=%-6s avg=%sms p50=%s p99=%s codes=%s cpu: h2load=%s%% server=%s%% other=%s%% srv_us/q=%s\n", $1, $2, $3, $5, $6, $7, $8, $11, $12, $13, $19, $16 }'
  rm -f "$req"
}

# enc_rows LABEL PID DOT_PORT DOH_PORT : the workloads over DoT, then over DoH, against one server
enc_rows() {
  local label=$1 pid=$2 dot=$3 doh=$4 w
  run_bg env PATH="$ENC_BIN:$PATH" DNSPERF_TRANSPORT="-m dot" LABEL="$label-dot" WATCH_PIDS="$pid" UPSTREAM_PIDS="$UP_PID" \
    "$SHARED_BENCH/bench-target.sh" 127.0.0.1 "$dot" $ENC_WORKLOADS \
    || echo "bench: the $label-dot run failed (status $?)" >&2
  for w in $ENC_WORKLOADS; do enc_h2load_row "$label-doh" "$pid" "$doh" "$w"; done
}

# encrypted_run : Nestguard then Unbound, each alone on SERVER_CPU, over DoT and DoH
encrypted_run() {
  local d="$RUN/encrypted" ub_pid i
  mkdir -p "$d/bin"
  ENC_BIN="$d/bin"
  enc_cert "$d" || { echo "bench: openssl could not make the bench certificate" >&2; return 1; }
  enc_dnsperf_shim "$ENC_BIN"

  echo "== nestguard-dot / -doh on 127.0.0.1:$NG_DOT_PORT / :$NG_DOH_PORT (HTTP/2)${SERVER_CPU:+ pinned to cpu $SERVER_CPU}: $ENC_WORKLOADS"
  if NG_ENV="NESTGUARD_DOT_LISTEN=127.0.0.1:$NG_DOT_PORT NESTGUARD_HTTPS_LISTEN=127.0.0.1:$NG_DOH_PORT NESTGUARD_TLS_CERT=$d/server.pem NESTGUARD_TLS_KEY=$d/server.key NESTGUARD_TLS_SERVER_NAME=$ENC_SERVER_NAME" \
    ng_start nestguard-tls "$NG_PORT" 0 "$SERVER_CPU"; then
    enc_rows nestguard "$NG_PID" "$NG_DOT_PORT" "$NG_DOH_PORT"
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' nestguard-tls "$NG_DOT_PORT" "$NG_LOAD_S" "$NG_RSS0_KB" "$(rss_kb "$NG_PID")" "$(ng_version), DoT + DoH" >> "$PEERS_TSV"
    stop_tracked_pid "$NG_PID"
  else
    echo "bench: nestguard with TLS did not start; skipping its DoT/DoH rows" >&2
  fi

  echo "== node-h2-floor-doh on 127.0.0.1:$NG_DOH_PORT${SERVER_CPU:+ pinned to cpu $SERVER_CPU}: Node's HTTP/2 alone, one fixed answer (scripts/bench-h2-floor.mjs)"
  local floor_pid
  if [ -n "$SERVER_CPU" ]; then taskset -c "$SERVER_CPU" node "$REPO/scripts/bench-h2-floor.mjs" "$NG_DOH_PORT" "$d/server.pem" "$d/server.key" > "$d/h2-floor.out" 2>&1 &
  else node "$REPO/scripts/bench-h2-floor.mjs" "$NG_DOH_PORT" "$d/server.pem" "$d/server.key" > "$d/h2-floor.out" 2>&1 & fi
  floor_pid=$!
  track_pid "$floor_pid"
  sleep 1
  enc_h2load_row node-h2-floor-doh "$floor_pid" "$NG_DOH_PORT" hit
  stop_tracked_pid "$floor_pid"

  echo "== unbound-1t-bl-dot / -doh on 127.0.0.1:$UB_DOT_PORT / :$UB_DOH_PORT${SERVER_CPU:+ pinned to cpu $SERVER_CPU}: $ENC_WORKLOADS"
  enc_unbound_conf "$d"
  if [ -n "$SERVER_CPU" ]; then taskset -c "$SERVER_CPU" unbound -d -c "$d/unbound.conf" > "$d/unbound.out" 2>&1 &
  else unbound -d -c "$d/unbound.conf" > "$d/unbound.out" 2>&1 & fi
  ub_pid=$!
  track_pid "$ub_pid"
  for i in $(seq 1 600); do
    [ -n "$(dns_status "$UB_UDP_PORT" name1.bench.test)" ] && break
    kill -0 "$ub_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$(dns_status "$UB_UDP_PORT" name1.bench.test)" ]; then
    echo "bench: unbound with tls-port/https-port did not answer; last lines:" >&2
    tail -n 5 "$d/unbound.out" "$d/unbound.log" >&2 2>/dev/null
    stop_tracked_pid "$ub_pid"
    return 1
  fi
  enc_rows unbound-1t-bl "$ub_pid" "$UB_DOT_PORT" "$UB_DOH_PORT"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' unbound-1t-bl-tls "$UB_DOT_PORT" - - "$(rss_kb "$ub_pid")" "unbound $(unbound -V | awk 'NR==1 { print $2 }'), DoT + DoH" >> "$PEERS_TSV"
  stop_tracked_pid "$ub_pid"
}
