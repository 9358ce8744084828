package kmsg

// report gathers the lines of one OOM report as they arrive. The kernel
// prints a report (start line, stack, summary or legacy cgroup line) only
// for the first OOMs of a burst; the "Killed process" line that follows it
// claims it, and later kills without a report of their own do not.
type report struct {
	// open is set once any line of the report was seen; id is the sequence
	// number of that first line.
	open bool
	id   uint64

	hasStart   bool
	start      startLine
	triggerPid int

	hasSummary bool
	sum        summary
	legacy     taskIn

	hasDecision bool
	dec         decision

	// claimed: a "Killed process" line took the report. closed: the report
	// ended without a kill (victim already exiting, nothing killable).
	// group: memory.oom.group was announced after the claim, so the next
	// Killed lines are the group's members.
	claimed, closed, group bool

	// Split from the summary at claim time, when the victim's comm is known.
	oomCgroup, victimCgroup string
}

// claimable reports whether a "Killed process" line for pid can still take
// the report as its own. A summary names its victim, so it must match.
func (r *report) claimable(pid int) bool {
	if !r.open || r.claimed || r.closed {
		return false
	}
	return !r.hasSummary || r.sum.pid == pid
}

// hasContext reports whether the report holds any rate-limited part.
func (r *report) hasContext() bool {
	return r.hasStart || r.hasSummary || r.legacy.hasCgroups
}

// claim marks the report as taken by the kill of pid with the given comm.
func (r *report) claim(pid int, comm string) {
	r.claimed = true
	if r.hasSummary {
		r.oomCgroup, r.victimCgroup = r.sum.cgroupsFor(comm, r.sum.pid == pid)
	}
}

// isVictim reports whether the report's summary or kill decision names
// pid as the task it chose.
func (r *report) isVictim(pid int) bool {
	if r.hasSummary {
		return r.sum.pid == pid
	}
	return r.hasDecision && r.dec.pid == pid
}
