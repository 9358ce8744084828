#!/bin/bash
# The systemd VM test, run inside the guest by oomtrace-vmtest.service.
# Installs oomtrace with packaging/provision.sh, provokes OOM kills in
# memory-limited transient units and checks the service's JSON log against
# the kernel's own account: "Killed process" lines in the journal,
# memory.events of the units' slice and oom_kill in /proc/vmstat. Each
# step prints "VMTEST STEP <name> PASS|FAIL <detail>" on the console; the
# last line is "VMTEST DONE <passed>/<steps>".
set -u
src=${1:-/opt/oomtrace}
out=/var/log/oomtrace/oom.jsonl
work=/root/vmtest
slice=oomvt.slice
mkdir -p "$work"

passed=0
steps=0
summary=()
report() { # name PASS|FAIL detail...
	local name=$1 status=$2
	shift 2
	steps=$((steps + 1))
	[ "$status" = PASS ] && passed=$((passed + 1))
	summary+=("$(printf '%-14s %s  %s' "$name" "$status" "$*")")
	echo "VMTEST STEP $name $status $*"
}
info() { echo "VMTEST INFO $*"; }

vmstat_oom() { awk '$1 == "oom_kill" { print $2 }' /proc/vmstat; }
slice_oom() {
	awk '$1 == "oom_kill" { print $2 }' "/sys/fs/cgroup/$slice/memory.events" 2>/dev/null ||
		echo 0
}
lines() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }

# The journal's cursor after the newest kernel line, to read what follows.
kcursor() { journalctl -k -b -n1 -q --show-cursor | sed -n 's/^-- cursor: //p'; }

# Victim pids of the "Killed process" lines after cursor $1 (all of this
# boot for ""), one a line, sorted. Waits for journald to catch up.
killed_since() {
	sleep 2
	journalctl --sync
	if [ -n "$1" ]; then
		journalctl -k -b -q -o cat --after-cursor="$1"
	else
		journalctl -k -b -q -o cat
	fi | sed -n 's/.*Killed process \([0-9][0-9]*\) .*/\1/p' | sort -n
}

# burst UNIT SECONDS: stress-ng in a 64 MiB transient unit of the test slice,
# in the background; its pid is in $burst_pid. OOMPolicy=continue: by
# default systemd stops a service at its first OOM kill, which would end
# the burst there.
burst() {
	systemd-run --unit="$1" --slice="$slice" --quiet --wait \
		-p MemoryMax=64M -p MemorySwapMax=0 -p OOMPolicy=continue \
		stress-ng --vm 2 --vm-bytes 128M --timeout "$2" --quiet >/dev/null 2>&1 &
	burst_pid=$!
}

# check NAME RECORDS TRUTH DOMAIN KERNEL_COUNT [lenient|replayed]: compare
# the records (a JSON lines file) with the victim pids (a file) and the
# kernel's count; DOMAIN is the oom_cgroup every record must name (a
# regular expression), with CONSTRAINT_MEMCG. Lenient: records from the
# kernel log alone (kills while the service was down) may lack the domain,
# since the kernel rate-limits the report that names it (10 per 5 s);
# they are counted. Replayed: lenient, and at least one kill must have
# fallen while the service was down.
check() {
	local name=$1 recs=$2 truth=$3 domain=$4 kcount=$5 lenient=${6:-}
	local got n_truth n_recs dups bad nodomain
	jq -r .tid "$recs" | sort -n >"$work/$name.tids"
	n_truth=$(wc -l <"$truth")
	n_recs=$(wc -l <"$work/$name.tids")
	dups=$(jq -r .id "$recs" | sort | uniq -d | wc -l)
	got=$(diff "$truth" "$work/$name.tids" | grep -c '^[<>]')
	bad=$(jq -c --arg d "^($domain)\$" 'select(
		((.oom_cgroup | test($d)) and .constraint == "CONSTRAINT_MEMCG") | not)' "$recs" |
		tee "$work/$name.bad" | wc -l)
	nodomain=0
	if [ -n "$lenient" ]; then
		nodomain=$(jq -c 'select((.sources | index("ebpf")) == null and
			(.oom_cgroup == "" or .oom_cgroup == null) and
			(.constraint == "" or .constraint == null or
			 .constraint == "CONSTRAINT_MEMCG"))' "$work/$name.bad" | wc -l)
	fi
	local detail="kills=$n_truth records=$n_recs kernel_count=$kcount dup_ids=$dups"
	detail="$detail pid_mismatch=$got wrong_domain=$((bad - nodomain))"
	[ -n "$lenient" ] && detail="$detail kmsg_only_no_domain=$nodomain"
	detail="$detail $(jq -r '.sources | join("+")' "$recs" | sort | uniq -c |
		awk '{ printf "%s%s=%s", sep, $2, $1; sep = "," }')"
	local replayed
	replayed=$(jq -c 'select(.replayed)' "$recs" | wc -l)
	detail="$detail replayed=$replayed"
	if [ "$lenient" = replayed ] && [ "$replayed" = 0 ]; then
		detail="$detail (no kill fell while the service was down)"
		n_truth=0
	fi
	if [ "$n_truth" -gt 0 ] && [ "$n_truth" = "$n_recs" ] && [ "$n_truth" = "$kcount" ] &&
		[ "$dups" = 0 ] && [ "$got" = 0 ] && [ $((bad - nodomain)) = 0 ]; then
		report "$name" PASS "$detail"
	else
		report "$name" FAIL "$detail"
		head -3 "$work/$name.bad" | sed 's/^/VMTEST INFO bad: /'
	fi
}

info "kernel $(uname -r), $(stat -fc %T /sys/fs/cgroup) on /sys/fs/cgroup"
vm0=$(vmstat_oom)

# 1. Install and the demo, exactly as Vagrant runs it.
c0=$(kcursor)
if "$src/packaging/provision.sh" "$src" >"$work/provision.log" 2>&1 &&
	systemctl is-active --quiet oomtrace; then
	report install PASS "make install; systemctl enable --now oomtrace: active"
else
	report install FAIL "provision.sh failed; see $work/provision.log"
	tail -20 "$work/provision.log" | sed 's/^/VMTEST INFO provision: /'
fi
journalctl -u oomtrace -b -o cat --no-pager | head -20 | sed 's/^/VMTEST INFO oomtrace: /'
killed_since "$c0" >"$work/demo.truth"
cp "$out" "$work/demo.jsonl" 2>/dev/null || : >"$work/demo.jsonl"
check demo "$work/demo.jsonl" "$work/demo.truth" '/system\.slice/run-[^/]+\.service' \
	$(($(vmstat_oom) - vm0))

# A unit that only sleeps keeps the slice (and its memory.events) alive.
systemd-run --unit=oomvt-keeper --slice="$slice" --quiet sleep infinity

# run_burst NAME SECONDS ACTION [lenient]: a burst, ACTION run 6 s into
# it, when the kills have begun (stress-ng takes some 4 s to start under
# TCG).
run_burst() {
	local name=$1 seconds=$2 action=$3 lenient=${4:-}
	local cur l0 s0
	cur=$(kcursor)
	l0=$(lines "$out")
	s0=$(slice_oom)
	burst "oomvt-$name" "$seconds"
	sleep 6
	eval "$action"
	wait "$burst_pid"
	systemctl reset-failed "oomvt-$name.service" 2>/dev/null
	sleep 3 # merge-wait, and a restarted service catching up
	killed_since "$cur" >"$work/$name.truth"
	tail -n +$((l0 + 1)) "$out" >"$work/$name.jsonl"
	check "$name" "$work/$name.jsonl" "$work/$name.truth" \
		"/$slice/oomvt-$name\\.service" $(($(slice_oom) - s0)) $lenient
}

# 2. A burst with the service running throughout.
run_burst steady 12 :

# 3. systemctl restart in the middle of a burst.
run_burst restart 16 'systemctl restart oomtrace' lenient

# 4. SIGKILL in the middle of a burst; Restart=on-failure brings it back.
n0=$(systemctl show -p NRestarts --value oomtrace)
run_burst kill 16 'systemctl kill -s KILL oomtrace' replayed
n1=$(systemctl show -p NRestarts --value oomtrace)
if [ "$n1" -gt "$n0" ] && systemctl is-active --quiet oomtrace; then
	report auto-restart PASS "NRestarts $n0 -> $n1, active"
else
	report auto-restart FAIL "NRestarts $n0 -> $n1, $(systemctl is-active oomtrace)"
fi

# 5. logrotate with the shipped config; records go on in the new file.
l_before=$(lines "$out")
logrotate -f /etc/logrotate.d/oomtrace
sleep 1
if [ -f "$out.1" ] && [ "$(lines "$out.1")" = "$l_before" ] && [ -f "$out" ]; then
	rot="rotated $l_before records to oom.jsonl.1"
	run_burst after-rotate 10 :
	if [ "$(lines "$out.1")" = "$l_before" ]; then
		report logrotate PASS "$rot; none written to it since"
	else
		report logrotate FAIL "$rot; $(($(lines "$out.1") - l_before)) written to it since"
	fi
else
	report logrotate FAIL "oom.jsonl.1: $(lines "$out.1") lines, expected $l_before"
fi

# 6. The whole boot: every kill once across the rotated files.
cat "$out.1" "$out" >"$work/all.jsonl" 2>/dev/null
killed_since "" >"$work/all.truth"
check all-records "$work/all.jsonl" "$work/all.truth" \
	"/system\\.slice/run-[^/]+\\.service|/$slice/oomvt-[a-z-]+\\.service" \
	$(($(vmstat_oom) - vm0)) lenient

# 7. oomtrace parse on journalctl -k: the same kills.
journalctl -k -b -o short-precise --no-pager >"$work/journal-k.txt"
/usr/local/bin/oomtrace parse "$work/journal-k.txt" >"$work/parsed.jsonl" 2>"$work/parse.err"
jq -r .tid "$work/parsed.jsonl" | sort -n >"$work/parsed.tids"
if [ -s "$work/parsed.tids" ] && diff -q "$work/all.truth" "$work/parsed.tids" >/dev/null &&
	diff -q "$work/all-records.tids" "$work/parsed.tids" >/dev/null; then
	report parse PASS "$(wc -l <"$work/parsed.tids") kills, same pids as the journal and the log"
else
	report parse FAIL "parsed=$(wc -l <"$work/parsed.tids") journal=$(wc -l <"$work/all.truth")" \
		"log=$(wc -l <"$work/all-records.tids")"
fi
sed 's/^/VMTEST INFO parse: /' "$work/parse.err" | tail -3

# 8. The unit's exposure score.
systemd-analyze security --no-pager oomtrace.service >"$work/security.txt" 2>&1
score=$(sed -n 's/.*exposure level for oomtrace.service: \([0-9.]*\).*/\1/p' "$work/security.txt")
grep '✗' "$work/security.txt" | awk '{ printf "%s ", $2 }' | sed 's/^/VMTEST INFO not hardened: /'
echo
if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 3.0) }'; then
	report security PASS "exposure $score (target 3.0 or lower)"
else
	report security FAIL "exposure ${score:-unknown} (target 3.0 or lower)"
fi
echo "VMTEST EXPOSURE ${score:-unknown}"

# 9. What oomtrace itself logged (logrus lines on stderr, in the journal at
# priority info): no warnings or errors during the test.
journalctl _SYSTEMD_UNIT=oomtrace.service -b -o cat --no-pager |
	grep -E 'level=(warning|error|fatal)' >"$work/warnings.txt"
warns=$(wc -l <"$work/warnings.txt")
head -5 "$work/warnings.txt" | sed 's/^/VMTEST INFO warning: /'
if [ "$warns" = 0 ]; then
	report service-log PASS "no warnings from oomtrace"
else
	report service-log FAIL "$warns warnings from oomtrace"
fi

echo "VMTEST SUMMARY"
printf 'VMTEST   %s\n' "${summary[@]}"
echo "VMTEST DONE $passed/$steps"
