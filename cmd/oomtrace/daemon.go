package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	log "github.com/sirupsen/logrus"

	"github.com/oomtrace/oomtrace/internal/merge"
	"github.com/oomtrace/oomtrace/internal/probe"
)

// daemon owns the live sources and the merger; loop runs it until a signal.
type daemon struct {
	probe  *probe.Probe
	events chan probe.Event
	log    *kmsgSource
	merger *merge.Merger
	out    *lineWriter
	resume *resumer
	audit  *auditor

	ringbufFull uint64        // drops already warned about
	cutoff      time.Duration // kernel-log time past which nothing is taken; 0 while running
	pastCutoff  bool
}

// killedLineLag is how long after its mark a Killed line may be stamped.
const killedLineLag = 10 * time.Millisecond

func startDaemon(o options, variant probe.Variant, out *lineWriter) (*daemon, error) {
	d := &daemon{out: out, audit: newAuditor()}
	started := sinceBootNow()
	resume, at, err := newResumer(o)
	if err != nil {
		return nil, err
	}
	d.resume = resume
	mem := findMemoryHierarchy()
	log.WithFields(log.Fields{"cgroup_mode": mem.mode, "memory_v1": mem.v1,
		"memory_root": mem.root}).Info("cgroup layout")

	var probeErr error
	if o.mode == "ebpf" || o.mode == "auto" {
		probeErr = d.startProbe(variant, mem)
		if probeErr != nil && o.mode == "ebpf" {
			return nil, probeErr
		}
	}
	if o.mode == "kmsg" || o.mode == "auto" {
		if err := d.startKmsg(at); err != nil {
			if o.mode == "kmsg" {
				return nil, err
			}
			if probeErr != nil {
				return nil, fmt.Errorf("no source could start: eBPF: %w; %w", probeErr, err)
			}
			log.WithError(err).Warn("kernel log unavailable; running on eBPF alone " +
				"(no constraint or OOM cgroup from the kernel's report)")
		}
	}
	if probeErr != nil {
		log.WithError(probeErr).Warn("eBPF unavailable; running on the kernel log alone")
	}

	d.merger = merge.New(merge.Config{
		EBPF: d.probe != nil, Kmsg: d.log != nil,
		Wait: o.mergeWait, Wall: wallFromBoot,
		BootID: resume.bootID, Started: started,
	}, out.write)
	log.WithFields(log.Fields{"ebpf": d.probe != nil, "kmsg": d.log != nil,
		"output": o.output}).Info("oomtrace running")
	return d, nil
}

func (d *daemon) startProbe(variant probe.Variant, mem memoryHierarchy) error {
	if missing := missingForEBPF(); missing != nil {
		return privilegeError(missing)
	}
	p, err := probe.Open(probe.Options{Variant: variant, MemoryV1: mem.v1, CgroupRoot: mem.root})
	if err != nil {
		return fmt.Errorf("eBPF probe: %w", err)
	}
	d.probe = p
	d.events = make(chan probe.Event, 1024)
	log.WithFields(log.Fields{"variant": p.Variant(), "kills_watched": p.WatchesKills()}).
		Info("eBPF probe attached to oom/mark_victim")
	go d.readProbe()
	return nil
}

func (d *daemon) startKmsg(at kmsgStart) error {
	if missing := missingForKmsg(); missing != nil {
		return privilegeError(missing)
	}
	d.log = startKmsg(at)
	return nil
}

func (d *daemon) readProbe() {
	defer close(d.events)
	for {
		e, err := d.probe.Read()
		if errors.Is(err, probe.ErrDrained) || errors.Is(err, os.ErrClosed) {
			return
		}
		if err != nil {
			log.WithError(err).Warn("eBPF event unreadable")
			continue
		}
		d.events <- e
	}
}

func (d *daemon) closeProbe() {
	if d.probe != nil {
		d.probe.Close()
	}
}

// warnDrops says when the kernel side lost events since the last look:
// those kills can then only come from the kernel log.
func (d *daemon) warnDrops() {
	if d.probe == nil {
		return
	}
	c, err := d.probe.Counters()
	if err != nil {
		log.WithError(err).Debug("read eBPF counters")
		return
	}
	if c.RingbufFull > d.ringbufFull {
		log.WithFields(log.Fields{"lost": c.RingbufFull - d.ringbufFull,
			"lost_total": c.RingbufFull}).
			Warn("eBPF ring buffer was full: events lost; their kills come from the kernel log alone")
		d.ringbufFull = c.RingbufFull
	}
}

// stopSources stops both sources at one moment: the probe is detached and
// drained, and the kernel log is read on only up to that moment (plus the
// few ms a Killed line follows its mark), so that kills after the stop are
// neither half-reported from the log alone nor marked handled in the
// state: a restart reports them.
func (d *daemon) stopSources() {
	if d.probe != nil {
		if err := d.probe.Drain(); err != nil {
			log.WithError(err).Warn("drain ring buffer")
			d.probe.Close()
		}
	}
	d.cutoff = sinceBootNow() + killedLineLag
	d.log.stop()
}
