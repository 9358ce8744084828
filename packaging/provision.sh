#!/bin/sh
# Install oomtrace as a systemd service on a Debian or Ubuntu machine, start
# it, provoke OOM kills with stress-ng in a memory-limited transient unit
# and print the records. Vagrant provisions with it; the systemd VM test
# (test/vm-systemd) runs it first, as its install step.
#
# Usage: provision.sh [SOURCE_DIR]    (root)
#
# The binary: when a go command of 1.21 or later is present, `make install`
# builds it, and GOTOOLCHAIN=auto fetches the Go release go.mod names from
# the Go module proxy. Without one, a prebuilt ./oomtrace (make build on
# the host) is installed as it is. Failing both, Debian's golang-go is
# installed; Debian 12's 1.19 cannot switch toolchains, so it downloads the
# Go release go.mod names as a module (golang.org/toolchain, checked
# against the checksum database like any module) and builds with that.
set -eu
src=${1:-.}
cd "$src"
export DEBIAN_FRONTEND=noninteractive

apt_install() {
	if [ -z "${apt_updated:-}" ]; then
		apt-get update -q
		apt_updated=1
	fi
	apt-get install -y -q --no-install-recommends "$@"
}

# Tools the demo uses; a prepared image has them already (no network).
missing=
for tool in make:make stress-ng:stress-ng jq:jq systemd-run:systemd; do
	command -v "${tool%%:*}" >/dev/null 2>&1 || missing="$missing ${tool#*:}"
done
if [ -n "$missing" ]; then
	apt_install $missing ca-certificates
fi

# go_minor prints the minor version of the go command on PATH (1.N), or 0.
go_minor() {
	command -v go >/dev/null 2>&1 || { echo 0; return; }
	go version | sed -n 's/.* go1\.\([0-9]*\).*/\1/p'
}

# fetch_go puts the Go release go.mod asks for on PATH, downloaded by an
# older go command from the module proxy (what GOTOOLCHAIN=auto does).
fetch_go() {
	want=go$(sed -n 's/^go \([0-9.]*\)$/\1/p' go.mod)
	mod=golang.org/toolchain@v0.0.1-$want.linux-$(dpkg --print-architecture)
	work=$(mktemp -d)
	printf 'module fetchgo\n\ngo 1.17\n' >"$work/go.mod"
	dir=$(cd "$work" && GOFLAGS=-modcacherw go mod download -json "$mod" |
		sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	rm -rf "$work"
	[ -n "$dir" ] || { echo "provision: could not download $mod" >&2; exit 1; }
	# Module zips keep no file modes.
	chmod -R u+w "$dir"
	find "$dir/bin" "$dir/pkg/tool" -type f -exec chmod +x {} +
	PATH=$dir/bin:$PATH
	export PATH GOTOOLCHAIN=local
}

export GOTOOLCHAIN=auto
if [ "$(go_minor)" -ge 21 ]; then
	echo "provision: building with $(go version)"
elif [ -x ./oomtrace ] && ! command -v go >/dev/null 2>&1; then
	echo "provision: no go command; installing the prebuilt ./oomtrace"
else
	command -v go >/dev/null 2>&1 || apt_install golang-go ca-certificates
	if [ "$(go_minor)" -lt 21 ]; then
		fetch_go
	fi
	echo "provision: building with $(go version)"
fi

make install PREFIX=/usr/local
systemctl daemon-reload
systemctl enable --now oomtrace
sleep 2
systemctl is-active --quiet oomtrace || {
	systemctl status --no-pager oomtrace || true
	exit 1
}

# 5 s of stress-ng in a 64 MiB unit: OOM kills, none outside it.
# OOMPolicy=continue: systemd would stop the unit at its first OOM kill.
systemd-run --wait --quiet -p MemoryMax=64M -p MemorySwapMax=0 -p OOMPolicy=continue \
	stress-ng --vm 2 --vm-bytes 128M --timeout 5s --quiet || true
sleep 2

echo "== OOM kills recorded by oomtrace:"
jq -c '{time, pid, process_name, victim_cgroup, oom_cgroup, constraint, sources}' \
	/var/log/oomtrace/oom.jsonl
