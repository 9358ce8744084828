package kmsg

import "strings"

// onKilled completes the kill parsed from a "Killed process" line with the
// report it belongs to: its caller's report when that one can take it (or
// is a memory.oom.group report whose members are being killed), else a
// recent summary naming the same pid (reports interleaved without caller
// ids), else none.
func (p *Parser) onKilled(r Record, k Kill) Kill {
	k.Seq, k.SinceBoot = r.Seq, r.SinceBoot

	var rep *report
	if c := p.slots.find(r.Caller, r.Seq); c != nil {
		switch {
		case c.rep.claimable(k.Pid):
			rep = &c.rep
			rep.claim(k.Pid, k.Comm)
		case c.rep.claimed && c.rep.group && !c.rep.closed:
			rep = &c.rep
		}
	}
	if rep == nil {
		if rep = p.slots.takeRecent(k.Pid); rep != nil {
			rep.claim(k.Pid, k.Comm)
		}
	}
	if rep != nil {
		rep.legacy.pending = false
		p.slots.settle(rep)
		p.taskInPending = p.slots.pendingTaskIn()
	}

	fillFromReport(&k, rep)
	return k
}

// fillFromReport sets the report fields of k. Kernels 5.0-5.2 printed
// CONSTRAINT_NONE for memory cgroup OOMs; a summary naming oom_memcg is
// taken as CONSTRAINT_MEMCG. Without cgroup facts the prefix of the Killed
// line (5.1+) or of the kill decision (before 5.1) tells memcg from global.
func fillFromReport(k *Kill, rep *report) {
	prefix := k.Prefix
	cgroupsKnown := false

	if rep != nil {
		k.HasReport = rep.hasContext()
		if rep.hasStart {
			k.TriggerComm = rep.start.triggerComm
			k.TriggerPid = rep.triggerPid
			k.GFPMask = rep.start.gfpMask
			k.Order, k.HasOrder = rep.start.order, rep.start.hasOrder
		}
		if prefix == "" && rep.hasDecision {
			prefix = rep.dec.prefix
		}

		victim := rep.isVictim(k.Pid)
		switch {
		case rep.hasSummary:
			k.Constraint = rep.sum.constraint
			memcg := strings.HasPrefix(rep.sum.cgroups, ",oom_memcg=")
			if memcg && k.Constraint == "CONSTRAINT_NONE" {
				k.Constraint = "CONSTRAINT_MEMCG"
			}
			k.GlobalOOM = rep.sum.global
			cgroupsKnown = memcg || rep.sum.global
			k.OomCgroup = rep.oomCgroup
			if victim {
				k.VictimCgroup = rep.victimCgroup
			}
		case rep.legacy.hasCgroups:
			k.Constraint = "CONSTRAINT_MEMCG"
			cgroupsKnown = true
			k.OomCgroup = rep.legacy.oom
			if victim {
				k.VictimCgroup = rep.legacy.victim
			}
		}
	}

	if !cgroupsKnown {
		switch {
		case prefix == memcgPrefix:
			if k.Constraint == "" {
				k.Constraint = "CONSTRAINT_MEMCG"
			}
		case strings.HasPrefix(prefix, globalPrefix):
			k.GlobalOOM = true
		}
	}
	if k.GlobalOOM {
		k.OomCgroup = "/"
	}
}
