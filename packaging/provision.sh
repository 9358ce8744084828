#!/bin/sh
# Build, install and start oomtrace on a Debian or Ubuntu machine with
# systemd, then provoke OOM kills in a memory-limited transient unit and
# print the records. Usage: provision.sh SOURCE_DIR
set -eu
src=${1:-.}
export DEBIAN_FRONTEND=noninteractive

apt-get update -q
apt-get install -y -q --no-install-recommends golang-go make stress-ng jq ca-certificates

cd "$src"
# Debian's Go may be older than go.mod asks for; let the go command fetch
# the toolchain go.mod names.
export GOTOOLCHAIN=auto
make build
make install PREFIX=/usr/local
systemctl daemon-reload
systemctl enable --now oomtrace
sleep 2

# 5 s of stress-ng in a 64 MiB unit: dozens of kills, none outside it.
systemd-run --wait --quiet -p MemoryMax=64M -p MemorySwapMax=0 \
	stress-ng --vm 2 --vm-bytes 128M --timeout 5s --quiet || true
sleep 2

echo "== OOM kills recorded by oomtrace:"
jq -c '{time, pid, process_name, victim_cgroup, oom_cgroup, constraint, sources}' \
	/var/log/oomtrace/oom.jsonl
