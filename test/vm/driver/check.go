package main

import (
	"slices"
	"sort"

	"github.com/oomtrace/oomtrace/internal/kerneltruth"
)

// truth is what the kernel said about the kills of a scenario.
type truth struct {
	pids     []int // "Killed process" lines, in order
	summary  map[int]kerneltruth.Summary
	counted  int // the scenario cgroup's oom_kill growth (-1: not asked)
	machine  int // /proc/vmstat oom_kill growth
	counters string
}

// consistent wants the kernel's own sources to agree: as many Killed
// lines as /proc/vmstat counted, and as the cgroup counted.
func (t truth) consistent(v *verdict) {
	if t.machine != len(t.pids) {
		v.errorf("truth: /proc/vmstat counted %d kills, the log has %d Killed lines",
			t.machine, len(t.pids))
	}
	if t.counted >= 0 && t.counted != len(t.pids) {
		v.errorf("truth: the cgroup counted %d kills, the log has %d Killed lines",
			t.counted, len(t.pids))
	}
}

func distinct(pids []int) []int {
	out := slices.Clone(pids)
	slices.Sort(out)
	return slices.Compact(out)
}

// exactlyOnce wants one record per kill the kernel logged, nothing else.
func exactlyOnce(v *verdict, recs []record, killed []int) {
	got := map[int]int{}
	for _, r := range recs {
		got[r.Tid]++
	}
	var dup, extra, missing []int
	for tid, n := range got {
		if n > 1 {
			dup = append(dup, tid)
		}
		if !slices.Contains(killed, tid) {
			extra = append(extra, tid)
		}
	}
	for _, pid := range killed {
		if got[pid] == 0 {
			missing = append(missing, pid)
		}
	}
	sort.Ints(dup)
	sort.Ints(extra)
	if len(dup) > 0 {
		v.errorf("reported more than once: %v", dup)
	}
	if len(extra) > 0 {
		v.errorf("reported, but the kernel logged no kill: %v", extra)
	}
	if len(missing) > 0 {
		v.errorf("%d of %d kills not reported: %v", len(missing), len(killed), missing)
	}
}

// want is what every record of a scenario must say. A field that is not
// required may be empty (the source could not know) but never wrong.
type want struct {
	victim, domain, constraint string
	system                     bool
	victimRequired             bool
	domainRequired             bool
	ebpf                       bool   // every record must carry eBPF's part
	variant                    string // probe_variant of eBPF records
}

func (w want) check(v *verdict, r record) {
	if r.VictimCgroup != w.victim && (w.victimRequired || r.VictimCgroup != "") {
		v.errorf("pid %d: victim_cgroup %q, want %q", r.Tid, r.VictimCgroup, w.victim)
	}
	if r.OomCgroup != w.domain && (w.domainRequired || r.OomCgroup != "") {
		v.errorf("pid %d: oom_cgroup %q, want %q", r.Tid, r.OomCgroup, w.domain)
	}
	if r.Constraint != w.constraint && (w.domainRequired || r.Constraint != "") {
		v.errorf("pid %d: constraint %q, want %q", r.Tid, r.Constraint, w.constraint)
	}
	if r.SystemOOM != w.system && (w.domainRequired || r.OomCgroup != "") {
		v.errorf("pid %d: system_oom %v, want %v", r.Tid, r.SystemOOM, w.system)
	}
	hasEBPF := slices.Contains(r.Sources, "ebpf")
	if w.ebpf && !hasEBPF {
		v.errorf("pid %d: sources %v lack ebpf", r.Tid, r.Sources)
	}
	if hasEBPF && w.variant != "" && r.ProbeVariant != w.variant {
		v.errorf("pid %d: probe_variant %q, want %q", r.Tid, r.ProbeVariant, w.variant)
	}
}

// unknowns counts the records that left victim_cgroup or oom_cgroup empty.
func unknowns(recs []record) (victim, domain int) {
	for _, r := range recs {
		if r.VictimCgroup == "" {
			victim++
		}
		if r.OomCgroup == "" {
			domain++
		}
	}
	return victim, domain
}
