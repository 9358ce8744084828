package merge

import (
	"fmt"

	"github.com/oomtrace/oomtrace/internal/kmsg"
	"github.com/oomtrace/oomtrace/internal/probe"
)

// Source names as written in "sources".
const (
	SourceEBPF = "ebpf"
	SourceKmsg = "kmsg"
)

const constraintMemcg = "CONSTRAINT_MEMCG"

// build makes one record from an eBPF event, a kernel-log kill, or both.
// eBPF wins for the victim (it read the task itself); the kernel log wins
// for the constraint and the OOM domain, which it states outright where
// eBPF infers them from page counters.
func (m *Merger) build(e *probe.Event, k *kmsg.Kill) OomInstance {
	var r OomInstance
	if k != nil {
		m.fromKill(&r, k)
	}
	if e != nil {
		m.fromEvent(&r, e, k)
	}
	r.ProcessName = displayComm(r.ProcessName)
	r.TriggerProcessName = displayComm(r.TriggerProcessName)
	if m.cfg.BootID != "" {
		if k != nil {
			r.ID = fmt.Sprintf("%s/%d", m.cfg.BootID, k.Seq)
		} else {
			r.ID = fmt.Sprintf("%s/e%d", m.cfg.BootID, e.SinceBoot.Nanoseconds())
		}
	}
	return r
}

func (m *Merger) fromEvent(r *OomInstance, e *probe.Event, k *kmsg.Kill) {
	r.Sources = append([]string{SourceEBPF}, r.Sources...)
	r.Replayed = false // eBPF saw it live
	r.ProbeVariant = e.Variant.String()
	r.TimeOfDeath = m.cfg.Wall(e.SinceBoot)
	r.Tid = e.Tid
	if r.Pid == 0 {
		r.Pid = e.Tid
	}
	r.TriggerPid = ptr(e.TriggerPid)
	r.TriggerTid = ptr(e.TriggerTid)
	r.TriggerProcessName = e.TriggerComm

	if e.HasTask {
		r.Pid = e.Tgid
		r.ProcessName = e.Comm
		r.UID = ptr(e.UID)
		r.OomScoreAdj = ptr(e.OomScoreAdj)
		// The pid variant may know the task but not its cgroup (read
		// too late): then the kernel log's task_memcg stands.
		if e.VictimCgroup != "" && (!e.VictimCgroupPartial || r.ContainerName == "") {
			r.ContainerName = e.VictimCgroup
		}
		r.VictimCgroupID = e.VictimCgroupID
	}
	if e.HasMM {
		r.TotalVMKiB = ptr(e.TotalVMKiB)
		r.AnonRSSKiB = ptr(e.AnonRSSKiB)
		r.FileRSSKiB = ptr(e.FileRSSKiB)
		r.ShmemRSSKiB = ptr(e.ShmemRSSKiB)
		r.PgtablesKiB = ptr(e.PgtablesKiB)
	}

	logSaid := k != nil && (k.OomCgroup != "" || k.GlobalOOM)
	switch {
	case logSaid:
		if e.OomFound && e.OomCgroup != r.VictimContainerName {
			m.stats.Disagreed++
		}
		if e.OomFound {
			r.OomCgroupID = e.OomCgroupID
		}
	case e.OomFound:
		r.VictimContainerName = e.OomCgroup
		r.OomCgroupID = e.OomCgroupID
		r.SystemOOM = false
		if r.Constraint == "" {
			r.Constraint = constraintMemcg
		}
	case e.OomWalkCut || (k != nil && r.Constraint == constraintMemcg):
		// Ancestors were left unsearched, or the log's prefix says memcg
		// but names no cgroup and no counter pointed at one: leave the
		// domain unknown rather than guess.
	default:
		// No memory cgroup stood at its limit when the victim was
		// marked: the OOM was the machine's (or a cpuset's or a
		// mempolicy's, which only the kernel log can tell apart).
		r.VictimContainerName = "/"
		r.SystemOOM = true
	}
}

func (m *Merger) fromKill(r *OomInstance, k *kmsg.Kill) {
	r.Sources = []string{SourceKmsg}
	r.KmsgSeq = ptr(k.Seq)
	r.Replayed = m.cfg.Started > 0 && k.SinceBoot < m.cfg.Started
	r.TimeOfDeath = m.cfg.Wall(k.SinceBoot)
	if !k.WallTime.IsZero() {
		r.TimeOfDeath = k.WallTime
	}
	r.Pid = k.Pid
	if k.Tgid != 0 {
		r.Pid = k.Tgid
	}
	r.Tid = k.Pid
	r.ProcessName = k.Comm
	r.ContainerName = k.VictimCgroup
	r.VictimContainerName = k.OomCgroup
	r.Constraint = k.Constraint
	r.SystemOOM = k.GlobalOOM
	if k.GlobalOOM && r.VictimContainerName == "" {
		r.VictimContainerName = "/"
	}
	if k.TriggerPid != 0 {
		r.TriggerTid = ptr(k.TriggerPid)
	}
	r.TriggerProcessName = k.TriggerComm
	r.GFPMask = k.GFPMask
	if k.HasOrder {
		r.Order = ptr(k.Order)
	}
	if k.HasUID {
		r.UID = ptr(k.UID)
	}
	if k.HasOomScoreAdj {
		r.OomScoreAdj = ptr(k.OomScoreAdj)
	}
	r.TotalVMKiB = ptr(k.TotalVMKiB)
	r.AnonRSSKiB = ptr(k.AnonRSSKiB)
	r.FileRSSKiB = ptr(k.FileRSSKiB)
	if k.HasShmemRSS {
		r.ShmemRSSKiB = ptr(k.ShmemRSSKiB)
	}
	if k.HasPgtables {
		r.PgtablesKiB = ptr(k.PgtablesKiB)
	}
}

func ptr[T any](v T) *T { return &v }
