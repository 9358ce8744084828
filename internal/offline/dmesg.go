package offline

import (
	"strconv"
	"strings"

	"github.com/oomtrace/oomtrace/internal/kmsg"
)

// dmesg output: "[ 1234.567890] text", "[Fri Dec  4 16:14:36 2026] text",
// "2026-12-04T16:14:36,123456+00:00 text" (--time-format iso), each maybe
// preceded by "kern  :err   : " (-x) or "<3>" (-r), or text alone (-t).

// dmesgRawLine reads dmesg -r: "<PRIO>" then the line.
func (s *Scanner) dmesgRawLine(t string) (Line, verdict) {
	end := strings.IndexByte(t, '>')
	if end < 2 || digitsAt(t, 1) != end || end > 11 {
		return Line{}, unusable
	}
	prio, err := strconv.Atoi(t[1:end])
	if err != nil {
		return Line{}, unusable
	}
	return s.dmesgBody(t[end+1:], prio>>3, prio&7)
}

// facilities and levels are the names dmesg -x prints, by number.
var facilities = []string{"kern", "user", "mail", "daemon", "auth", "syslog", "lpr",
	"news", "uucp", "cron", "authpriv", "ftp", "res0", "res1", "res2", "res3",
	"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"}

var levels = []string{"emerg", "alert", "crit", "err", "warn", "notice", "info", "debug"}

// cutDecodedPrefix reads dmesg -x's "kern  :err   : ". matched is true
// when t has that shape; fac is -1 when the names are unknown.
func cutDecodedPrefix(t string) (fac, lvl int, rest string, matched bool) {
	name, after, ok := strings.Cut(t, ":")
	if !ok || len(after) < 2 {
		return 0, 0, t, false
	}
	lname, rest, ok := strings.Cut(after, ":")
	if !ok || !strings.HasPrefix(rest, " ") {
		return 0, 0, t, false
	}
	name, lname = strings.TrimRight(name, " "), strings.TrimRight(lname, " ")
	if !isLowerWord(name) || !isLowerWord(lname) {
		return 0, 0, t, false
	}
	fac, lvl = indexOf(facilities, name), indexOf(levels, lname)
	if fac < 0 || lvl < 0 {
		return -1, -1, rest[1:], true
	}
	return fac, lvl, rest[1:], true
}

// dmesgBody reads what follows the -x or -r prefix, or a whole line: an
// optional stamp, an optional caller id, the text.
func (s *Scanner) dmesgBody(t string, fac, lvl int) (Line, verdict) {
	switch {
	case fac < 0 || lvl < 0:
		return Line{}, unusable
	case fac != 0:
		return Line{}, foreign
	}
	l := Line{Format: Plain}
	l.Level = lvl

	if since, rest, ok := cutMonotonic(t); ok {
		l.Format, l.SinceBoot, l.HasSinceBoot, t = Dmesg, since, true, rest
	} else if wall, rest, ok := cutCtime(t, s.opt.Location); ok {
		l.Format, l.Wall, t = DmesgCtime, wall, rest
	} else if looksLikeISO(t) {
		stamp, rest, _ := strings.Cut(t, " ")
		wall, comma, ok := parseISO(stamp, s.opt.Location)
		if !ok || !comma {
			return Line{}, unusable
		}
		l.Format, l.Wall, t = DmesgISO, wall, rest
	} else if strings.HasPrefix(t, "[") && stampLike(t) {
		return Line{}, unusable
	}

	l.Caller, t = cutCaller(t)
	l.Text = kmsg.DecodeEscapes(t)
	return l, kernel
}

// bracketLine reads a line starting with '[': dmesg with a stamp,
// journalctl -o short-monotonic, or kernel text.
func (s *Scanner) bracketLine(t string) (Line, verdict) {
	if since, rest, ok := cutMonotonic(t); ok {
		if host, tag, text, ok := cutHostTag(rest); ok && s.isJournal(host, tag) {
			l, v := s.syslogText(host, tag, text, JournalMonotonic)
			if !l.HasSinceBoot {
				l.SinceBoot, l.HasSinceBoot = since, true
			}
			return s.note(l, v, familySyslog)
		}
	}
	l, v := s.dmesgBody(t, 0, 0)
	return s.note(l, v, familyDmesg)
}

// isJournal tells a short-monotonic journal line from dmesg text that
// happens to read "word word: ...": its tag is the kernel's, names a pid,
// or its host is the one of the syslog lines before it.
func (s *Scanner) isJournal(host, tag string) bool {
	return tag == "kernel" || strings.HasSuffix(tag, "]") || (s.host != "" && host == s.host)
}

func isLowerWord(w string) bool {
	if w == "" {
		return false
	}
	for _, c := range w {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}
