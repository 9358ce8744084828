package offline

import (
	"bytes"
	"strings"

	"github.com/oomtrace/oomtrace/internal/kmsg"
)

// classify tells what one line is and, for a kernel line, converts it. The
// formats are tried from the most to the least distinctive; plain text is
// what remains.
func (s *Scanner) classify(raw []byte) (Line, verdict) {
	if bytes.IndexByte(raw, 0x1b) >= 0 {
		raw = stripColors(raw)
	}
	if hasControlBytes(raw) {
		return Line{}, unusable
	}
	t := string(raw)

	switch {
	case strings.TrimSpace(t) == "":
		return Line{}, skipped
	case t[0] == ' ' || t[0] == '\t':
		if s.prev == familyKmsg || s.prev == familySyslog {
			return Line{}, skipped
		}
		return s.note(plainLine(t), kernel, familyDmesg)
	case t == "#" || strings.HasPrefix(t, "# "):
		return Line{}, skipped
	case strings.HasPrefix(t, "-- ") && strings.HasSuffix(t, " --"):
		// journalctl's "-- Boot ... --", "-- No entries --" and the like.
		return Line{}, skipped
	case looksLikeKmsg(t):
		l, v := kmsgLine(raw)
		return s.note(l, v, familyKmsg)
	case t[0] == '<':
		l, v := s.dmesgRawLine(t)
		return s.note(l, v, familyDmesg)
	case looksLikeISO(t):
		l, v := s.isoLine(t)
		fam := familySyslog
		if l.Format == DmesgISO {
			fam = familyDmesg
		}
		return s.note(l, v, fam)
	case looksLikeBSD(t):
		l, v := s.bsdLine(t)
		return s.note(l, v, familySyslog)
	}

	if fac, lvl, rest, ok := cutDecodedPrefix(t); ok {
		l, v := s.dmesgBody(rest, fac, lvl)
		return s.note(l, v, familyDmesg)
	}
	if t[0] == '[' {
		return s.bracketLine(t)
	}
	return s.note(plainLine(t), kernel, familyDmesg)
}

// note remembers the family of a line that was not skipped.
func (s *Scanner) note(l Line, v verdict, f family) (Line, verdict) {
	s.prev = f
	return l, v
}

// hasControlBytes finds bytes no text log holds (tab aside): a binary file
// or a corrupted one. The kernel, dmesg and journalctl escape them.
func hasControlBytes(b []byte) bool {
	for _, c := range b {
		if (c < 0x20 && c != '\t') || c == 0x7f {
			return true
		}
	}
	return false
}

// stripColors removes the SGR sequences of dmesg --color=always.
func stripColors(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] == 0x1b && i+1 < len(b) && b[i+1] == '[' {
			j := i + 2
			for j < len(b) && (b[j] >= '0' && b[j] <= '9' || b[j] == ';') {
				j++
			}
			if j < len(b) && b[j] == 'm' {
				i = j
				continue
			}
		}
		out = append(out, b[i])
	}
	return out
}

func plainLine(text string) Line {
	l := Line{Format: Plain}
	l.Text = kmsg.DecodeEscapes(text)
	return l
}
