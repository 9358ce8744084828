package kmsg

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"time"
)

// Record is one kernel log record as /dev/kmsg presents it.
type Record struct {
	// Facility and Level come from the record's priority
	// (facility<<3 | level). The kernel itself writes facility 0; anything
	// written to /dev/kmsg from user space has facility 1 or more.
	Facility, Level int
	// Seq is the record's sequence number; it grows by one per record.
	Seq uint64
	// SinceBoot is the record's timestamp on the kernel's local clock, which
	// stops during suspend.
	SinceBoot time.Duration
	// Caller is the printk caller id ("T123" for a task, "C1" for a CPU in
	// interrupt context); empty unless the kernel was built with
	// CONFIG_PRINTK_CALLER (5.1 and later) and the source kept it.
	Caller string
	// Text is the first line of the message with \xNN escapes decoded; the
	// KEY=VALUE continuation lines are dropped.
	Text string
}

// ErrMalformed is wrapped by every error about a record that does not follow
// the /dev/kmsg format.
var ErrMalformed = errors.New("malformed kmsg record")

// ParseRecord parses one record in the format read(2) returns from
// /dev/kmsg: "PRIORITY,SEQ,USEC,FLAG[,caller=T123][,...];TEXT", optionally
// followed by a newline and continuation lines that start with a space.
// The flag and unknown header fields are ignored. It never panics; errors
// wrap ErrMalformed.
func ParseRecord(raw []byte) (Record, error) {
	head, body, ok := bytes.Cut(raw, []byte{';'})
	if !ok {
		return Record{}, fmt.Errorf("%w: no ';' after the header", ErrMalformed)
	}
	if bytes.IndexByte(head, '\n') >= 0 {
		return Record{}, fmt.Errorf("%w: header spans lines", ErrMalformed)
	}

	var rec Record
	field, head, _ := bytes.Cut(head, []byte{','})
	prio, err := parseHeaderNumber(field, "priority", math.MaxInt32)
	if err != nil {
		return Record{}, err
	}
	rec.Facility, rec.Level = int(prio>>3), int(prio&7)

	field, head, _ = bytes.Cut(head, []byte{','})
	if rec.Seq, err = parseHeaderNumber(field, "sequence number", math.MaxUint64); err != nil {
		return Record{}, err
	}

	field, head, _ = bytes.Cut(head, []byte{','})
	usec, err := parseHeaderNumber(field, "timestamp", math.MaxInt64/1000)
	if err != nil {
		return Record{}, err
	}
	rec.SinceBoot = time.Duration(usec) * time.Microsecond

	// The flag comes next, then optional fields such as caller=.
	for len(head) > 0 {
		field, head, _ = bytes.Cut(head, []byte{','})
		if id, ok := bytes.CutPrefix(field, []byte("caller=")); ok {
			rec.Caller = string(id)
		}
	}

	if line, _, ok := bytes.Cut(body, []byte{'\n'}); ok {
		body = line
	}
	rec.Text = DecodeEscapes(body)
	return rec, nil
}

func parseHeaderNumber(field []byte, name string, limit uint64) (uint64, error) {
	// By hand: strconv would need the field as a string, one allocation
	// per header field of every record.
	if len(field) == 0 {
		return 0, fmt.Errorf("%w: empty %s", ErrMalformed, name)
	}
	if len(field) > 20 {
		return 0, fmt.Errorf("%w: bad %s %q", ErrMalformed, name, field)
	}
	var n uint64
	for _, c := range field {
		d := uint64(c - '0')
		if d > 9 || n > (math.MaxUint64-d)/10 {
			return 0, fmt.Errorf("%w: bad %s %q", ErrMalformed, name, field)
		}
		n = n*10 + d
	}
	if n > limit {
		return 0, fmt.Errorf("%w: bad %s %q", ErrMalformed, name, field)
	}
	return n, nil
}
