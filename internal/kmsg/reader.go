package kmsg

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/sirupsen/logrus"
)

// Start says where a Reader begins in the kernel's log buffer.
type Start int

const (
	// StartAtEnd delivers only records logged after the Reader opened
	// /dev/kmsg. It is the default: replaying the buffer would report old
	// kills as new ones after every restart of the daemon.
	StartAtEnd Start = iota
	// StartAtOldest delivers every record still in the buffer first.
	StartAtOldest
)

// Option configures a Reader.
type Option func(*Reader)

// WithStart sets where the first reading begins.
func WithStart(s Start) Option {
	return func(r *Reader) { r.start = s }
}

// WithResumeAfter delivers only records with a sequence number above seq,
// reading from the oldest record; a daemon that saved the last sequence
// number it handled resumes without duplicates, and records overwritten in
// between count as lost.
func WithResumeAfter(seq uint64) Option {
	return func(r *Reader) { r.seq = seqTracker{have: true, last: seq} }
}

// WithLogger sets where warnings go; the default is logrus's standard
// logger.
func WithLogger(log logrus.FieldLogger) Option {
	return func(r *Reader) { r.log = log }
}

// Reader follows /dev/kmsg with github.com/euank/go-kmsg-parser/v3 and
// delivers Records. It survives read errors and malformed records by
// reopening the device and resuming after the last record delivered, so no
// record is delivered twice; records the kernel overwrote before they were
// read are counted (Lost). Needs CAP_SYSLOG when kernel.dmesg_restrict=1.
//
// TODO: Records from a Reader have no Caller: the library drops header
// fields after the timestamp, so reports of several CPUs are told apart by
// the summary's pid only. Lift when the library exposes the header or the
// reader reads records itself.
type Reader struct {
	start Start
	log   logrus.FieldLogger
	seq   seqTracker
	lost  atomic.Uint64

	retryMin, retryMax time.Duration
}

// NewReader returns a Reader; it opens nothing until Run.
func NewReader(opts ...Option) *Reader {
	r := &Reader{
		start:    StartAtEnd,
		log:      logrus.StandardLogger(),
		retryMin: 100 * time.Millisecond,
		retryMax: 5 * time.Second,
	}
	for _, opt := range opts {
		opt(r)
	}
	return r
}

// Lost returns how many records were lost to gaps in the sequence (the
// kernel overwrote them before they were read). Safe to call while Run
// runs.
func (r *Reader) Lost() uint64 {
	return r.lost.Load()
}

// Run delivers records to out, in sequence order, until ctx is done, and
// then returns ctx.Err(). It returns an error at once if /dev/kmsg cannot
// be opened the first time; after that it retries with a growing delay.
// Run must not be called concurrently with itself.
func (r *Reader) Run(ctx context.Context, out chan<- Record) error {
	delay := r.retryMin
	opened, stuck := false, 0

	for {
		seekEnd := stuck >= 2 || (!r.seq.have && r.start == StartAtEnd)
		progress, err := r.session(ctx, out, seekEnd)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var openErr *openError
		if errors.As(err, &openErr) && !opened {
			return err
		}
		opened = opened || !errors.As(err, &openErr)

		// A record that breaks the library stops it at the same place after
		// every reopen; twice without progress, skip to the end.
		if progress {
			stuck, delay = 0, r.retryMin
		} else {
			stuck++
		}
		r.log.WithError(err).WithField("retry", delay).Warn("kmsg: reading stopped; reopening")

		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay = min(2*delay, r.retryMax)
	}
}

// openError marks a failure to open /dev/kmsg.
type openError struct{ err error }

func (e *openError) Error() string {
	return fmt.Sprintf("open /dev/kmsg: %v (needs CAP_SYSLOG when kernel.dmesg_restrict=1)",
		e.err)
}

func (e *openError) Unwrap() error { return e.err }
