package main

import (
	"os/exec"
	"slices"
	"time"
)

// settle lets the kernel's OOM report rate limit (10 per 5 s) recover, so
// that the next scenario's reports are printed.
func settle() { time.Sleep(6 * time.Second) }

// cross: the limit sits on a parent, a large idle process in child a, an
// allocator in child b. The kernel kills the idle one for b's charge; the
// allocator may be killed too before the first victim's memory is freed.
func (g guest) cross() result {
	r := g.result("cross")
	var v verdict
	settle()
	parent, err := rootMemcg(g.v1).child("vmtest-cross", 96<<20)
	if err != nil {
		v.errorf("%v", err)
		return v.finish(r)
	}
	defer parent.remove()
	a, errA := parent.child("a", 0)
	b, errB := parent.child("b", 0)
	if errA != nil || errB != nil {
		v.errorf("create children: %v %v", errA, errB)
		return v.finish(r)
	}
	var hog, allocator *exec.Cmd
	tr, t, recs, err := observe(&parent, func() (err error) {
		if hog, err = spawn(a, "hog:64", "0"); err != nil {
			return err
		}
		if allocator, err = spawn(b, "alloc:64", "0"); err != nil {
			return err
		}
		allocator.Wait()
		return nil
	}, "--mode", "auto")
	if hog != nil {
		hog.Process.Kill()
		hog.Wait()
	}
	if err != nil {
		v.errorf("%v", err)
		return v.finish(r)
	}
	r.Kills, r.Records = len(t.pids), len(recs)
	r.Variant, _ = tr.variant()
	t.consistent(&v)
	if len(t.pids) == 0 || t.pids[0] != hog.Process.Pid {
		v.errorf("truth: kernel killed %v, want the hog %d first", t.pids, hog.Process.Pid)
		return v.finish(r)
	}
	for _, pid := range t.pids[1:] {
		if pid != allocator.Process.Pid {
			v.errorf("truth: kernel killed %v: more than the hog and the allocator", t.pids)
		}
	}
	exactlyOnce(&v, recs, t.pids)
	trigger := allocator.Process.Pid
	for _, rec := range recs {
		w := want{victim: a.rel, domain: parent.rel, constraint: "CONSTRAINT_MEMCG",
			victimRequired: true, domainRequired: true, ebpf: true}
		if rec.Tid == trigger {
			w.victim = b.rel
		}
		w.check(&v, rec)
		if rec.TriggerPid == nil || *rec.TriggerPid != trigger {
			v.errorf("pid %d: trigger_pid %v, want the allocator %d", rec.Tid,
				deref(rec.TriggerPid), trigger)
		}
	}
	v.notef("kernel killed %v (hog %d, allocator %d)", t.pids, hog.Process.Pid, trigger)
	return v.finish(r)
}

// group: memory.oom.group (cgroup v2) makes one OOM kill every process of
// the cgroup; each must be reported.
func (g guest) group() result {
	r := g.result("oom.group")
	var v verdict
	if g.v1 {
		r.Status, r.Detail = "SKIP", []string{"memory.oom.group is cgroup v2 only"}
		return r
	}
	settle()
	c, err := rootMemcg(false).child("vmtest-group", 64<<20)
	if err == nil {
		err = c.write("memory.oom.group", "1")
	}
	if err != nil {
		v.errorf("%v", err)
		return v.finish(r)
	}
	defer c.remove()
	var members []int
	groupBefore := c.counter("memory.events", "oom_group_kill")
	tr, t, recs, err := observe(&c, func() error {
		for i := 0; i < 3; i++ {
			hog, err := spawn(c, "hog:12", "0")
			if err != nil {
				return err
			}
			defer hog.Wait()
			members = append(members, hog.Process.Pid)
		}
		allocator, err := spawn(c, "alloc:64", "0")
		if err != nil {
			return err
		}
		members = append(members, allocator.Process.Pid)
		allocator.Wait()
		return nil
	}, "--mode", "auto")
	if err != nil {
		v.errorf("%v", err)
		return v.finish(r)
	}
	r.Kills, r.Records = len(t.pids), len(recs)
	r.Variant, _ = tr.variant()
	t.consistent(&v)
	for _, pid := range members {
		if !slices.Contains(t.pids, pid) {
			v.errorf("truth: kernel killed %v, not all of the group %v", t.pids, members)
		}
	}
	if groupBefore >= 0 {
		if n := c.counter("memory.events", "oom_group_kill") - groupBefore; n != 1 {
			v.errorf("truth: oom_group_kill grew by %d, want 1", n)
		}
	}
	// The kernel kills the chosen victim twice (first alone, then with the
	// group): one task, two Killed lines, one mark. One record is right.
	exactlyOnce(&v, recs, distinct(t.pids))
	w := want{victim: c.rel, domain: c.rel, constraint: "CONSTRAINT_MEMCG",
		victimRequired: r.Variant != "tracepoint+pid", domainRequired: true, ebpf: true}
	for _, rec := range recs {
		w.check(&v, rec)
	}
	v.notef("kernel killed %v, %d summaries", t.pids, len(t.summary))
	v.notef("oomtrace: %s", lastLine(tr.log()))
	return v.finish(r)
}

// global: no limit anywhere; a process eats the VM's memory. The driver,
// init and oomtrace run at oom_score_adj -1000.
func (g guest) global() result {
	r := g.result("global")
	var v verdict
	settle()
	c, err := rootMemcg(g.v1).child("vmtest-global", 0)
	if err != nil {
		v.errorf("%v", err)
		return v.finish(r)
	}
	defer c.remove()
	var eater *exec.Cmd
	tr, t, recs, err := observe(nil, func() (err error) {
		if eater, err = spawn(c, "eat", "1000"); err != nil {
			return err
		}
		eater.Wait()
		return nil
	}, "--mode", "auto")
	if err != nil {
		v.errorf("%v", err)
		return v.finish(r)
	}
	r.Kills, r.Records = len(t.pids), len(recs)
	r.Variant, _ = tr.variant()
	t.consistent(&v)
	if !slices.Contains(t.pids, eater.Process.Pid) {
		v.errorf("truth: kernel killed %v, not the eater %d", t.pids, eater.Process.Pid)
	}
	for pid, s := range t.summary {
		if !s.Global || s.Constraint != "CONSTRAINT_NONE" {
			v.errorf("truth: kernel's summary for %d: %+v, want a global OOM", pid, s)
		}
	}
	exactlyOnce(&v, recs, t.pids)
	for _, rec := range recs {
		w := want{victim: c.rel, domain: "/", constraint: "CONSTRAINT_NONE", system: true,
			victimRequired: r.Variant != "tracepoint+pid", domainRequired: true, ebpf: true}
		if _, printed := t.summary[rec.Tid]; !printed {
			// Without the kernel's report only the constraint is unknowable.
			w.domainRequired = false
			if rec.OomCgroup != "/" || !rec.SystemOOM {
				v.errorf("pid %d: oom_cgroup %q system_oom %v, want \"/\" true",
					rec.Tid, rec.OomCgroup, rec.SystemOOM)
			}
		}
		w.check(&v, rec)
	}
	v.notef("kernel killed %v (eater %d), %d summaries", t.pids, eater.Process.Pid, len(t.summary))
	return v.finish(r)
}

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}
