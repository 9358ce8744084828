package merge

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// displayComm makes a comm fit for JSON without losing bytes silently: a
// process sets its comm to any 15 bytes, and JSON strings hold only UTF-8.
// Valid UTF-8 stays as it is; each byte of an invalid sequence is written
// as the text \xNN, the kernel log's own escape. A comm that literally
// contains such text reads the same: the price of staying readable.
func displayComm(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		if r == utf8.RuneError && size <= 1 {
			fmt.Fprintf(&b, `\x%02x`, s[0])
			s = s[1:]
			continue
		}
		b.WriteString(s[:size])
		s = s[size:]
	}
	return b.String()
}
