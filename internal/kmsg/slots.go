package kmsg

// Bounded state of the parser: one report per printk caller, and the most
// recent summaries for matching a kill by pid across interleaved reports.

const (
	// maxCallers bounds the reports in progress. The kernel serialises OOM
	// reports on oom_lock, so more than a few at once means stale ones.
	maxCallers = 8
	// maxRecent bounds the summaries kept for matching by pid.
	maxRecent = 8
)

type callerSlot struct {
	inUse   bool
	caller  string
	lastSeq uint64
	rep     report
}

type recentSummary struct {
	valid, used bool
	rep         report
}

type slots struct {
	callers [maxCallers]callerSlot
	recent  [maxRecent]recentSummary
	next    int
}

// find returns the slot of caller, or nil.
func (s *slots) find(caller string, seq uint64) *callerSlot {
	for i := range s.callers {
		c := &s.callers[i]
		if c.inUse && c.caller == caller {
			c.lastSeq = seq
			return c
		}
	}
	return nil
}

// get returns the slot of caller, taking a free or the least recently used
// one when caller has none.
func (s *slots) get(caller string, seq uint64) *callerSlot {
	if c := s.find(caller, seq); c != nil {
		return c
	}
	victim := &s.callers[0]
	for i := range s.callers {
		c := &s.callers[i]
		if !c.inUse {
			victim = c
			break
		}
		if c.lastSeq < victim.lastSeq {
			victim = c
		}
	}
	*victim = callerSlot{inUse: true, caller: caller, lastSeq: seq}
	return victim
}

// remember keeps a copy of a report that has a summary.
func (s *slots) remember(r report) {
	s.recent[s.next] = recentSummary{valid: true, rep: r}
	s.next = (s.next + 1) % maxRecent
}

// takeRecent returns the newest unused remembered report whose summary
// names pid, marked used, or nil.
func (s *slots) takeRecent(pid int) *report {
	for n := 1; n <= maxRecent; n++ {
		e := &s.recent[(s.next-n+maxRecent)%maxRecent]
		if e.valid && !e.used && e.rep.claimable(pid) {
			e.used = true
			return &e.rep
		}
	}
	return nil
}

// settle stores a claimed report in every place that keeps a copy of it.
func (s *slots) settle(r *report) {
	for i := range s.recent {
		if e := &s.recent[i]; e.valid && e.rep.id == r.id && &e.rep != r {
			e.used = true
		}
	}
	for i := range s.callers {
		if c := &s.callers[i]; c.inUse && c.rep.open && c.rep.id == r.id && &c.rep != r {
			c.rep = *r
		}
	}
}

// pendingTaskIn reports whether any report waits for a fragment of the
// legacy memory cgroup line.
func (s *slots) pendingTaskIn() bool {
	for i := range s.callers {
		if s.callers[i].inUse && s.callers[i].rep.legacy.pending {
			return true
		}
	}
	return false
}
