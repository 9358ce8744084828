package offline

import (
	"strings"
	"time"

	"github.com/oomtrace/oomtrace/internal/kmsg"
)

// Syslog and journal lines: a stamp, the host, the tag, the message.
//
//	Dec  4 16:14:36 host kernel: [ 1234.567890] text   (kern.log)
//	Dec 04 16:14:36.123456 host kernel: text           (journalctl -k, short-precise)
//	2026-12-04T16:14:36+0000 host kernel: text         (journalctl -o short-iso)
//	2026-12-04T16:14:36.123456+00:00 host kernel: text (rsyslog)
//
// Only the tag "kernel" is the kernel's. A line of another program logged
// under that tag cannot be told apart.

// bsdLine reads a line with a BSD stamp: no year, local time.
func (s *Scanner) bsdLine(t string) (Line, verdict) {
	wall, rest, ok := s.cutBSD(t)
	if !ok {
		return Line{}, unusable
	}
	return s.syslogRest(rest, wall, Syslog)
}

// isoLine reads a line with an RFC 3339 stamp: a syslog or journal line,
// or dmesg --time-format iso, whose fraction follows a comma.
func (s *Scanner) isoLine(t string) (Line, verdict) {
	stamp, rest, _ := strings.Cut(t, " ")
	wall, comma, ok := parseISO(stamp, s.opt.Location)
	if !ok {
		return Line{}, unusable
	}
	if comma {
		return s.dmesgBody(t, 0, 0)
	}
	return s.syslogRest(rest, wall, SyslogISO)
}

// syslogRest reads "host tag: text" after the stamp.
func (s *Scanner) syslogRest(rest string, wall time.Time, f Format) (Line, verdict) {
	host, tag, text, ok := cutHostTag(rest)
	if !ok {
		if strings.TrimSpace(rest) == "" {
			return Line{}, unusable
		}
		// "-- MARK --", "last message repeated N times" and the like.
		return Line{}, foreign
	}
	l, v := s.syslogText(host, tag, text, f)
	l.Wall = wall
	return l, v
}

// syslogText takes the message of a kernel-tagged line: the kernel's own
// stamp may lead it (rsyslog's imklog keeps it), then a caller id.
func (s *Scanner) syslogText(host, tag, text string, f Format) (Line, verdict) {
	s.host = host
	if tag != "kernel" {
		return Line{}, foreign
	}
	l := Line{Format: f}
	if since, rest, ok := cutMonotonic(text); ok {
		l.SinceBoot, l.HasSinceBoot, text = since, true, rest
	}
	l.Caller, text = cutCaller(text)
	l.Text = kmsg.DecodeEscapes(text)
	return l, kernel
}

// cutHostTag splits "host tag: text"; the tag is one word ending in ':'
// ("kernel:", "sshd[812]:").
func cutHostTag(t string) (host, tag, text string, ok bool) {
	host, rest, ok := strings.Cut(t, " ")
	if !ok || host == "" {
		return "", "", "", false
	}
	word, text, _ := strings.Cut(rest, " ")
	tag, ok = strings.CutSuffix(word, ":")
	if !ok || tag == "" {
		return "", "", "", false
	}
	return host, tag, text, true
}

var months = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
	"Oct", "Nov", "Dec"}

// looksLikeBSD reports whether t starts with "Mmm dd hh:mm:ss".
func looksLikeBSD(t string) bool {
	return len(t) >= 15 && indexOf(months, t[:3]) >= 0 && t[3] == ' ' &&
		(t[4] == ' ' || isDigit(t[4])) && isDigit(t[5]) && t[6] == ' ' &&
		isDigit(t[7]) && isDigit(t[8]) && t[9] == ':' && isDigit(t[10]) &&
		isDigit(t[11]) && t[12] == ':' && isDigit(t[13]) && isDigit(t[14])
}

// cutBSD parses "Mmm dd hh:mm:ss[.ffffff] " in the scanner's zone, with
// the year inferred.
func (s *Scanner) cutBSD(t string) (time.Time, string, bool) {
	month := time.Month(indexOf(months, t[:3]) + 1)
	day := int(t[5]-'0') + 10*int(max(t[4], '0')-'0')
	hour := int(t[7]-'0')*10 + int(t[8]-'0')
	minute := int(t[10]-'0')*10 + int(t[11]-'0')
	sec := int(t[13]-'0')*10 + int(t[14]-'0')

	rest := t[15:]
	var nsec int
	if strings.HasPrefix(rest, ".") {
		end := digitsAt(rest, 1)
		if end == 1 {
			return time.Time{}, t, false
		}
		nsec = fraction(rest[1:end])
		rest = rest[end:]
	}
	if !strings.HasPrefix(rest, " ") || hour > 23 || minute > 59 || sec > 60 {
		return time.Time{}, t, false
	}
	wall, ok := s.withYear(month, day, hour, minute, sec, nsec)
	return wall, rest[1:], ok
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// fraction turns the digits after a decimal point into nanoseconds.
func fraction(digits string) int {
	n, scale := 0, 100_000_000
	for i := 0; i < len(digits) && scale > 0; i++ {
		n += int(digits[i]-'0') * scale
		scale /= 10
	}
	return n
}
