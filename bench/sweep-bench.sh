#!/bin/sh
# SPDX-License-Identifier: ISC
# Sweep benchmark: rblmond --once over a /16 on ten zones served by rbldnsd
# on loopback, against a bare c-ares loop (bench/cares_loop.c) sending the
# very same 655,360 queries to the same server in the same run; the daemon
# (rblmond -f) on the same data, its first full cycle with the state
# machine and store beside --once, and its idle CPU between cycles
# (bench/daemon_bench.py); plus the start-up cost of a one-target sweep.
# Checks that rblmond reports exactly the listed pairs; see bench/README.md.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
RBLMOND=${RBLMOND:-$root/build/rblmond}
RBLDNSD=${RBLDNSD:-/usr/sbin/rbldnsd}
CC=${CC:-cc}
SMALL_RUNS=${SMALL_RUNS:-50}
SWEEP_RUNS=${SWEEP_RUNS:-3}
PAIRS=655360		# 65,536 targets x 10 zones
PROBES=20		# two RFC 5782 test points per zone
TIMEOUT_MS=2000		# rblmond's timeout = 2s, and the loop's
TRIES=3

# Every wait is bounded by one of these (seconds).
RBLDNSD_STOP=5
BUILD_LIMIT=120
LOOP_LIMIT=600
RBLMOND_LIMIT=900

helper() {
	python3 "$here/gen_zones.py" "$@"
}

for tool in "$RBLDNSD" "$CC" pkg-config /usr/bin/time python3 timeout; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "sweep-bench: $tool is not installed" >&2
		exit 2
	fi
done
if ! pkg-config --exists libcares libevent; then
	echo "sweep-bench: the c-ares and libevent headers are not installed" \
	    "(libc-ares-dev, libevent-dev)" >&2
	exit 2
fi
case $SWEEP_RUNS in
"" | *[!0-9]* | 0)
	echo "sweep-bench: SWEEP_RUNS must be a positive number" >&2
	exit 2 ;;
esac
if [ ! -x "$RBLMOND" ]; then
	echo "sweep-bench: no rblmond at $RBLMOND (build it, or set RBLMOND)" >&2
	exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rblmon-bench.XXXXXX")
rbldnsd_pid=

stop_rbldnsd() {
	[ -n "$rbldnsd_pid" ] || return 0
	kill "$rbldnsd_pid" 2>/dev/null || true
	i=0
	while kill -0 "$rbldnsd_pid" 2>/dev/null &&
	    [ $i -lt $((RBLDNSD_STOP * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -9 "$rbldnsd_pid" 2>/dev/null || true
	wait "$rbldnsd_pid" 2>/dev/null || true
	rbldnsd_pid=
}

cleanup() {
	stop_rbldnsd
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# rbldnsd refuses to run as root and reads its data as the user it becomes.
chmod 755 "$tmp"
runas=
if [ "$(id -u)" -eq 0 ]; then
	runas="-u nobody"
fi

# UDP counters of the network namespace, "InErrors RcvbufErrors
# InDatagrams Udp6InErrors Udp6RcvbufErrors"; the delta of a run is printed
# as "+E/+R v6 +E/+R" and "N datagrams".
snmp_before=
snmp_mark() {
	snmp_before=$(helper snmp)
}
snmp_delta() {
	# shellcheck disable=SC2046,SC2086
	set -- $snmp_before $(helper snmp)
	echo "$(($6 - $1)) $(($7 - $2)) $(($8 - $3)) $(($9 - $4))" \
	    "$((${10} - $5))"
}
drops_of() {
	# shellcheck disable=SC2086
	set -- $1
	if [ "$1" = - ]; then
		echo -
	else
		echo "+$1/+$2 v6 +$4/+$5"
	fi
}
dgrams_of() {
	# shellcheck disable=SC2086
	set -- $1
	echo "$3"
}

# The value of key $1 in the c-ares loop's report line, "-" if absent.
loop_field() {
	v=$(sed -En "s/(^|.*[[:space:]])$1=([^[:space:]]*).*/\\2/p" \
	    "$tmp/loop.txt" | head -n 1)
	echo "${v:--}"
}

# One pass of the c-ares loop with event loop $1 (poll or libevent): sets
# lp_run_qps, lp_run_ok (exit 0: every query answered, no error, no
# retry) and lp_run_delta, prints a line, and keeps the run as the best of
# its mode if it is clean and faster (lp_poll/lp_libevent, with drops);
# lp_cpu is the least CPU time any clean pass took.
loop_run() {
	snmp_mark
	rc=0
	timeout --foreground "$LOOP_LIMIT" "$tmp/cares_loop" -l "$1" \
	    -s "127.0.0.1:$port" -w "$inflight" -t "$TIMEOUT_MS" -r "$TRIES" \
	    "$tmp/queries.txt" >"$tmp/loop.txt" 2>&1 || rc=$?
	lp_run_delta=$(snmp_delta)
	lp_run_qps=$(loop_field qps)
	lp_run_ok=no
	if [ "$rc" -eq 0 ] && [ "$(loop_field answered)" = "$PAIRS" ] &&
	    [ "$(loop_field error)" = 0 ] && [ "$(loop_field timeouts)" = 0 ]
	then
		lp_run_ok=yes
	fi
	echo "c-ares loop ($1): $lp_run_qps q/s in $(loop_field seconds)s," \
	    "$(loop_field answered) of $PAIRS answered" \
	    "($(loop_field success) success, $(loop_field nxdomain) nxdomain," \
	    "$(loop_field nodata) nodata, $(loop_field error) error," \
	    "$(loop_field timeouts) timeouts), CPU $(loop_field cpu_s)s," \
	    "exit $rc, UDP InErrors/RcvbufErrors $(drops_of "$lp_run_delta")," \
	    "$(dgrams_of "$lp_run_delta") datagrams received"
	if [ "$lp_run_ok" = no ]; then
		echo "the run does not count; its output:" >&2
		tail -n 5 "$tmp/loop.txt" >&2
		return 0
	fi
	case $1 in
	poll)
		lp_cpu=$(awk -v a="$lp_cpu" -v b="$(loop_field cpu_s)" \
		    'BEGIN { print (a == "-" || b + 0 < a + 0) ? b : a }')
		if [ "$lp_run_qps" -gt "$lp_poll" ]; then
			lp_poll=$lp_run_qps
			lp_poll_drops=$lp_run_delta
		fi ;;
	libevent)
		if [ "$lp_run_qps" -gt "$lp_libevent" ]; then
			lp_libevent=$lp_run_qps
			lp_libevent_drops=$lp_run_delta
		fi ;;
	esac
}

# The ARES_OPT_* and ARES_FLAG_* names a source file uses, sorted.
ares_names() {
	grep -oE 'ARES_(OPT|FLAG)_[A-Z0-9_]+' "$1" | sort -u | tr '\n' ' '
}

# The 1-minute load average: other work on the machine moves every figure.
load1() {
	cut -d ' ' -f 1 /proc/loadavg 2>/dev/null || echo -
}
load_before=$(load1)

echo "== 1. data"
helper gen "$tmp"

echo "== 2. the c-ares loop"
# shellcheck disable=SC2046
if ! timeout --foreground "$BUILD_LIMIT" "$CC" \
    $(pkg-config --cflags libcares libevent) -O2 -o "$tmp/cares_loop" \
    "$here/cares_loop.c" $(pkg-config --libs libcares libevent) \
    >"$tmp/cc.txt" 2>&1; then
	echo "sweep-bench: bench/cares_loop.c does not build:" >&2
	cat "$tmp/cc.txt" >&2
	exit 2
fi
opts_rblmond=$(ares_names "$root/src/resolver.c")
opts_loop=$(ares_names "$here/cares_loop.c")
opts_same=same
if [ "$opts_rblmond" != "$opts_loop" ]; then
	opts_same=DIFFERENT
	echo "warning: the c-ares options of src/resolver.c and" \
	    "bench/cares_loop.c differ; update the loop:" >&2
	echo "  resolver.c:   $opts_rblmond" >&2
	echo "  cares_loop.c: $opts_loop" >&2
fi
echo "built with $("$CC" --version | head -n 1), c-ares" \
    "$(pkg-config --modversion libcares); options $opts_same as" \
    "src/resolver.c: $opts_loop"

echo "== 3. rbldnsd"
port=
for attempt in 1 2 3; do
	port=$(helper freeport)
	zones=
	for n in 0 1 2 3 4 5 6 7 8 9; do
		zones="$zones bench$n.test:ip4set:bench$n.test"
	done
	# shellcheck disable=SC2086
	"$RBLDNSD" -n $runas -b "127.0.0.1/$port" -w "$tmp/zones" -t 60 \
	    $zones >"$tmp/rbldnsd.log" 2>&1 </dev/null &
	rbldnsd_pid=$!
	if helper probe "$port" 2.0.0.127.bench9.test &&
	    kill -0 "$rbldnsd_pid" 2>/dev/null; then
		break
	fi
	echo "rbldnsd did not answer on 127.0.0.1/$port (try $attempt)" >&2
	cat "$tmp/rbldnsd.log" >&2
	stop_rbldnsd
	port=
done
if [ -z "$port" ]; then
	echo "sweep-bench: rbldnsd did not start" >&2
	exit 2
fi
echo "rbldnsd pid $rbldnsd_pid on 127.0.0.1/$port"

# The window: rblmond's default max_inflight (sweep.conf does not set it).
inflight=$(sed -n 's/^#define CONFIG_DEFAULT_MAX_INFLIGHT[[:space:]]*//p' \
    "$root/include/config.h" 2>/dev/null || true)
case $inflight in
"" | *[!0-9]*) inflight=64 ;;
esac

lp_poll=0
lp_libevent=0
lp_poll_drops=-
lp_libevent_drops=-
lp_cpu=-

write_conf() {
	# $1 file, $2 the [targets] line
	{
		printf '[rblmond]\nnameservers = 127.0.0.1:%s\n' "$port"
		printf 'timeout = %ss\ntries = %s\n\n[targets]\n%s\n' \
		    $((TIMEOUT_MS / 1000)) "$TRIES" "$2"
		for n in 0 1 2 3 4 5 6 7 8 9; do
			printf '\n[zone bench%s.test]\ntype = ip4\n' "$n"
			printf 'listed = 127.0.0.2-127.0.0.11\n'
		done
	} >"$1"
}

# Adds the UDP counter deltas $1 and $2 ("-" counts as nothing).
drops_add() {
	if [ "$1" = - ]; then
		echo "$2"
	else
		# shellcheck disable=SC2086
		set -- $1 $2
		echo "$(($1 + $6)) $(($2 + $7)) $(($3 + $8)) $(($4 + $9))" \
		    "$(($5 + ${10}))"
	fi
}

# One rblmond sweep, checked: keeps the fastest run's rates (rm_qps,
# rm_qps_s), the least CPU time, the largest peak RSS and the sum of the
# UDP drops over all runs; verdict turns FAIL if any run is wrong.
rblmond_run() {
	snmp_mark
	rc=0
	t0=$(date +%s%N)
	timeout --foreground "$RBLMOND_LIMIT" /usr/bin/time -v \
	    -o "$tmp/time.txt" "$RBLMOND" -c "$tmp/sweep.conf" --once --json \
	    >"$tmp/once.json" 2>"$tmp/once.err" </dev/null || rc=$?
	t1=$(date +%s%N)
	run_drops=$(snmp_delta)
	rm_drops=$(drops_add "$rm_drops" "$run_drops")
	wall=$(awk -v a="$t0" -v b="$t1" \
	    'BEGIN { printf "%.3f", (b - a) / 1e9 }')
	rss_kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' \
	    "$tmp/time.txt")
	run_cpu=$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 }
	    END { printf "%.2f", u + s }' "$tmp/time.txt")
	twall=$(awk -F': ' '/Elapsed \(wall clock\)/ { print $2 }' \
	    "$tmp/time.txt")
	echo "rblmond exit $rc (1: something listed, as expected here)"
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
		echo "rblmond stderr:" >&2
		tail -n 20 "$tmp/once.err" >&2
	fi
	if ! helper verify "$tmp" "$tmp/once.json" >"$tmp/verify.txt"; then
		verdict=FAIL
	fi
	cat "$tmp/verify.txt"
	summary_s=$(sed -n 's/^summary_seconds=//p' "$tmp/verify.txt")
	summary_s=$(awk -v x="${summary_s:-0}" 'BEGIN { printf "%.3f", x }')
	run_qps=$(awk -v n=$((PAIRS + PROBES)) -v w="$wall" \
	    'BEGIN { printf "%.0f", (w > 0 ? n / w : 0) }')
	run_qps_s=$(awk -v n=$((PAIRS + PROBES)) -v w="$summary_s" \
	    'BEGIN { if (w > 0) printf "%.0f", n / w; else print "-" }')
	run_rss=$(awk -v k="${rss_kb:-0}" 'BEGIN { printf "%.1f", k / 1024 }')
	echo "rblmond: wall ${wall}s (time -v: $twall), summary seconds" \
	    "$summary_s, CPU ${run_cpu}s, $run_qps q/s ($run_qps_s by" \
	    "summary seconds), peak RSS $run_rss MiB," \
	    "UDP InErrors/RcvbufErrors $(drops_of "$run_drops")," \
	    "$(dgrams_of "$run_drops") datagrams received" \
	    "(no retries: $((2 * (PAIRS + PROBES))))"
	if [ "$run_qps" -gt "$rm_qps" ]; then
		rm_qps=$run_qps
		rm_qps_s=$run_qps_s
	fi
	cpu=$(awk -v a="$cpu" -v b="$run_cpu" \
	    'BEGIN { print (a == "-" || b + 0 < a + 0) ? b : a }')
	rss_mib=$(awk -v a="$rss_mib" -v b="$run_rss" \
	    'BEGIN { print (b + 0 > a + 0) ? b : a }')
}

# The daemon on the same data: sets dm_* (the fastest first cycle, its
# RSS and commits; the idle CPU); verdict turns FAIL if a run is wrong.
dm_field() {
	v=$(sed -En "s/(^|.*[[:space:]])$1=([^[:space:]]*).*/\\2/p" \
	    "$tmp/daemon.txt" | head -n 1)
	echo "${v:--}"
}
daemon_run() {
	rc=0
	timeout --foreground "$RBLMOND_LIMIT" python3 "$here/daemon_bench.py" \
	    "$1" "$RBLMOND" "$tmp/sweep.conf" "$tmp" >"$tmp/daemon.txt" \
	    2>"$tmp/daemon.err" || rc=$?
	cat "$tmp/daemon.txt"
	if [ "$rc" -ne 0 ] || [ "$(dm_field verdict)" != PASS ]; then
		verdict=FAIL
		cat "$tmp/daemon.err" >&2
		return 0
	fi
	if [ "$1" = idle ]; then
		dm_idle=$(dm_field idle_cpu_pct)
		return 0
	fi
	q=$(dm_field qps)
	q=${q%.*}
	if [ "${q:-0}" -gt "$dm_qps" ]; then
		dm_qps=$q
		dm_commits=$(dm_field commits)
	fi
	dm_rss=$(awk -v a="$dm_rss" -v b="$(dm_field rss_mib)" \
	    'BEGIN { print (b + 0 > a + 0) ? b : a }')
}
dm_qps=0
dm_rss=0
dm_commits=-
dm_idle=-

write_conf "$tmp/sweep.conf" "net = 10.20.0.0/16"
verdict=PASS
rm_qps=0
rm_qps_s=-
rm_drops=-
cpu=-
rss_mib=0
run=1
# Rounds of the same three runs, so that each side has as many tries at
# a quiet moment of a shared machine: the best of N against the best of N.
while [ "$run" -le "$SWEEP_RUNS" ]; do
	echo "== 4.$run. c-ares loop, same $PAIRS queries, $inflight in flight"
	loop_run poll
	loop_run libevent
	echo "== 5.$run. rblmond --once, $PAIRS pairs + $PROBES test points"
	rblmond_run
	echo "== 5.$run.d rblmond -f, first full cycle of $PAIRS pairs"
	daemon_run cycle
	run=$((run + 1))
done
echo "== 5.i rblmond -f, idle between cycles"
daemon_run idle

echo "== 6. small case: 1 target x 10 zones, $SMALL_RUNS runs"
write_conf "$tmp/small.conf" "ip = 10.20.0.5"
small=
if command -v hyperfine >/dev/null 2>&1; then
	# -N: no shell in between; -i: exit 1 (listed) is not a failure.
	timer=hyperfine
	timeout --foreground $((SMALL_RUNS * 30)) hyperfine -N -i \
	    --style none --runs "$SMALL_RUNS" \
	    --export-json "$tmp/hyperfine.json" \
	    "$RBLMOND -c $tmp/small.conf --once --json" \
	    >"$tmp/hyperfine.txt" 2>&1 || true
	small=$(helper hyperfine "$tmp/hyperfine.json" 2>/dev/null || true)
	if [ -z "$small" ]; then
		echo "hyperfine failed, timing from Python instead:" >&2
		tail -n 5 "$tmp/hyperfine.txt" >&2
	fi
fi
if [ -z "$small" ]; then
	timer=python
	small=$(helper smalltime "$SMALL_RUNS" "$RBLMOND" \
	    -c "$tmp/small.conf" --once --json)
fi
echo "($timer) $small"
small_med=$(echo "$small" | sed -n 's/^median_ms=\([0-9.]*\).*/\1/p')
small_p90=$(echo "$small" | sed -n 's/.*p90_ms=\([0-9.]*\).*/\1/p')

stop_rbldnsd
load_after=$(load1)

# The reference: the bare poll(2) loop's best clean pass. rblmond's loop
# polls too (src/resolver.c resolver_base_new); the libevent loop, on
# libevent's default epoll, is shown beside it.
ref=$lp_poll
ref_mode=poll
ref_drops=$lp_poll_drops
# The loop's least CPU time scaled to rblmond's query count: the ratio of
# CPU time per query, which other work on the machine moves far less.
cpu_ref=$(awk -v c="$lp_cpu" -v n=$((PAIRS + PROBES)) -v p="$PAIRS" \
    'BEGIN { if (c == "-") print "-"; else printf "%.4f", c * n / p }')
pct() {
	awk -v a="$1" -v b="$2" \
	    'BEGIN { if (a != "-" && b > 0) printf "%.1f %%", 100 * a / b;
	    else print "-" }'
}
or_dash() {
	if [ "$1" -gt 0 ]; then echo "$1"; else echo "- (no clean run)"; fi
}
row() {
	printf '%-40s %-18s %s\n' "$1" "$2" "$3"
}
echo
echo "== summary"
row "measure" "figure" "target"
lp_n=$SWEEP_RUNS
row "c-ares loop poll q/s (best of $lp_n)" "$(or_dash "$lp_poll")" "-"
row "c-ares loop libevent q/s (best of $lp_n)" "$(or_dash "$lp_libevent")" \
    "-"
row "reference: c-ares loop, window" "$ref_mode, -w $inflight" \
    "$inflight (max_inflight)"
row "c-ares options as src/resolver.c" "$opts_same" "same"
row "rblmond runs (best q/s, least CPU)" "$SWEEP_RUNS" "-"
row "rblmond q/s (pairs+probes / wall)" "$rm_qps" "-"
row "rblmond q/s (pairs+probes / summary)" "$rm_qps_s" "-"
row "ratio rblmond/c-ares loop (wall)" "$(pct "$rm_qps" "$ref")" ">= 90 %"
row "ratio rblmond/c-ares loop (summary)" "$(pct "$rm_qps_s" "$ref")" "-"
row "CPU s (least), poll loop / rblmond" "$lp_cpu / $cpu" "-"
row "ratio rblmond/c-ares loop (CPU/query)" "$(pct "$cpu_ref" "$cpu")" "-"
row "rblmond peak RSS" "$rss_mib MiB" "<= 8 MiB"
row "daemon first cycle q/s (best of $SWEEP_RUNS)" "$dm_qps" "-"
row "ratio daemon/--once (q/s, wall)" "$(pct "$dm_qps" "$rm_qps")" \
    ">= 90 %"
row "daemon peak RSS (655,360 pairs)" "$dm_rss MiB" "<= 32 MiB"
row "daemon store commits, first cycle" "$dm_commits" "bounded"
row "daemon idle CPU between cycles" "$dm_idle % of a core" "< 1 %"
row "drops c-ares loop (InErr/RcvbufErr)" "$(drops_of "$ref_drops")" \
    "+0/+0 v6 +0/+0"
row "drops rblmond (InErr/RcvbufErr)" "$(drops_of "$rm_drops")" \
    "+0/+0 v6 +0/+0"
row "small case median / p90 ($timer)" "$small_med / $small_p90 ms" \
    "<= 5 ms"
row "correctness (listed set, no errors)" "$verdict" "PASS"
row "load average (1 min) before / after" "$load_before / $load_after" \
    "- ($(nproc 2>/dev/null || echo '?') CPUs)"

# The control socket's latency on the same data, about three minutes
# (bench/control_bench.py, its own rbldnsd); CONTROL_BENCH=0 leaves it out.
if [ "${CONTROL_BENCH:-1}" != 0 ]; then
	echo
	echo "== 7. control socket latency (bench/control_bench.py)"
	timeout --foreground "$RBLMOND_LIMIT" python3 "$here/control_bench.py" \
	    --rblmond "$RBLMOND" || verdict=FAIL
fi

if [ "$verdict" != PASS ]; then
	exit 1
fi
if [ "$ref" -eq 0 ]; then
	echo "sweep-bench: no clean pass of the c-ares loop, no reference" >&2
	exit 2
fi
exit 0
