package kmsg

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"iter"
)

// maxStreamLine bounds one line of a stream; the kernel's own records are
// far shorter (a few KiB at most).
const maxStreamLine = 1 << 20

// ParseStream reads records in the text form /dev/kmsg hands out, one record
// per line, as saved by `cat /dev/kmsg` or kept in testdata. Continuation
// lines (starting with a space), empty lines and lines starting with '#'
// (comments, which the kernel never writes) are skipped. A malformed line
// yields an error naming its line number and reading goes on; a read error
// yields an error and ends the sequence.
func ParseStream(r io.Reader) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 0, 64*1024), maxStreamLine)

		for n := 1; sc.Scan(); n++ {
			line := bytes.TrimSuffix(sc.Bytes(), []byte{'\r'})
			if len(line) == 0 || line[0] == ' ' || line[0] == '#' {
				continue
			}

			rec, err := ParseRecord(line)
			if err != nil {
				err = fmt.Errorf("line %d: %w", n, err)
			}
			if !yield(rec, err) {
				return
			}
		}
		if err := sc.Err(); err != nil {
			yield(Record{}, fmt.Errorf("read kmsg stream: %w", err))
		}
	}
}
