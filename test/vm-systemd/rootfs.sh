#!/bin/sh
# Build the base Debian bookworm system the systemd VM test boots, with
# debootstrap from the archive this machine's apt uses, into DIR
# (default .vm/systemd/rootfs). A finished tree is kept and reused while
# the package list below is unchanged; delete DIR to rebuild. Needs root
# (debootstrap, chroot).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-.vm/systemd/rootfs}
suite=bookworm
packages=systemd,systemd-sysv,dbus,udev,linux-image-amd64,initramfs-tools,stress-ng,jq,logrotate,make,kmod,procps

if [ "$(cat "$dir/.complete" 2>/dev/null)" = "$suite $packages" ]; then
	echo "rootfs: reusing $dir"
	exit 0
fi
mirror=${MIRROR:-$("$here/mirror.sh" "$suite")}
echo "rootfs: debootstrap $suite from $mirror into $dir"
rm -rf "$dir.tmp"
mkdir -p "$(dirname "$dir")"
debootstrap --variant=minbase --include="$packages" "$suite" "$dir.tmp" "$mirror" \
	>"$dir.log" 2>&1 || { tail -30 "$dir.log"; exit 1; }

# The guest's disk is /dev/vda, one ext4 file system, no swap.
echo '/dev/vda / ext4 rw,errors=remount-ro 0 1' >"$dir.tmp/etc/fstab"
echo oomtrace-vm >"$dir.tmp/etc/hostname"
# Every kernel line reaches the journal: the test counts "Killed process".
mkdir -p "$dir.tmp/etc/systemd/journald.conf.d"
printf '[Journal]\nRateLimitBurst=0\nStorage=persistent\n' \
	>"$dir.tmp/etc/systemd/journald.conf.d/oomtrace-vm.conf"
# Nothing in the image waits for a network or a login.
chroot "$dir.tmp" systemctl mask systemd-networkd-wait-online.service \
	getty@tty1.service serial-getty@ttyS0.service >/dev/null 2>&1 || true
rm -f "$dir.tmp/var/cache/apt/archives/"*.deb
echo "$suite $packages" >"$dir.tmp/.complete"
rm -rf "$dir"
mv "$dir.tmp" "$dir"
echo "rootfs: done ($(du -sh "$dir" | cut -f1))"
