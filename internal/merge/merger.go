package merge

import (
	"time"

	"github.com/oomtrace/oomtrace/internal/kmsg"
	"github.com/oomtrace/oomtrace/internal/probe"
)

// Config says which sources are live and how to read their clocks.
type Config struct {
	// EBPF and Kmsg tell which sources feed the Merger. With one source
	// there is nothing to wait for and records go out at once.
	EBPF, Kmsg bool
	// Wait is how long a fact from one source waits for the other before
	// it is emitted alone (or, for a mark that killed nothing, dropped).
	Wait time.Duration
	// Wall turns a time since boot into wall time. eBPF gives
	// CLOCK_BOOTTIME; the kernel log's clock stops during suspend, so its
	// times drift by the time spent suspended.
	Wall func(sinceBoot time.Duration) time.Time
	// MaxPending bounds what is held; past it the oldest goes out early.
	MaxPending int
	// BootID, when set, prefixes every record's ID.
	BootID string
	// Started is the kernel-log time (since boot) at which oomtrace
	// started: kills logged before it are marked Replayed.
	Started time.Duration
}

// Stats count what the Merger did.
type Stats struct {
	Emitted    uint64 // records written
	Replayed   uint64 // ... of kills from before the start
	Both       uint64 // ... with eBPF and kmsg merged
	EBPFOnly   uint64 // ... from eBPF alone
	KmsgOnly   uint64 // ... from the kernel log alone
	NotKilled  uint64 // marks dropped: the victim was already exiting
	Disagreed  uint64 // kmsg named another OOM cgroup than eBPF found
	ForcedOut  uint64 // emitted early because MaxPending was reached
	PendingNow int    // held right now
}

type pendingEvent struct {
	ev       probe.Event
	deadline time.Time
}

type pendingKill struct {
	k        kmsg.Kill
	deadline time.Time
}

// Merger correlates the two sources. It is not safe for concurrent use:
// one goroutine feeds it and calls Expire.
type Merger struct {
	cfg    Config
	emit   func(OomInstance)
	events []pendingEvent
	kills  []pendingKill
	stats  Stats
}

// New returns a Merger that hands every finished record to emit.
func New(cfg Config, emit func(OomInstance)) *Merger {
	if cfg.MaxPending <= 0 {
		cfg.MaxPending = 4096
	}
	if cfg.Wall == nil {
		cfg.Wall = func(d time.Duration) time.Time { return time.Unix(0, 0).Add(d) }
	}
	return &Merger{cfg: cfg, emit: emit}
}

// AddEvent takes one eBPF event; now is the caller's clock.
func (m *Merger) AddEvent(e probe.Event, now time.Time) {
	for i, p := range m.kills {
		if p.k.Pid == e.Tid {
			m.kills = append(m.kills[:i], m.kills[i+1:]...)
			m.out(m.build(&e, &p.k))
			return
		}
	}
	if !m.cfg.Kmsg {
		m.finishEvent(e)
		return
	}
	if len(m.events) >= m.cfg.MaxPending {
		m.stats.ForcedOut++
		m.finishEvent(m.events[0].ev)
		m.events = m.events[1:]
	}
	m.events = append(m.events, pendingEvent{ev: e, deadline: now.Add(m.cfg.Wait)})
}

// AddKill takes one "Killed process" fact from the kernel log.
func (m *Merger) AddKill(k kmsg.Kill, now time.Time) {
	for i, p := range m.events {
		if p.ev.Tid == k.Pid {
			m.events = append(m.events[:i], m.events[i+1:]...)
			m.out(m.build(&p.ev, &k))
			return
		}
	}
	if !m.cfg.EBPF {
		m.out(m.build(nil, &k))
		return
	}
	if len(m.kills) >= m.cfg.MaxPending {
		m.stats.ForcedOut++
		m.out(m.build(nil, &m.kills[0].k))
		m.kills = m.kills[1:]
	}
	m.kills = append(m.kills, pendingKill{k: k, deadline: now.Add(m.cfg.Wait)})
}

// Expire finishes everything whose wait ended by now.
func (m *Merger) Expire(now time.Time) {
	for len(m.events) > 0 && !now.Before(m.events[0].deadline) {
		m.finishEvent(m.events[0].ev)
		m.events = m.events[1:]
	}
	for len(m.kills) > 0 && !now.Before(m.kills[0].deadline) {
		m.out(m.build(nil, &m.kills[0].k))
		m.kills = m.kills[1:]
	}
}

// Flush finishes everything held, at shutdown.
func (m *Merger) Flush() {
	for _, p := range m.events {
		m.finishEvent(p.ev)
	}
	for _, p := range m.kills {
		m.out(m.build(nil, &p.k))
	}
	m.events, m.kills = nil, nil
}

// OldestPendingSeq is the lowest kernel-log sequence number of a kill
// still held; false when none is held. Everything below it is written.
func (m *Merger) OldestPendingSeq() (uint64, bool) {
	if len(m.kills) == 0 {
		return 0, false
	}
	oldest := m.kills[0].k.Seq
	for _, p := range m.kills[1:] {
		oldest = min(oldest, p.k.Seq)
	}
	return oldest, true
}

// Stats returns the counts so far.
func (m *Merger) Stats() Stats {
	s := m.stats
	s.PendingNow = len(m.events) + len(m.kills)
	return s
}

// finishEvent emits an event that found no kernel-log partner, unless the
// kernel marked a victim without killing it.
func (m *Merger) finishEvent(e probe.Event) {
	if e.KillKnown && !e.Killed {
		m.stats.NotKilled++
		return
	}
	m.out(m.build(&e, nil))
}

func (m *Merger) out(r OomInstance) {
	m.stats.Emitted++
	if r.Replayed {
		m.stats.Replayed++
	}
	switch len(r.Sources) {
	case 2:
		m.stats.Both++
	case 1:
		if r.Sources[0] == SourceEBPF {
			m.stats.EBPFOnly++
		} else {
			m.stats.KmsgOnly++
		}
	}
	m.emit(r)
}
