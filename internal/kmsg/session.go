package kmsg

import (
	"context"
	"errors"
	"fmt"
	"strings"

	kmsgparser "github.com/euank/go-kmsg-parser/v3/kmsgparser"
	"github.com/sirupsen/logrus"
)

// errStreamEnded is returned when the library stops without an error,
// which happens only when its file is closed under it.
var errStreamEnded = errors.New("kmsg stream ended")

// session runs one library parser until it stops or ctx is done. progress
// is true when at least one new record was delivered.
func (r *Reader) session(ctx context.Context, out chan<- Record, seekEnd bool) (
	progress bool, err error) {
	cal := openCalibrator(seekEnd, r.log)
	defer cal.close()

	p, err := kmsgparser.NewParser(kmsgparser.WithLogger(libLogger{r.log}))
	if err != nil {
		return false, &openError{err}
	}
	if seekEnd {
		if err := p.SeekEnd(); err != nil {
			p.Close()
			return false, fmt.Errorf("seek /dev/kmsg: %w", err)
		}
	}

	msgs := make(chan kmsgparser.Message, 256)
	done := make(chan error, 1)
	go func() { done <- p.Parse(msgs) }()
	defer func() {
		p.Close()
		for range msgs {
		}
	}()

	for {
		select {
		case <-ctx.Done():
			return progress, ctx.Err()
		case m, ok := <-msgs:
			if !ok {
				if err := <-done; err != nil {
					return progress, err
				}
				return progress, errStreamEnded
			}
			delivered, ok := r.handle(ctx, out, cal, m)
			if !ok {
				return progress, ctx.Err()
			}
			progress = progress || delivered
		}
	}
}

// handle converts and delivers one message unless it was delivered
// before; ok is false when ctx ended while waiting on out.
func (r *Reader) handle(ctx context.Context, out chan<- Record, cal *calibrator,
	m kmsgparser.Message) (delivered, ok bool) {
	if m.SequenceNumber < 0 || m.Priority < 0 {
		r.log.WithField("seq", m.SequenceNumber).Warn("kmsg: record with negative header field")
		return false, true
	}
	rec := Record{
		Facility: m.Priority >> 3,
		Level:    m.Priority & 7,
		Seq:      uint64(m.SequenceNumber),
	}
	// Calibrate even on records delivered before: they are seen by both.
	rec.SinceBoot = cal.sinceBoot(rec.Seq, m.Timestamp)

	deliver, lost := r.seq.admit(rec.Seq)
	if lost > 0 {
		r.lost.Add(lost)
		r.log.WithFields(logrus.Fields{"lost": lost, "next_seq": rec.Seq}).
			Warn("kmsg: records overwritten before they were read")
	}
	if !deliver {
		return false, true
	}

	text, _, _ := strings.Cut(m.Message, "\n")
	rec.Text = DecodeEscapes(text)
	select {
	case out <- rec:
		return true, true
	case <-ctx.Done():
		return false, false
	}
}

// libLogger passes the library's messages to logrus.
type libLogger struct{ log logrus.FieldLogger }

func (l libLogger) Warningf(f string, args ...any) { l.log.Warnf("kmsg: "+f, args...) }
func (l libLogger) Infof(f string, args ...any)    { l.log.Debugf("kmsg: "+f, args...) }
func (l libLogger) Errorf(f string, args ...any)   { l.log.Warnf("kmsg: "+f, args...) }
