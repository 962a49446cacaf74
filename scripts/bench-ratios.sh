#!/usr/bin/env bash
# Prints Nestguard's ratios against the peers, with the targets beside them, from one bench
# run's files: results.tsv (shared bench-target.sh rows), peers.tsv (startup rows) and
# reload.tsv (one row per list rebuild of the reload run).
#
# Usage: bench-ratios.sh RESULTS_TSV PEERS_TSV RELOAD_TSV
# Labels read: nestguard, nestguard-dgram, nestguard-reload, nestguard-workers1/2, unbound-1t-bl,
# unbound-2t-bl, dnsmasq-bl, and nestguard-dot/-doh beside unbound-1t-bl-dot/-doh.
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
    p99[k] = num($8); usq[k] = num($16); rc[k] = $11; other[k] = num($19); cpu[k] = num($13)
  }
  FILENAME == P && FNR > 1 { load[$1] = num($3); rss0[$1] = ($4 == "" ? "" : $4 / 1024) }
  FILENAME == L && FNR > 1 { n[$1]++; live[$1] = live[$1] (live[$1] == "" ? "" : ", ") ($4 == "-" ? "never" : $4 == "exited" ? "resolver exited" : $4 "s") }
  END {
    ng = "nestguard"; ub = "unbound-1t-bl"; dm = "dnsmasq-bl"
    split("hit blocked miss", W, " "); tgt["hit"] = 1.0; tgt["blocked"] = 1.0; tgt["miss"] = 0.8
    print "| ratio | Nestguard | peer | Nestguard / peer | target | |"
    print "|---|--:|--:|--:|--:|---|"
    for (i = 1; i <= 3; i++) { w = W[i]
      row(w ": server CPU us/query vs " ub, usq[ng SUBSEP w], usq[ub SUBSEP w], 1, tgt[w], noisier(ng SUBSEP w, ub SUBSEP w)) }
    for (i = 1; i <= 3; i++) { w = W[i]
      row(w ": server CPU us/query vs " dm, usq[ng SUBSEP w], usq[dm SUBSEP w], 1, "", noisier(ng SUBSEP w, dm SUBSEP w)) }
    if ((ng SUBSEP "hit@10000") in p99)
      row("hit@10000: p99 ms vs " ub, p99[ng SUBSEP "hit@10000"], p99[ub SUBSEP "hit@10000"], 3, "", noisier(ng SUBSEP "hit@10000", ub SUBSEP "hit@10000"))
    dg = ng "-dgram"
    for (i = 1; i <= 3; i++) { w = W[i]
      row(w ": server CPU us/query, batched UDP vs " dg, usq[ng SUBSEP w], usq[dg SUBSEP w], 1, "", noisier(ng SUBSEP w, dg SUBSEP w)) }
    if ((ng SUBSEP "hit@10000") in p99)
      row("hit@10000: p99 ms, batched UDP vs " dg, p99[ng SUBSEP "hit@10000"], p99[dg SUBSEP "hit@10000"], 3, 1.0, noisier(ng SUBSEP "hit@10000", dg SUBSEP "hit@10000"))
    # DoT and DoH (bench-encrypted.sh): the target is on cache hits
    split("dot doh", M, " ")
    for (m = 1; m <= 2; m++) for (i = 1; i <= 2; i++) { w = W[i]; a = ng "-" M[m] SUBSEP w; b = ub "-" M[m] SUBSEP w
      if ((a in usq) || (b in usq)) row(M[m] " " w ": server CPU us/query vs " ub "-" M[m], usq[a], usq[b], 1, w == "hit" ? 1.3 : "", noisier(a, b)) }
    fl = "node-h2-floor-doh" SUBSEP "hit"
    if (fl in usq) row("doh hit: server CPU us/query, Node HTTP/2 alone (no DNS) vs " ub "-doh", usq[fl], usq[ub "-doh" SUBSEP "hit"], 1, "", noisier(fl, ub "-doh" SUBSEP "hit"))
    for (m = 1; m <= 2; m++) { a = ng "-" M[m] SUBSEP "hit"; b = ub "-" M[m] SUBSEP "hit"
      if ((a in qps) || (b in qps)) row(M[m] " hit: QPS vs " ub "-" M[m] " (higher is better)", qps[a], qps[b], 0, "", noisier(a, b)) }
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

    print ""
    print "| all cores, unpinned | workload | QPS | server CPU us/query | server CPU % | p99 ms |"
    print "|---|---|--:|--:|--:|--:|"
    for (k in qps) { split(k, kk, SUBSEP)
      if (kk[1] ~ /^(nestguard-workers[12]|unbound-2t-bl)$/ && kk[2] ~ /^hit/) printf "| %s | %s | %s | %s | %s | %s |\n", kk[1], kk[2], fmt(qps[k], 0), fmt(usq[k], 1), fmt(cpu[k], 0), fmt(p99[k], 3) }
    print ""
    print "On 2 cores dnsperf needs one, so the open-loop rows measure dnsperf as much as the server; the"
    print "fixed-rate rows compare CPU per query at equal load. With the batched path each worker reads its"
    print "own SO_REUSEPORT socket (the kernel hashes each client 4-tuple to one), so throughput can grow"
    print "with workers only where there are free cores: showing it needs a machine with more cores than"
    print "workers + the load generator (e.g. 8 cores: dnsperf -T 4 on four, 1/2/4 workers on the rest)."
  }' "$R" "$P" "$L"
