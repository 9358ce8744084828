package main

import (
	"context"
	"errors"
	"time"

	log "github.com/sirupsen/logrus"

	"github.com/oomtrace/oomtrace/internal/kmsg"
)

// kmsgItem is one kernel-log record handled: a kill, or only the progress
// its sequence number marks (what the state file records).
type kmsgItem struct {
	seq    uint64
	kill   kmsg.Kill
	isKill bool
}

// kmsgSource follows /dev/kmsg and turns its records into kills. A nil
// *kmsgSource is a source that is off.
type kmsgSource struct {
	reader *kmsg.Reader
	out    chan kmsgItem
	cancel context.CancelFunc
}

// stopGrace lets the reader catch up with lines the kernel printed just
// before the stop, so that kills already seen by eBPF keep their details.
const stopGrace = 300 * time.Millisecond

// kmsgStart says where reading begins: after a saved sequence number,
// at the oldest record (replay), or at the end of the buffer.
type kmsgStart struct {
	resumeAfter uint64
	resume      bool
	oldest      bool
}

func startKmsg(at kmsgStart) *kmsgSource {
	opts := []kmsg.Option{kmsg.WithStart(kmsg.StartAtEnd)}
	switch {
	case at.resume:
		opts = []kmsg.Option{kmsg.WithResumeAfter(at.resumeAfter)}
	case at.oldest:
		opts = []kmsg.Option{kmsg.WithStart(kmsg.StartAtOldest)}
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &kmsgSource{
		reader: kmsg.NewReader(opts...),
		out:    make(chan kmsgItem, 4096),
		cancel: cancel,
	}
	records := make(chan kmsg.Record, 1024)
	go func() {
		// Run fails only if /dev/kmsg cannot be opened at all, which the
		// privilege check before this has ruled out; later errors it
		// retries itself.
		if err := s.reader.Run(ctx, records); err != nil && !errors.Is(err, context.Canceled) {
			log.WithError(err).Error("kernel log source stopped")
		}
		close(records)
	}()
	go s.parse(records)
	log.Info("kernel log source reading /dev/kmsg")
	return s
}

func (s *kmsgSource) parse(records <-chan kmsg.Record) {
	defer close(s.out)
	p := kmsg.NewParser()
	for r := range records {
		before := p.Unparsed()
		k, ok := p.Feed(r)
		if p.Unparsed() != before {
			log.WithFields(log.Fields{"seq": r.Seq, "text": r.Text}).
				Warn("kernel log: a Killed process line in an unknown format; " +
					"that kill is reported only if eBPF saw it")
		}
		if ok {
			k.Tgid = resolveTgid(k, sinceBootNow())
		}
		s.out <- kmsgItem{seq: r.Seq, kill: k, isKill: ok}
	}
}

func (s *kmsgSource) items() <-chan kmsgItem {
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
