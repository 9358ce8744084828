package offline

import "github.com/oomtrace/oomtrace/internal/kmsg"

// looksLikeKmsg reports whether t starts like a raw /dev/kmsg record,
// "PRIO,SEQ,". A line that does but then fails to parse is unusable rather
// than taken for text.
func looksLikeKmsg(t string) bool {
	i := digitsAt(t, 0)
	if i == 0 || i >= len(t) || t[i] != ',' {
		return false
	}
	j := digitsAt(t, i+1)
	return j > i+1 && j < len(t) && t[j] == ','
}

// kmsgLine parses a raw record. Records of user space (facility 1 and up,
// anything written to /dev/kmsg) are another source's.
func kmsgLine(raw []byte) (Line, verdict) {
	rec, err := kmsg.ParseRecord(raw)
	if err != nil {
		return Line{}, unusable
	}
	if rec.Facility != 0 {
		return Line{}, foreign
	}
	return Line{Record: rec, Format: Kmsg, HasSeq: true, HasSinceBoot: true}, kernel
}

// digitsAt returns the index after the ASCII digits of t starting at i.
func digitsAt(t string, i int) int {
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	return i
}
