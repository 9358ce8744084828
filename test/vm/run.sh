#!/usr/bin/env bash
# Kernel matrix: boots Debian kernels under qemu with an initramfs built
# here (busybox, the static oomtrace, the test driver), runs the driver's
# OOM scenarios in each and prints a table of the results.
#
# Environment:
#   VM_MATRIX   "suite:cgroup ..." (default below); suites of the Debian
#               archive this machine's apt configuration uses
#   VM_ACCEL    qemu accelerator: tcg (default; KVM crashed guests in the
#               nested setup this was built on) or kvm
#   VM_TIMEOUT  seconds per VM (default 900)
#   VM_ONLY     comma-separated scenarios to run (default: all)
set -euo pipefail
cd "$(dirname "$0")/../.."

matrix=${VM_MATRIX:-"bullseye:v2 bookworm:v2 bookworm:v1 trixie:v2"}
accel=${VM_ACCEL:-tcg}
timeout_s=${VM_TIMEOUT:-900}
cache=.vm/cache
work=.vm/run

need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
[ -x /bin/busybox ] && /bin/busybox --list | grep -qx cpio || need+=(busybox-static)
command -v cpio >/dev/null || need+=(cpio)
command -v dpkg-deb >/dev/null || need+=(dpkg)
if [ ${#need[@]} -gt 0 ]; then
	echo "== installing ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi
if ldd /bin/busybox >/dev/null 2>&1; then
	echo "/bin/busybox is not static (apt-get install busybox-static)" >&2
	exit 1
fi

echo "== building oomtrace and the driver (static)"
rm -rf "$work" && mkdir -p "$work"
CGO_ENABLED=0 go build -trimpath -o "$work/oomtrace" ./cmd/oomtrace
CGO_ENABLED=0 go build -trimpath -o "$work/driver" ./test/vm/driver

suites=$(for entry in $matrix; do echo "${entry%%:*}"; done | sort -u)
echo "== fetching kernels: " $suites
declare -A kernel
while read -r suite version path; do
	kernel[$suite]=$path
	echo "   $suite: $version"
done < <(test/vm/kernels.sh "$cache" $suites)

# initramfs builds the archive shared by every VM.
initrd=$work/initrd.gz
root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys,tmp}
cp /bin/busybox "$work/oomtrace" "$work/driver" "$root/bin/"
cp test/vm/init "$root/init"
chmod 0755 "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$initrd"

logs=()
start=$(date +%s)
for entry in $matrix; do
	suite=${entry%%:*} cgroup=${entry#*:}
	log=$work/$suite-$cgroup.log
	logs+=("$log")
	echo "== booting $suite ($(basename "${kernel[$suite]}")), cgroup $cgroup, accel $accel"
	t0=$(date +%s)
	timeout "$timeout_s" qemu-system-x86_64 -accel "$accel" -m 1024 -smp 2 \
		-nographic -no-reboot \
		-kernel "${kernel[$suite]}" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 loglevel=3 log_buf_len=4M oomtrace_cgroup=$cgroup oomtrace_only=${VM_ONLY:-}" \
		</dev/null >"$log" 2>&1 || echo "   qemu exit status $? (see $log)"
	grep -E '^(driver|OOMTRACE-RESULT)' "$log" | tr -d '\r' | cut -c1-160 | sed 's/^/   /' || true
	echo "   $(($(date +%s) - t0)) s"
done
echo "== kernel matrix ($(($(date +%s) - start)) s of VM time)"
"$work/driver" table "${logs[@]}"
