#!/bin/sh
# The systemd VM test (make vm-systemd-test; root). Builds a Debian 12
# system with systemd (rootfs.sh, debootstrap, cached in .vm/systemd/rootfs),
# copies the source tree and the host-built static ./oomtrace into it as
# /opt/oomtrace, makes an ext4 disk image and boots it under qemu with its
# own kernel and initramfs. Inside, oomtrace-vmtest.service runs guest.sh
# (install with packaging/provision.sh, OOM kills, restarts, logrotate,
# oomtrace parse, systemd-analyze security), prints its results on the
# serial console and powers off.
#
# Environment: VM_ACCEL (tcg, or kvm where nested guests work), VM_MEM
# (MiB, 1536), VM_CPUS (2), VM_TIMEOUT (s, 2400), MIRROR (default: from
# this machine's apt sources).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
vm=$repo/.vm/systemd
accel=${VM_ACCEL:-tcg}
started=$(date +%s)
cd "$repo"

[ "$(id -u)" = 0 ] || { echo "vm-systemd-test: needs root (debootstrap, chroot)" >&2; exit 1; }
# make build: static (CGO_ENABLED=0), so it runs in the guest as it is.
[ -x ./oomtrace ] || { echo "vm-systemd-test: no ./oomtrace; run make build" >&2; exit 1; }
for tool in debootstrap qemu-system-x86_64 mkfs.ext4 debugfs; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "vm-systemd-test: no $tool (apt-get install debootstrap qemu-system-x86 e2fsprogs)" >&2
		exit 1
	}
done

"$here/rootfs.sh" "$vm/rootfs"

echo "image: source tree and ./oomtrace into /opt/oomtrace"
rm -rf "$vm/image-root" "$vm/out"
cp -a "$vm/rootfs" "$vm/image-root"
root=$vm/image-root
mkdir -p "$root/opt/oomtrace"
git ls-files -z --cached --others --exclude-standard |
	tar -cf - --null -T - | tar -xf - -C "$root/opt/oomtrace"
cp ./oomtrace "$root/opt/oomtrace/oomtrace"
cp "$here/oomtrace-vmtest.service" "$root/etc/systemd/system/"
ln -sf ../oomtrace-vmtest.service \
	"$root/etc/systemd/system/multi-user.target.wants/oomtrace-vmtest.service"
rm -f "$root/.complete"

kernel=$(ls "$root"/boot/vmlinuz-* | sort -V | tail -1)
initrd=$root/boot/initrd.img-${kernel##*/vmlinuz-}
cp "$kernel" "$vm/vmlinuz"
cp "$initrd" "$vm/initrd.img"
rm -f "$vm/disk.raw"
truncate -s 3G "$vm/disk.raw"
mkfs.ext4 -q -F -L oomtrace-vm -d "$root" "$vm/disk.raw"
rm -rf "$root"

console=$vm/console.log
: >"$console"
echo "boot: qemu-system-x86_64 -accel $accel, kernel ${kernel##*/}; console in $console"
timeout "${VM_TIMEOUT:-2400}" qemu-system-x86_64 \
	-accel "$accel" -m "${VM_MEM:-1536}" -smp "${VM_CPUS:-2}" \
	-kernel "$vm/vmlinuz" -initrd "$vm/initrd.img" \
	-append "root=/dev/vda rw console=ttyS0 loglevel=1 systemd.show_status=false" \
	-drive "file=$vm/disk.raw,format=raw,if=virtio" \
	-nic none -display none -monitor none -serial "file:$console" -no-reboot &
qemu=$!
# Follow the test's lines while the guest runs.
tail -n +1 -f --pid="$qemu" "$console" | grep --line-buffered '^VMTEST' | sed 's/^VMTEST //' &
status=0
wait "$qemu" || status=$?
sleep 1

# The test's working files, for a look after a failure.
debugfs -R "rdump /root/vmtest $vm" "$vm/disk.raw" >/dev/null 2>&1 &&
	mv "$vm/vmtest" "$vm/out" 2>/dev/null || true

elapsed=$(($(date +%s) - started))
done_line=$(grep -a '^VMTEST DONE' "$console" | tail -1 | tr -d '\r')
echo "== systemd VM test: ${done_line#VMTEST DONE } steps passed," \
	"exposure $(grep -a '^VMTEST EXPOSURE' "$console" | tail -1 | awk '{print $3}' | tr -d '\r')," \
	"wall time ${elapsed}s (qemu exit $status); files in $vm/out"
case $done_line in
"VMTEST DONE "*)
	counts=${done_line#VMTEST DONE }
	[ "${counts%/*}" = "${counts#*/}" ] && exit 0
	;;
*) echo "the guest did not finish the test; last console lines:"; tail -20 "$console" ;;
esac
exit 1
