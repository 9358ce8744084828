package main

import (
	"context"
	"errors"
	"time"

	log "github.com/sirupsen/logrus"

	"github.com/oomtrace/oomtrace/internal/kmsg"
)

// kmsgSource follows /dev/kmsg and turns its records into kills. A nil
// *kmsgSource is a source that is off.
type kmsgSource struct {
	reader *kmsg.Reader
	out    chan kmsg.Kill
	cancel context.CancelFunc
	done   chan struct{}
}

// stopGrace lets the reader catch up with lines the kernel printed just
// before the stop, so that kills already seen by eBPF keep their details.
const stopGrace = 300 * time.Millisecond

func startKmsg() (*kmsgSource, error) {
	ctx, cancel := context.WithCancel(context.Background())
	s := &kmsgSource{
		reader: kmsg.NewReader(kmsg.WithStart(kmsg.StartAtEnd)),
		out:    make(chan kmsg.Kill, 1024),
		cancel: cancel,
		done:   make(chan struct{}),
	}
	records := make(chan kmsg.Record, 1024)
	errc := make(chan error, 1)
	go func() {
		errc <- s.reader.Run(ctx, records)
		close(records)
	}()
	go s.parse(records)

	// Run fails at once when /dev/kmsg cannot be opened.
	select {
	case err := <-errc:
		if err != nil && !errors.Is(err, context.Canceled) {
			cancel()
			return nil, err
		}
	case <-time.After(100 * time.Millisecond):
	}
	log.Info("kernel log source reading /dev/kmsg")
	return s, nil
}

func (s *kmsgSource) parse(records <-chan kmsg.Record) {
	defer close(s.out)
	p := kmsg.NewParser()
	for r := range records {
		if k, ok := p.Feed(r); ok {
			s.out <- k
		}
	}
}

func (s *kmsgSource) kills() <-chan kmsg.Kill {
	if s == nil {
		return nil
	}
	return s.out
}

func (s *kmsgSource) stop() {
	if s != nil {
		time.AfterFunc(stopGrace, s.cancel)
	}
}

func (s *kmsgSource) addStats(f log.Fields) {
	if s != nil {
		f["kmsg_lost"] = s.reader.Lost()
	}
}
