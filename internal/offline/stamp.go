package offline

import (
	"strings"
	"time"
)

// Stamps inside square brackets: the kernel's time since boot, dmesg -T's
// ctime and the printk caller id.

// cutMonotonic parses "[ 1234.567890]" at the start of t and returns the
// time since boot (to the microsecond) and what follows, one space
// dropped.
func cutMonotonic(t string) (time.Duration, string, bool) {
	if !strings.HasPrefix(t, "[") {
		return 0, t, false
	}
	i := 1
	for i < len(t) && t[i] == ' ' {
		i++
	}
	secEnd := digitsAt(t, i)
	if secEnd == i || secEnd-i > 12 || secEnd >= len(t) || t[secEnd] != '.' {
		return 0, t, false
	}
	fracEnd := digitsAt(t, secEnd+1)
	if fracEnd == secEnd+1 || fracEnd >= len(t) || t[fracEnd] != ']' {
		return 0, t, false
	}

	var d time.Duration
	for _, c := range t[i:secEnd] {
		d = d*10 + time.Duration(c-'0')
	}
	d *= time.Second
	scale := 100 * time.Millisecond
	for _, c := range t[secEnd+1 : fracEnd] {
		d += time.Duration(c-'0') * scale
		scale /= 10
	}
	return d.Truncate(time.Microsecond), dropSpace(t[fracEnd+1:]), true
}

// ctimeLayout is dmesg -T's stamp, as ctime(3) writes it.
const ctimeLayout = "Mon Jan _2 15:04:05 2006"

// cutCtime parses "[Fri Dec  4 16:14:36 2026]" at the start of t, a local
// time in loc.
func cutCtime(t string, loc *time.Location) (time.Time, string, bool) {
	n := len(ctimeLayout)
	if len(t) < n+2 || t[0] != '[' || t[n+1] != ']' {
		return time.Time{}, t, false
	}
	wall, err := time.ParseInLocation(ctimeLayout, t[1:n+1], loc)
	if err != nil {
		return time.Time{}, t, false
	}
	return wall, dropSpace(t[n+2:]), true
}

// cutCaller drops a printk caller id, "[  T1234]" or "[    C1]", kept by
// kernels with CONFIG_PRINTK_CALLER; with or without a space before it.
func cutCaller(t string) (caller, rest string) {
	u := dropSpace(t)
	if !strings.HasPrefix(u, "[") {
		return "", t
	}
	i := 1
	for i < len(u) && u[i] == ' ' {
		i++
	}
	if i >= len(u) || (u[i] != 'T' && u[i] != 'C') {
		return "", t
	}
	end := digitsAt(u, i+1)
	if end == i+1 || end >= len(u) || u[end] != ']' {
		return "", t
	}
	return u[i:end], dropSpace(u[end+1:])
}

// stampLike reports whether a line starting with '[' holds a time in a
// form this package does not read (dmesg -H, --reltime, --delta, a cut
// line), as opposed to kernel text such as "[  pid  ]" or "[drm] ...".
func stampLike(t string) bool {
	content, _, closed := strings.Cut(t[1:], "]")
	if !closed {
		u := strings.TrimLeft(content, " ")
		return u != "" && u[0] >= '0' && u[0] <= '9'
	}
	return strings.ContainsAny(content, "0123456789") && strings.ContainsAny(content, ".:+<")
}

func dropSpace(t string) string {
	return strings.TrimPrefix(t, " ")
}
