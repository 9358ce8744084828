package offline

import (
	"strings"
	"testing"
	"time"
)

// testNow is the clock of the tests: stamps without a year are read as
// of this instant.
var testNow = time.Date(2026, 12, 10, 12, 0, 0, 0, time.UTC)

func scanAll(t *testing.T, input string, loc *time.Location) ([]Line, Stats) {
	t.Helper()
	if loc == nil {
		loc = time.UTC
	}
	sc := NewScanner(strings.NewReader(input), Options{Location: loc, Now: testNow})
	var lines []Line
	for sc.Scan() {
		lines = append(lines, sc.Line())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines, sc.Stats()
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

const killed = "Memory cgroup out of memory: Killed process 7311 (stress-ng-vm) total-vm:76932kB"

// TestLineFormats converts one line of each form; want is the kernel line
// it must give, or none (want.Format == 0xff) when the line is another
// source's or unusable.
func TestLineFormats(t *testing.T) {
	const none = Format(0xff)
	sec := func(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
	tests := []struct {
		name, line string
		want       Line
		unusable   bool
	}{
		{"raw kmsg", "3,5221,1843210166,-;" + killed,
			Line{Format: Kmsg, HasSeq: true, HasSinceBoot: true}, false},
		{"raw kmsg caller", "3,5221,1843210166,-,caller=T7311;" + killed,
			Line{Format: Kmsg, HasSeq: true, HasSinceBoot: true}, false},
		{"raw kmsg from user space", "11,5222,1843210166,-;" + killed, Line{Format: none}, false},
		{"raw kmsg bad header", "3,5221,18432x0166,-;" + killed, Line{Format: none}, true},
		{"raw kmsg no text", "3,5221,1843210166,-", Line{Format: none}, true},

		{"dmesg", "[ 1843.210166] " + killed,
			Line{Format: Dmesg, HasSinceBoot: true}, false},
		{"dmesg caller", "[ 1843.210166] [  T7311] " + killed,
			Line{Format: Dmesg, HasSinceBoot: true}, false},
		{"dmesg caller kernel style", "[ 1843.210166][  T7311] " + killed,
			Line{Format: Dmesg, HasSinceBoot: true}, false},
		{"dmesg -x", "kern  :err   : [ 1843.210166] " + killed,
			Line{Format: Dmesg, HasSinceBoot: true}, false},
		{"dmesg -x user", "user  :err   : [ 1843.210166] " + killed, Line{Format: none}, false},
		{"dmesg -x unknown names", "kern  :bogus : [ 1843.210166] " + killed,
			Line{Format: none}, true},
		{"dmesg -x no time", "kern  :err   : " + killed, Line{Format: Plain}, false},
		{"dmesg -r", "<3>[ 1843.210166] " + killed, Line{Format: Dmesg, HasSinceBoot: true}, false},
		{"dmesg -r user", "<11>[ 1843.210166] " + killed, Line{Format: none}, false},
		{"dmesg -r bad", "<3x>[ 1843.210166] " + killed, Line{Format: none}, true},
		{"dmesg -T", "[Fri Dec  4 16:28:52 2026] " + killed,
			Line{Format: DmesgCtime, Wall: utc("2026-12-04T16:28:52Z")}, false},
		{"dmesg iso", "2026-12-04T16:28:52,270519+00:00 " + killed,
			Line{Format: DmesgISO, Wall: utc("2026-12-04T16:28:52.270519Z")}, false},
		{"dmesg -H", "[Dec 4 16:28] " + killed, Line{Format: none}, true},
		{"dmesg --reltime", "[  +0.000123] " + killed, Line{Format: none}, true},
		{"dmesg cut stamp", "[ 1843.2101", Line{Format: none}, true},
		{"plain", killed, Line{Format: Plain}, false},
		{"plain process table", "[   7311]     0  7311    19233     8263 stress-ng-vm",
			Line{Format: Plain}, false},

		{"journalctl short", "Dec 04 16:14:36 web1 kernel: " + killed,
			Line{Format: Syslog, Wall: utc("2026-12-04T16:14:36Z")}, false},
		{"journalctl short-precise", "Dec 04 16:14:36.123456 web1 kernel: " + killed,
			Line{Format: Syslog, Wall: utc("2026-12-04T16:14:36.123456Z")}, false},
		{"journalctl other tag", "Dec 04 16:14:36 web1 evil[99]: " + killed,
			Line{Format: none}, false},
		{"journalctl short-iso", "2026-12-04T16:14:36+0000 web1 kernel: " + killed,
			Line{Format: SyslogISO, Wall: utc("2026-12-04T16:14:36Z")}, false},
		{"journalctl short-iso colon", "2026-12-04T17:14:36+01:00 web1 kernel: " + killed,
			Line{Format: SyslogISO, Wall: utc("2026-12-04T16:14:36Z")}, false},
		{"journalctl short-monotonic", "[ 1843.210166] web1 kernel: " + killed,
			Line{Format: JournalMonotonic, HasSinceBoot: true}, false},
		{"journalctl short-monotonic other", "[ 1843.210166] web1 sshd[812]: " + killed,
			Line{Format: none}, false},
		{"kern.log", "Dec  4 16:14:36 web1 kernel: [ 1843.210166] " + killed,
			Line{Format: Syslog, Wall: utc("2026-12-04T16:14:36Z"), HasSinceBoot: true}, false},
		{"rsyslog", "2026-12-04T16:14:36.123456+00:00 web1 kernel: [ 1843.210166] " + killed,
			Line{Format: SyslogISO, Wall: utc("2026-12-04T16:14:36.123456Z"),
				HasSinceBoot: true}, false},
		{"syslog mark", "Dec  4 16:14:36 web1 -- MARK --", Line{Format: none}, false},
		{"syslog bad time", "Dec  4 25:14:36 web1 kernel: " + killed, Line{Format: none}, true},
		{"syslog no host", "Dec  4 16:14:36 ", Line{Format: none}, true},
		{"bad iso", "2026-13-04T16:14:36Z web1 kernel: " + killed, Line{Format: none}, true},
		{"control bytes", "\x00\x01\x02" + killed, Line{Format: none}, true},
		{"colors", "\x1b[32m[ 1843.210166]\x1b[0m " + killed,
			Line{Format: Dmesg, HasSinceBoot: true}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines, st := scanAll(t, tt.line+"\n", nil)
			if tt.unusable != (st.Unusable == 1) {
				t.Fatalf("unusable = %d, want %v", st.Unusable, tt.unusable)
			}
			if tt.want.Format == none {
				if len(lines) != 0 {
					t.Fatalf("got kernel line %+v, want none", lines[0])
				}
				return
			}
			if len(lines) != 1 {
				t.Fatalf("%d kernel lines, want 1 (stats %+v)", len(lines), st)
			}
			l := lines[0]
			if strings.HasSuffix(tt.line, killed) && l.Text != killed {
				t.Errorf("text %q", l.Text)
			}
			if l.Format != tt.want.Format || l.HasSeq != tt.want.HasSeq ||
				l.HasSinceBoot != tt.want.HasSinceBoot || !l.Wall.Equal(tt.want.Wall) {
				t.Errorf("got format %v seq %v/%v since %v/%v wall %v\nwant %v %v %v %v",
					l.Format, l.HasSeq, l.Seq, l.HasSinceBoot, l.SinceBoot, l.Wall,
					tt.want.Format, tt.want.HasSeq, tt.want.HasSinceBoot, tt.want.Wall)
			}
			if l.HasSinceBoot && l.SinceBoot != sec(1843.210166).Round(time.Microsecond) {
				t.Errorf("since boot %v", l.SinceBoot)
			}
			if l.HasSeq && l.Seq != 5221 || !l.HasSeq && l.Seq != 1 {
				t.Errorf("seq %d", l.Seq)
			}
			if strings.Contains(tt.line, "T7311") && l.Caller != "T7311" {
				t.Errorf("caller %q", l.Caller)
			}
		})
	}
}
