#!/usr/bin/env bash
# Fetches the newest Debian amd64 kernel image of each suite named on the
# command line (bullseye, bookworm, trixie, bookworm-backports, ...) with the
# ordinary apt client, into a private apt configuration below the cache
# folder: the machine's own apt setup is read, never changed. The archive is
# the one this machine's apt configuration already uses.
#
# Usage: kernels.sh CACHE_DIR SUITE...
# Prints one line per suite: SUITE VERSION PATH_TO_VMLINUZ
set -euo pipefail

cache=$(realpath -m "$1")
shift
mkdir -p "$cache"

# debian_archive prints the URI of the first apt source whose suites include
# a plain Debian release (no -security, -updates): the main archive.
debian_archive() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		awk '$1 == "deb" {
			i = 2
			if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
			if ($(i+1) ~ /^[a-z]+$/ && $i ~ /debian\/?$/) { print $i; exit }
		}' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		# deb822: paragraphs separated by blank lines.
		awk 'BEGIN { RS = ""; FS = "\n" }
		{
			types = uris = suites = ""
			for (i = 1; i <= NF; i++) {
				if ($i ~ /^Types:/) types = $i
				if ($i ~ /^URIs:/) uris = $i
				if ($i ~ /^Suites:/) suites = $i
				if ($i ~ /^Enabled: *no/) types = ""
			}
			if (types !~ /[ \t]deb([ \t]|$)/) next
			sub(/^Suites:[ \t]*/, "", suites)
			n = split(suites, s, /[ \t]+/)
			plain = 0
			for (j = 1; j <= n; j++) if (s[j] ~ /^[a-z]+$/) plain = 1
			if (!plain) next
			sub(/^URIs:[ \t]*/, "", uris)
			split(uris, u, /[ \t]+/)
			if (u[1] ~ /debian\/?$/) { print u[1]; exit }
		}' "$f"
	done
}

archive=$(debian_archive | head -n1)
if [ -z "$archive" ]; then
	echo "kernels.sh: no Debian archive found in /etc/apt/sources.list{,.d/}" >&2
	exit 1
fi
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

for suite in "$@"; do
	dir=$cache/apt/$suite
	mkdir -p "$dir/etc/sources.list.d" "$dir/etc/preferences.d" \
		"$dir/state/lists/partial" "$dir/cache/archives/partial" "$dir/debs"
	: >"$dir/state/status"
	echo "deb [signed-by=$keyring] $archive $suite main" >"$dir/etc/sources.list"
	apt_opts=(
		-o "Dir::Etc::SourceList=$dir/etc/sources.list"
		-o "Dir::Etc::SourceParts=$dir/etc/sources.list.d"
		-o "Dir::Etc::Preferences=/dev/null"
		-o "Dir::Etc::PreferencesParts=$dir/etc/preferences.d"
		-o "Dir::State=$dir/state"
		-o "Dir::State::status=$dir/state/status"
		-o "Dir::Cache=$dir/cache"
		-o "APT::Architecture=amd64"
		-o "APT::Architectures=amd64"
		-o "Acquire::Languages=none"
		-o "Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false"
		-o "Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false"
		-o "Acquire::IndexTargets::deb::DEP-11-icons-hidpi::DefaultEnabled=false"
		-o "APT::Sandbox::User=root"
		-o "Debug::NoLocking=1"
	)
	# A day-old package list is good enough; the images stay cached.
	if [ -z "$(find "$dir/state/lists" -maxdepth 1 -name '*_Packages*' -mtime -1)" ]; then
		apt-get "${apt_opts[@]}" -q update >&2
	fi
	# The newest versioned image in the suite (not the meta package, which
	# in a -backports suite points to the main suite's kernel).
	pkg=$(apt-cache "${apt_opts[@]}" pkgnames linux-image- |
		grep -E '^linux-image-[0-9][0-9.]*(-[0-9]+|\+deb[0-9]+)-amd64(-unsigned)?$' |
		sed -E 's/-unsigned$//' | sort -uV | tail -n1)
	if [ -z "$pkg" ]; then
		echo "kernels.sh: no linux-image-*-amd64 in $suite" >&2
		exit 1
	fi
	version=${pkg#linux-image-}
	out=$cache/kernels/$suite
	if [ ! -s "$out/vmlinuz-$version" ]; then
		deb=$(ls "$dir"/debs/"$pkg"_*.deb 2>/dev/null | head -n1 || true)
		if [ -z "$deb" ]; then
			# Prefer the unsigned build: same kernel, no shim chain.
			want=$pkg-unsigned
			apt-cache "${apt_opts[@]}" show "$want" >/dev/null 2>&1 || want=$pkg
			(cd "$dir/debs" && apt-get "${apt_opts[@]}" -q download "$want" >&2)
			deb=$(ls "$dir"/debs/"$want"_*.deb | head -n1)
		fi
		rm -rf "$dir/x" && mkdir -p "$dir/x" "$out"
		dpkg-deb -x "$deb" "$dir/x"
		cp "$dir/x/boot/vmlinuz-$version" "$out/vmlinuz-$version"
		cp "$dir/x/boot/config-$version" "$out/config-$version"
		rm -rf "$dir/x"
	fi
	echo "$suite $version $out/vmlinuz-$version"
done
