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

	ringbufFull uint64 // drops already warned about
}

func startDaemon(o options, variant probe.Variant, out *lineWriter) (*daemon, error) {
	d := &daemon{out: out}
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
		if err := d.startKmsg(); err != nil {
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

func (d *daemon) startKmsg() error {
	if missing := missingForKmsg(); missing != nil {
		return privilegeError(missing)
	}
	src, err := startKmsg()
	if err != nil {
		return fmt.Errorf("kernel log: %w", err)
	}
	d.log = src
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

// loop feeds the merger until a signal, then drains both sources, flushes
// what the merger holds and reports the counters.
func (d *daemon) loop(sigs <-chan os.Signal) {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	audit := time.NewTicker(5 * time.Second)
	defer audit.Stop()
	events, kills := d.events, d.log.kills()
	for events != nil || kills != nil {
		select {
		case e, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			d.merger.AddEvent(e, time.Now())
		case k, ok := <-kills:
			if !ok {
				kills = nil
				continue
			}
			d.merger.AddKill(k, time.Now())
		case <-tick.C:
			d.merger.Expire(time.Now())
		case <-audit.C:
			d.warnDrops()
		case s := <-sigs:
			log.WithField("signal", s).Info("stopping: draining sources")
			d.stopSources()
			sigs = nil
		}
	}
	d.merger.Flush()
	d.report()
	d.closeProbe()
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

func (d *daemon) stopSources() {
	if d.probe != nil {
		if err := d.probe.Drain(); err != nil {
			log.WithError(err).Warn("drain ring buffer")
			d.probe.Close()
		}
	}
	d.log.stop()
}

func (d *daemon) report() {
	s := d.merger.Stats()
	f := log.Fields{"emitted": s.Emitted, "both": s.Both, "ebpf_only": s.EBPFOnly,
		"kmsg_only": s.KmsgOnly, "not_killed": s.NotKilled,
		"oom_cgroup_disagreed": s.Disagreed, "write_failed": d.out.failed}
	if d.probe != nil {
		if c, err := d.probe.Counters(); err == nil {
			f["ebpf_events"], f["ringbuf_full"] = c.Events, c.RingbufFull
		}
	}
	d.log.addStats(f)
	log.WithFields(f).Info("oomtrace stopped")
}
