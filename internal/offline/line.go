package offline

import (
	"time"

	"github.com/oomtrace/oomtrace/internal/kmsg"
)

// Format names the form a line was saved in.
type Format uint8

const (
	// Plain is kernel text alone, with no time (dmesg -t, journalctl -o cat).
	Plain Format = iota
	// Kmsg is a raw /dev/kmsg record: "PRIO,SEQ,USEC,FLAG;text".
	Kmsg
	// Dmesg is dmesg's default "[ 1234.567890] text", also with the
	// facility and level of dmesg -x or the "<3>" of dmesg -r.
	Dmesg
	// DmesgCtime is dmesg -T: "[Fri Dec  4 16:14:36 2026] text".
	DmesgCtime
	// DmesgISO is dmesg --time-format iso: "2026-12-04T16:14:36,123456+00:00 text".
	DmesgISO
	// Syslog has a BSD stamp without a year: journalctl -k (short and
	// short-precise) and traditional kern.log lines.
	Syslog
	// SyslogISO has an RFC 3339 stamp: journalctl -o short-iso and
	// rsyslog's high-precision form.
	SyslogISO
	// JournalMonotonic is journalctl -o short-monotonic:
	// "[ 1234.567890] host kernel: text".
	JournalMonotonic
)

var formatNames = [...]string{"plain", "kmsg", "dmesg", "dmesg-T", "dmesg-iso",
	"syslog", "syslog-iso", "journal-monotonic"}

func (f Format) String() string {
	if int(f) < len(formatNames) {
		return formatNames[f]
	}
	return "unknown"
}

// Line is one kernel line recovered from a saved log.
type Line struct {
	// Record is the line as the live reader would have delivered it. Its
	// Facility is always 0 (the Scanner drops other sources' lines); Level
	// is 0 where the format does not state it; Seq is the kernel's
	// sequence number when HasSeq, else the line number.
	kmsg.Record
	// Number is the line's 1-based number in its input.
	Number int
	Format Format
	// HasSeq is true when Seq is the kernel's (raw /dev/kmsg records).
	HasSeq bool
	// HasSinceBoot is true when the line stated the kernel's timestamp
	// (Record.SinceBoot); plain text and most wall-clock forms do not.
	HasSinceBoot bool
	// Wall is the line's absolute time; zero when the format has none.
	Wall time.Time
}

// MaxReportedLines bounds the unusable line numbers kept in Stats.
const MaxReportedLines = 5

// Stats count what a Scanner did with its input's lines.
type Stats struct {
	Lines   int // lines read
	Kernel  int // kernel lines delivered
	Foreign int // lines of other sources: user space in /dev/kmsg, other syslog tags
	Skipped int // blank lines, "# " comments, continuation lines, journal markers
	// Unusable lines are in no known format, or in a known one but broken
	// (bad header or stamp, control bytes, longer than MaxLine).
	Unusable int
	// FirstUnusable holds the numbers of the first MaxReportedLines of them.
	FirstUnusable []int
	// ByFormat counts the kernel lines by format.
	ByFormat map[Format]int
}
