package offline

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"
)

// MaxLine bounds one line; longer lines are unusable. The kernel's own
// records are a few KiB at most.
const MaxLine = 1 << 20

// Options say how to read stamps that carry no zone or no year.
type Options struct {
	// Location is the zone of local-time stamps (dmesg -T, BSD syslog and
	// journalctl's short forms): that of the machine that printed them.
	// Default: time.Local, this machine's.
	Location *time.Location
	// Now anchors stamps without a year: each takes the latest year that
	// does not put it more than a day after Now. Default: time.Now().
	Now time.Time
}

// verdict is what a line turned out to be.
type verdict uint8

const (
	kernel verdict = iota
	foreign
	skipped
	unusable
)

// Scanner reads a saved log line by line and delivers its kernel lines. A
// Scanner is not safe for concurrent use.
type Scanner struct {
	r     *bufio.Reader
	opt   Options
	buf   []byte
	line  Line
	stats Stats
	err   error
	done  bool

	// prev is the format family of the last line that was not skipped:
	// after a raw record or a syslog line, an indented line continues it.
	prev family
	// host is the host name of the last syslog line, which tells
	// short-monotonic journal lines from dmesg lines.
	host string
}

// family groups the formats by what an indented line after them means.
type family uint8

const (
	familyNone family = iota
	familyKmsg
	familyDmesg
	familySyslog
)

// NewScanner returns a Scanner reading r, which must be plain text: see
// Decompress.
func NewScanner(r io.Reader, opt Options) *Scanner {
	if opt.Location == nil {
		opt.Location = time.Local
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	return &Scanner{r: bufio.NewReaderSize(r, 64*1024), opt: opt,
		stats: Stats{ByFormat: map[Format]int{}}}
}

// Scan advances to the next kernel line; false at the end of the input or
// on a read error (see Err).
func (s *Scanner) Scan() bool {
	for !s.done {
		raw, tooLong, err := s.readLine()
		if err != nil {
			s.done = true
			if !errors.Is(err, io.EOF) {
				s.err = err
			}
			if len(raw) == 0 && !tooLong {
				break
			}
		}
		s.stats.Lines++
		n := s.stats.Lines

		var l Line
		v := unusable
		if !tooLong {
			l, v = s.classify(raw)
		}
		switch v {
		case kernel:
			l.Number = n
			if !l.HasSeq {
				l.Seq = uint64(n)
			}
			s.line = l
			s.stats.Kernel++
			s.stats.ByFormat[l.Format]++
			return true
		case foreign:
			s.stats.Foreign++
		case skipped:
			s.stats.Skipped++
		case unusable:
			s.stats.Unusable++
			if len(s.stats.FirstUnusable) < MaxReportedLines {
				s.stats.FirstUnusable = append(s.stats.FirstUnusable, n)
			}
		}
	}
	return false
}

// Line returns the line Scan found.
func (s *Scanner) Line() Line { return s.line }

// Err returns the read error that ended the scan, if any.
func (s *Scanner) Err() error { return s.err }

// Stats returns the counts so far.
func (s *Scanner) Stats() Stats { return s.stats }

// readLine returns the next line without its line ending. A line over
// MaxLine is read to its end and reported as too long.
func (s *Scanner) readLine() (line []byte, tooLong bool, err error) {
	s.buf = s.buf[:0]
	for {
		frag, err := s.r.ReadSlice('\n')
		if len(s.buf)+len(frag) <= MaxLine+2 {
			s.buf = append(s.buf, frag...)
		} else {
			tooLong = true
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		line = bytes.TrimSuffix(bytes.TrimSuffix(s.buf, []byte{'\n'}), []byte{'\r'})
		if len(line) > MaxLine {
			tooLong = true
		}
		if err != nil && !errors.Is(err, io.EOF) {
			err = fmt.Errorf("read: %w", err)
		}
		return line, tooLong, err
	}
}
