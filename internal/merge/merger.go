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
	Late       uint64 // facts that came after their kill was written alone
	Repeated   uint64 // Killed lines repeating a kill already seen (oom.group)
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
	alone  recentAlone
	merged recentAlone // victims of the last records with both sources
	now    time.Time   // the caller's clock at its last call
}

// repeatWindow bounds how far apart the kernel repeats a Killed line: an
// oom.group kill kills the chosen victim first and then again with the
// rest of its cgroup, in the same report (two Killed lines, two counts in
// oom_kill, one mark: mark_oom_victim fires once per task).
const repeatWindow = 5 * time.Second

// recentAlone remembers the victims (tids) of the last records emitted from
// one source alone, so that the other source's fact arriving after the wait
// is recognised as the same kill and not written a second time.
type recentAlone struct {
	tids [256]int
	at   [256]time.Time
	next int
}

// lateWindow bounds how late a partner may come: a pid can be reused.
const lateWindow = 30 * time.Second

func (r *recentAlone) add(tid int, now time.Time) {
	r.tids[r.next], r.at[r.next] = tid, now
	r.next = (r.next + 1) % len(r.tids)
}

// take reports whether tid was emitted alone recently, and forgets it.
func (r *recentAlone) take(tid int, now time.Time) bool {
	for i, t := range r.tids {
		if t == tid && t != 0 && now.Sub(r.at[i]) < lateWindow {
			r.tids[i] = 0
			return true
		}
	}
	return false
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
	m.now = now
	if m.cfg.Kmsg && m.alone.take(e.Tid, now) {
		m.stats.Late++
		return
	}
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
	m.now = now
	if m.cfg.EBPF && m.alone.take(k.Pid, now) {
		m.stats.Late++
		return
	}
	if m.repeats(k.Pid, now) {
		m.stats.Repeated++
		return
	}
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

// repeats tells whether a Killed line for tid repeats a kill already
// held, or already written with its mark: every new victim is marked, so
// with eBPF on, a second Killed line without a mark is the same kill.
func (m *Merger) repeats(tid int, now time.Time) bool {
	for _, p := range m.kills {
		if p.k.Pid == tid {
			return true
		}
	}
	if !m.cfg.EBPF {
		return false
	}
	for _, p := range m.events {
		if p.ev.Tid == tid {
			return false // a mark waits for this line
		}
	}
	for i, t := range m.merged.tids {
		if t == tid && t != 0 && now.Sub(m.merged.at[i]) < repeatWindow {
			m.merged.tids[i] = 0
			return true
		}
	}
	return false
}

// Expire finishes everything whose wait ended by now.
func (m *Merger) Expire(now time.Time) {
	m.now = now
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
	if len(r.Sources) == 2 {
		m.merged.add(r.Tid, m.now)
	}
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
		if m.cfg.EBPF && m.cfg.Kmsg {
			m.alone.add(r.Tid, m.now)
		}
	}
	m.emit(r)
}
