#!/bin/sh
# Print the Debian archive URI this machine's apt configuration uses for
# the suite given as $1 (default bookworm), taken from
# /etc/apt/sources.list and /etc/apt/sources.list.d/*.list and *.sources.
# Only entries with the main component count; the first one wins.
# Exit status 1 when none names the suite.
set -eu
suite=${1:-bookworm}
etc=${APT_ETC:-/etc/apt}

one_line() {
	# deb [options] URI suite component...
	sed -e 's/#.*//' "$@" 2>/dev/null | awk -v suite="$suite" '
		$1 != "deb" { next }
		{
			i = 2
			if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
			uri = $i; s = $(i + 1)
			for (j = i + 2; j <= NF; j++)
				if (s == suite && $j == "main") { print uri; exit }
		}'
}

deb822() {
	# Stanzas separated by blank lines; fields Types, URIs, Suites, Components.
	awk -v suite="$suite" '
		function flush() {
			if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ") &&
			    (" " comps " ") ~ / main / && uris != "") {
				split(uris, u, " "); print u[1]; found = 1; exit
			}
			types = uris = suites = comps = ""
		}
		/^[ \t]*#/ { next }
		/^[ \t]*$/ { flush(); next }
		{
			key = tolower($1); sub(/:$/, "", key)
			val = $0; sub(/^[^:]*:[ \t]*/, "", val)
			if (key == "types") types = val
			else if (key == "uris") uris = val
			else if (key == "suites") suites = val
			else if (key == "components") comps = val
		}
		END { if (!found) flush() }' "$@" 2>/dev/null
}

for f in "$etc/sources.list" "$etc"/sources.list.d/*.list; do
	[ -f "$f" ] || continue
	uri=$(one_line "$f")
	if [ -n "$uri" ]; then echo "${uri%/}"; exit 0; fi
done
for f in "$etc"/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	uri=$(deb822 "$f")
	if [ -n "$uri" ]; then echo "${uri%/}"; exit 0; fi
done
echo "no apt source for suite $suite (main) in $etc" >&2
exit 1
