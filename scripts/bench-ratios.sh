#!/usr/bin/env bash
# Prints Nestguard's ratios against the peers, with the targets beside them, from one bench
# run's files: results.tsv (shared bench-target.sh rows), peers.tsv (startup rows) and
# reload.tsv (one row per list rebuild of the reload run).
#
# Usage: bench-ratios.sh RESULTS_TSV PEERS_TSV RELOAD_TSV
# Labels read: nestguard, nestguard-reload, nestguard-workers2, unbound-1t-bl, dnsmasq-bl.
set -euo pipefail
R=${1:?results.tsv}; P=${2:?peers.tsv}; L=${3:?reload.tsv}
for f in "$R" "$P" "$L"; do [ -f "$f" ] || { echo "bench-ratios: missing $f" >&2; exit 1; }; done
awk -F'\t' -v R="$R" -v P="$P" -v L="$L" -v quiet="${QUIET_MAX:-15}" '
  function num(s) { return (s == "" || s == "-") ? "" : s + 0 }
  function fmt(v, d) { return v == "" ? "-" : sprintf("%." d "f", v) }
  function ratio(a, b) { return (a == "" || b == "" || b == 0) ? "" : a / b }
  function verdict(r, max) { return r == "" ? "no data" : (r <= max ? "met" : "NOT met") }
  # noise: the larger other% (CPU used by anything but dnsperf, server and upstream) of the
  # two runs compared; above QUIET_MAX the ratio is flagged as measured on a busy box
  function row(what, a, b, d, max, noise,    r, v) {
    r = ratio(a, b); v = max == "" ? "" : verdict(r, max)
    if (noise != "" && noise > quiet) v = v (v == "" ? "" : "; ") "busy box: other% " noise ", rerun"
    printf "| %s | %s | %s | %s | %s | %s |\n", what, fmt(a, d), fmt(b, d),
      r == "" ? "-" : sprintf("%.2fx", r), max == "" ? "-" : sprintf("<= %.1fx", max), v
  }
  function noisier(k1, k2) { return (k1 in other) && (k2 in other) ? (other[k1] > other[k2] ? other[k1] : other[k2]) : "" }
  FILENAME == R && FNR > 1 {
    k = $1 SUBSEP $2; qps[k] = num($3); lost[k] = $5; sub(/\(.*/, "", lost[k]); lost[k] = num(lost[k])
    p99[k] = num($8); usq[k] = num($16); rc[k] = $11; other[k] = num($19)
  }
  FILENAME == P && FNR > 1 { load[$1] = num($3); rss0[$1] = ($4 == "" ? "" : $4 / 1024) }
  FILENAME == L && FNR > 1 { n[$1]++; live[$1] = live[$1] (live[$1] == "" ? "" : ", ") ($4 == "-" ? "never" : $4 == "exited" ? "resolver exited" : $4 "s") }
  END {
    ng = "nestguard"; ub = "unbound-1t-bl"; dm = "dnsmasq-bl"
    split("hit blocked miss", W, " "); tgt["hit"] = 1.3; tgt["blocked"] = 1.3; tgt["miss"] = 1.0
    print "| ratio | Nestguard | peer | Nestguard / peer | target | |"
    print "|---|--:|--:|--:|--:|---|"
    for (i = 1; i <= 3; i++) { w = W[i]
      row(w ": server CPU us/query vs " ub, usq[ng SUBSEP w], usq[ub SUBSEP w], 1, tgt[w], noisier(ng SUBSEP w, ub SUBSEP w)) }
    for (i = 1; i <= 3; i++) { w = W[i]
      row(w ": server CPU us/query vs " dm, usq[ng SUBSEP w], usq[dm SUBSEP w], 1, "", noisier(ng SUBSEP w, dm SUBSEP w)) }
    if ((ng SUBSEP "hit@10000") in p99)
      row("hit@10000: p99 ms vs " ub, p99[ng SUBSEP "hit@10000"], p99[ub SUBSEP "hit@10000"], 3, "", noisier(ng SUBSEP "hit@10000", ub SUBSEP "hit@10000"))
    row("1M list: time to first answer s vs " ub, load[ng], load[ub], 2, "")
    row("1M list: time to first answer s vs " dm, load[ng], load[dm], 2, "")
    row("1M list: RSS after start MiB vs " ub, rss0[ng], rss0[ub], 1, "")
    row("1M list: RSS after start MiB vs " dm, rss0[ng], rss0[dm], 1, "")
    rl = ng "-reload" SUBSEP "blocked"; bl = ng SUBSEP "blocked"
    print ""
    print "| reload run (blocked workload) | value | target | |"
    print "|---|--:|--:|---|"
    printf "| list rebuilds during the run (new list live after) | %d (%s) | >= 1 | %s |\n", n[ng "-reload"], live[ng "-reload"] == "" ? "-" : live[ng "-reload"], (n[ng "-reload"] > 0 && live[ng "-reload"] !~ /never|exited/) ? "met" : "NOT met"
    printf "| lost queries with reload | %s | 0 | %s |\n", fmt(lost[rl], 0), lost[rl] == "" ? "no data" : (lost[rl] == 0 ? "met" : "NOT met")
    printf "| lost queries without reload | %s | 0 | %s |\n", fmt(lost[bl], 0), lost[bl] == "" ? "no data" : (lost[bl] == 0 ? "met" : "NOT met")
    printf "| response codes with reload | %s | 100%% one rcode (blocked) | %s |\n", rc[rl] == "" ? "-" : rc[rl], rc[rl] == "" ? "no data" : (rc[rl] ~ /^NXDOMAIN[0-9]+\(100\.00%\)$/ || rc[rl] ~ /^NOERROR[0-9]+\(100\.00%\)$/ ? "met" : "NOT met")
    r = ratio(p99[rl], p99[bl])
    o = noisier(rl, bl)
    # a negative server CPU means the resolver was gone by the end of the run
    note = (usq[rl] != "" && usq[rl] < 0) ? "resolver exited during the run" : (o != "" && o > quiet) ? "busy box: other% " o ", rerun" : ""
    printf "| p99 ms with / without reload | %s / %s (%s) | | %s |\n", fmt(p99[rl], 3), fmt(p99[bl], 3), r == "" ? "-" : sprintf("%.2fx", r), note
    r = ratio(qps[rl], qps[bl])
    printf "| QPS with / without reload | %s / %s (%s) | | |\n", fmt(qps[rl], 0), fmt(qps[bl], 0), r == "" ? "-" : sprintf("%.2fx", r)

    c = ng "-workers2" SUBSEP "hit"; s = ng SUBSEP "hit"
    print ""
    if (!(c in qps)) { print "all cores: no nestguard-workers2 hit row"; exit }
    qr = ratio(qps[c], qps[s]); ur = ratio(usq[c], usq[s])
    printf "all cores (NESTGUARD_WORKERS=2, unpinned) hit: %s QPS at %s us/query (server CPU summed over primary + workers)\n", fmt(qps[c], 0), fmt(usq[c], 1)
    printf "  vs one pinned process: %s QPS at %s us/query -> %s the QPS, %s the CPU per query\n", fmt(qps[s], 0), fmt(usq[s], 1), qr == "" ? "-" : sprintf("%.2fx", qr), ur == "" ? "-" : sprintf("%.2fx", ur)
    if (qr != "" && qr < 1.1)
      print "  On this 2-core box the cluster adds no throughput: dnsperf needs one of the two cores, and Node 20 shares one UDP socket among the workers (no SO_REUSEPORT fan-out), so a second worker has no free core to add."
    else if (qr != "")
      printf "  The cluster adds %.0f%% throughput here (the single pinned process was the limit).\n", (qr - 1) * 100
  }' "$R" "$P" "$L"
