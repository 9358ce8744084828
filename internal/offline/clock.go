package offline

import "time"

// futureSlack lets a stamp without a year lie a little after Now: the log
// may come from a machine whose clock or zone differs a little.
const futureSlack = 24 * time.Hour

// withYear gives a BSD stamp, which has no year, the latest year that
// does not put it more than futureSlack after Now: a log read in January
// that starts in December is last year's. A day that does not exist in
// that year (29 February) takes the year before, up to eight back.
func (s *Scanner) withYear(month time.Month, day, hour, minute, sec, nsec int) (time.Time, bool) {
	if day < 1 || day > 31 {
		return time.Time{}, false
	}
	now := s.opt.Now.In(s.opt.Location)
	for y := now.Year() + 1; y > now.Year()-8; y-- {
		t := time.Date(y, month, day, hour, minute, sec, nsec, s.opt.Location)
		if t.Day() != day || t.After(now.Add(futureSlack)) {
			continue
		}
		return t, true
	}
	return time.Time{}, false
}

// looksLikeISO reports whether t starts with "YYYY-MM-DDT".
func looksLikeISO(t string) bool {
	return len(t) >= 11 && digitsAt(t, 0) == 4 && t[4] == '-' && digitsAt(t, 5) == 7 &&
		t[7] == '-' && digitsAt(t, 8) == 10 && t[10] == 'T'
}

// parseISO reads an RFC 3339 stamp in the forms journalctl, rsyslog and
// dmesg write: the fraction after '.' or ',' (comma reports which), the
// offset as Z, +hh:mm or +hhmm. A stamp without offset is local to loc.
func parseISO(stamp string, loc *time.Location) (t time.Time, comma bool, ok bool) {
	if len(stamp) < 19 {
		return time.Time{}, false, false
	}
	main, rest := stamp[:19], stamp[19:]

	frac := ""
	if rest != "" && (rest[0] == '.' || rest[0] == ',') {
		comma = rest[0] == ','
		end := digitsAt(rest, 1)
		if end == 1 {
			return time.Time{}, false, false
		}
		frac, rest = "."+rest[1:end], rest[end:]
	}

	zone := rest
	switch {
	case zone == "":
		t, err := time.ParseInLocation("2006-01-02T15:04:05.999999999", main+frac, loc)
		return t, comma, err == nil
	case zone == "Z" || zone == "z":
		zone = "Z"
	case len(zone) == 5 && (zone[0] == '+' || zone[0] == '-') && digitsAt(zone, 1) == 5:
		zone = zone[:3] + ":" + zone[3:]
	case len(zone) == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':':
	default:
		return time.Time{}, false, false
	}
	t, err := time.Parse(time.RFC3339Nano, main+frac+zone)
	return t, comma, err == nil
}
