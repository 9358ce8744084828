package offline

import "strings"

// decodeEscapes undoes the \xNN escaping of non-printable bytes that the
// kernel applies in /dev/kmsg and dmesg and journalctl apply in their
// output; a backslash not followed by two hex digits stays. kmsg.ParseRecord
// does the same for raw records.
func decodeEscapes(s string) string {
	if !strings.Contains(s, `\x`) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && s[i+1] == 'x' {
			hi, okHi := hexDigit(s[i+2])
			lo, okLo := hexDigit(s[i+3])
			if okHi && okLo {
				b.WriteByte(hi<<4 | lo)
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
