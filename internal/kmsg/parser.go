package kmsg

import "strings"

// Parser turns kernel log records into kills. It keeps one report in
// progress per printk caller id (records without one share a single
// report) and a few recent summaries; its memory use is bounded. A Parser
// is not safe for concurrent use.
type Parser struct {
	slots    slots
	unparsed uint64
	// taskInPending caches slots.pendingTaskIn for the fast path.
	taskInPending bool
}

// NewParser returns a Parser with no report in progress.
func NewParser() *Parser {
	return &Parser{}
}

const (
	groupMarker  = " are going to be killed due to memory.oom.group set"
	exitingLine  = " is already exiting. Skip killing the task"
	noKillPrefix = "Out of memory and no killable processes"
	memcgPrefix  = "Memory cgroup out of memory"
	globalPrefix = "Out of memory"
)

// Feed takes records in sequence order. It returns a Kill, and true, when r
// is a "Killed process" line; other lines of an OOM report are kept as
// context for the kills that follow. Records of a facility other than the
// kernel's (0) are ignored: user space can write any text to /dev/kmsg.
// Records unrelated to OOM are rejected by substring checks alone, without
// allocating.
func (p *Parser) Feed(r Record) (Kill, bool) {
	if r.Facility != 0 {
		return Kill{}, false
	}
	t := r.Text

	if strings.Contains(t, killedMarker) {
		if k, ok := parseKilled(t); ok {
			return p.onKilled(r, k), true
		}
		if strings.Contains(t, "total-vm:") {
			p.unparsed++
		}
	}

	switch {
	case strings.HasPrefix(t, "oom-kill:"):
		p.onSummary(r)
	case strings.Contains(t, startMarker):
		p.onStart(r)
	case strings.HasPrefix(t, "CPU: ") || strings.HasPrefix(t, "Pid: "):
		p.onStack(r)
	case strings.Contains(t, decisionMarker):
		p.onDecision(r)
	case strings.HasSuffix(t, groupMarker):
		p.onGroup(r)
	case strings.HasSuffix(t, exitingLine) || strings.HasPrefix(t, noKillPrefix):
		p.onNoKill(r)
	case strings.HasPrefix(t, taskInPrefix):
		p.onTaskIn(r)
	case p.taskInPending:
		p.onFragment(r)
	}
	return Kill{}, false
}

// Unparsed counts kernel records that look like a "Killed process" line
// (marker and figures) but did not parse: kills of a format this parser
// does not know, which callers should make visible.
func (p *Parser) Unparsed() uint64 { return p.unparsed }

// fresh returns the report of r's caller, replaced by a new one when the
// current one cannot take the line (keep reports whether it can).
func (p *Parser) fresh(r Record, keep func(*report) bool) *report {
	rep := &p.slots.get(r.Caller, r.Seq).rep
	if !rep.open || rep.claimed || rep.closed || !keep(rep) {
		*rep = report{open: true, id: r.Seq}
	}
	return rep
}

// onStart always begins a new report: the start line is the first line.
func (p *Parser) onStart(r Record) {
	s, ok := parseStart(r.Text)
	if !ok {
		return
	}
	rep := p.fresh(r, func(*report) bool { return false })
	rep.hasStart, rep.start = true, s
	p.taskInPending = p.slots.pendingTaskIn()
}

// onStack takes the trigger pid from the stack dump that follows a start
// line, provided the comm matches: dump_stack() runs for warnings too.
func (p *Parser) onStack(r Record) {
	c := p.slots.find(r.Caller, r.Seq)
	if c == nil {
		return
	}
	rep := &c.rep
	if !rep.hasStart || rep.claimed || rep.closed || rep.triggerPid != 0 ||
		rep.hasSummary || rep.hasDecision {
		return
	}
	pid, fromComm, ok := parseStackLine(r.Text)
	if ok && commStarts(fromComm, rep.start.triggerComm) {
		rep.triggerPid = pid
	}
}

func (p *Parser) onSummary(r Record) {
	s, ok := parseSummary(r.Text)
	if !ok {
		return
	}
	rep := p.fresh(r, func(rep *report) bool {
		return !rep.hasSummary && !rep.hasDecision && !rep.legacy.hasCgroups
	})
	rep.hasSummary, rep.sum = true, s
	rep.legacy.pending = false
	p.slots.remember(*rep)
	p.taskInPending = p.slots.pendingTaskIn()
}

func (p *Parser) onTaskIn(r Record) {
	rep := p.fresh(r, func(rep *report) bool {
		return !rep.hasSummary && !rep.hasDecision && !rep.legacy.hasCgroups &&
			!rep.legacy.pending
	})
	rep.legacy.start(r.Text)
	p.taskInPending = p.slots.pendingTaskIn()
}

func (p *Parser) onFragment(r Record) {
	if c := p.slots.find(r.Caller, r.Seq); c != nil && c.rep.legacy.fragment(r.Text) {
		p.taskInPending = p.slots.pendingTaskIn()
	}
}

// onDecision: before 5.1 every kill is preceded by its decision line, so a
// decision after a claimed report starts a report-less OOM of its own.
func (p *Parser) onDecision(r Record) {
	d, ok := parseDecision(r.Text)
	if !ok {
		return
	}
	rep := p.fresh(r, func(rep *report) bool { return !rep.hasDecision })
	rep.hasDecision, rep.dec = true, d
	rep.legacy.pending = false
	p.taskInPending = p.slots.pendingTaskIn()
}

// onGroup opens a claimed report to the group members killed next. A
// second announcement means a new OOM whose report was rate-limited away.
//
// TODO: the first kill of such a new OOM precedes its announcement and is
// taken for a member of the old group. Lift if the kernel ever marks the
// end of a group kill, or by matching against the cgroup's member list.
func (p *Parser) onGroup(r Record) {
	c := p.slots.find(r.Caller, r.Seq)
	if c == nil || !c.rep.claimed || c.rep.closed {
		return
	}
	if c.rep.group {
		c.rep = report{}
		return
	}
	c.rep.group = true
}

// onNoKill closes a report that ends without a kill, so that later kills
// of rate-limited OOMs do not take it. A group's members are unaffected.
func (p *Parser) onNoKill(r Record) {
	c := p.slots.find(r.Caller, r.Seq)
	if c != nil && c.rep.open && !c.rep.claimed {
		c.rep.closed = true
		c.rep.legacy.pending = false
		p.taskInPending = p.slots.pendingTaskIn()
	}
}
