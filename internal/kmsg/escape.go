package kmsg

// DecodeEscapes undoes the escaping /dev/kmsg applies to message text (and
// that dmesg and journalctl keep in their output): every
// byte outside printable ASCII, and the backslash itself, arrives as \xNN.
// A backslash that does not start a well-formed \xNN sequence is kept as it
// is, so decoding never fails. A string without backslash is returned
// without copying.
func DecodeEscapes[T ~string | ~[]byte](s T) string {
	first := -1
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			first = i
			break
		}
	}
	if first < 0 {
		return string(s)
	}

	out := make([]byte, 0, len(s))
	for i := 0; i < first; i++ {
		out = append(out, s[i])
	}
	for i := first; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+3 < len(s) && s[i+1] == 'x' {
			hi, okHi := hexValue(s[i+2])
			lo, okLo := hexValue(s[i+3])
			if okHi && okLo {
				out = append(out, hi<<4|lo)
				i += 3
				continue
			}
		}
		out = append(out, c)
	}
	return string(out)
}

func hexValue(c byte) (byte, bool) {
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
