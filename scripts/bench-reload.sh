# The reload run (sourced by scripts/bench.sh): the blocked workload against a running
# Nestguard while the full list is rebuilt underneath it, once or more. Each rebuild is forced
# by appending a new domain to the bench's own copy of the list and sending SIGHUP; the new
# domain being blocked shows that the new snapshot is live. Lost queries and p99 come from
# the run's row in $RESULTS (written by the shared bench-target.sh).

# timed_dnsperf_started ROOT_PID : true once the measured dnsperf (the one with -v; the warm
# pass has none) runs somewhere under ROOT_PID
timed_dnsperf_started() {
  local p cmd
  for p in $(tree_pids "$1"); do
    cmd=$( { tr '\0' ' ' < "/proc/$p/cmdline"; } 2>/dev/null) || continue
    case "$cmd" in *dnsperf*" -v "*|*dnsperf*" -v") return 0 ;; esac
  done
  return 1
}

# reload_run LABEL PORT PID RELOADS : appends one row per reload to $RELOAD_TSV
reload_run() {
  local label=$1 port=$2 pid=$3 reloads=$4 bt t_run k at name ts st live tag
  tag="r$(date +%s)"
  [ -f "$RELOAD_TSV" ] || printf 'label\treload\tsignal_at_s\tlive_after_s\n' > "$RELOAD_TSV"
  LABEL=$label CLIENT_CPU=$CLIENT_CPU WATCH_PIDS=$pid UPSTREAM_PIDS=$UP_PID RESULTS=$RESULTS \
    "$SHARED_BENCH/bench-target.sh" 127.0.0.1 "$port" blocked &
  bt=$!
  track_pid "$bt"
  until timed_dnsperf_started "$bt"; do
    kill -0 "$bt" 2>/dev/null || { echo "bench: the reload run ended before dnsperf started" >&2; wait "$bt" || true; return 1; }
    sleep 0.02
  done
  t_run=$(now)
  for k in $(seq 1 "$reloads"); do
    # spread the rebuilds over the run, each one finished before the next starts
    at=$(awk -v d="$DURATION" -v k="$k" -v n="$reloads" 'BEGIN { printf "%.2f", d * k / (n + 1) }')
    sleep "$(awk -v t0="$t_run" -v at="$at" -v t="$(now)" 'BEGIN { s = t0 + at - t; printf "%.3f", (s > 0 ? s : 0) }')"
    name="ngreload$k-$tag.example"
    printf '%s\n' "$name" >> "$NG_LIST"
    ts=$(now)
    kill -HUP "$pid"
    live="-"
    local end_us=$(( ${EPOCHREALTIME//[.,]/} + ${RELOAD_TIMEOUT:-120} * 1000000 ))
    while [ "${EPOCHREALTIME//[.,]/}" -lt "$end_us" ]; do
      kill -0 "$pid" 2>/dev/null || { live=exited; break; }
      st=$(dns_status "$port" "$name")
      if is_blocked_status "$st"; then
        live=$(awk -v a="$ts" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'); break
      fi
      sleep 0.05
    done
    local sig_at
    sig_at=$(awk -v a="$t_run" -v b="$ts" 'BEGIN { printf "%.2f", b - a }')
    printf '%s\t%s\t%s\t%s\n' "$label" "$k" "$sig_at" "$live" >> "$RELOAD_TSV"
    if [ "$live" = exited ]; then
      echo "   reload $k: SIGHUP ${sig_at}s into the run; nestguard EXITED instead of rebuilding its lists" >&2
      break
    elif [ "$live" = - ]; then
      echo "   reload $k: SIGHUP ${sig_at}s into the run; the new list was NOT live after ${RELOAD_TIMEOUT:-120}s" >&2
    else
      echo "   reload $k: SIGHUP ${sig_at}s into the run; new list live ${live}s later"
    fi
  done
  wait "$bt"
}
