package kmsg

// Small allocation-free number scanners for the fixed parts of OOM lines.

// leadingUint splits s into the decimal number it starts with and the rest.
// ok is false when s does not start with a digit or the number exceeds max.
func leadingUint(s string, max uint64) (n uint64, rest string, ok bool) {
	i := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		d := uint64(s[i] - '0')
		if n > (max-d)/10 {
			return 0, s, false
		}
		n = n*10 + d
	}
	return n, s[i:], i > 0
}

// leadingInt is leadingUint with an optional minus sign, bounded by ±max.
func leadingInt(s string, max int64) (n int64, rest string, ok bool) {
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		s = s[1:]
	}
	u, rest, ok := leadingUint(s, uint64(max))
	if neg {
		return -int64(u), rest, ok
	}
	return int64(u), rest, ok
}

// wholeUint parses s as a decimal number and nothing else.
func wholeUint(s string, max uint64) (uint64, bool) {
	n, rest, ok := leadingUint(s, max)
	return n, ok && rest == ""
}

// pidMax bounds pids: the kernel's PID_MAX_LIMIT on 64-bit.
const pidMax = 4 << 20

// fieldUint parses "<key>N<unit>" at the start of s, for example
// "total-vm:1234kB", and returns the rest after it.
func fieldUint(s, key, unit string) (n uint64, rest string, ok bool) {
	if len(s) < len(key) || s[:len(key)] != key {
		return 0, s, false
	}
	n, rest, ok = leadingUint(s[len(key):], 1<<62)
	if !ok || len(rest) < len(unit) || rest[:len(unit)] != unit {
		return 0, s, false
	}
	return n, rest[len(unit):], true
}
