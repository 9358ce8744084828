package main

import (
	"os"
	"syscall"
	"time"

	log "github.com/sirupsen/logrus"
)

// loop feeds the merger until SIGINT or SIGTERM (or until stdout's reader
// has gone), then drains both sources, flushes what the merger holds and
// reports the counters. SIGUSR1 reports the counters without stopping;
// SIGHUP reopens the output file (log rotation). It returns the exit
// status: 1 when records could not be written (other than to a pipe whose
// reader left, which is how a filter ends), else 0.
func (d *daemon) loop(sigs <-chan os.Signal) int {
	readerLeft := false
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	audit := time.NewTicker(5 * time.Second)
	defer audit.Stop()
	events, items := d.events, d.log.items()
	gone := d.out.readerGone()
	for events != nil || items != nil {
		select {
		case e, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			d.merger.AddEvent(e, time.Now())
		case it, ok := <-items:
			if !ok {
				items = nil
				continue
			}
			d.takeLogItem(it)
		case <-tick.C:
			d.merger.Expire(time.Now())
			d.resume.save(d.merger, false)
		case <-audit.C:
			d.warnDrops()
			d.checkAudit()
			d.out.retry()
		case <-gone:
			log.Info("stopping: the reader of stdout has gone")
			d.stopSources()
			gone, sigs, readerLeft = nil, nil, true
		case s := <-sigs:
			switch s {
			case syscall.SIGUSR1:
				d.report("oomtrace counters")
			case syscall.SIGHUP:
				log.Info("reopening the output")
				d.out.reopen()
			default:
				log.WithField("signal", s).Info("stopping: draining sources")
				d.stopSources()
				gone, sigs = nil, nil
			}
		}
	}
	d.merger.Flush()
	d.resume.save(d.merger, true)
	d.resume.close()
	d.out.close()
	d.report("oomtrace stopped")
	d.closeProbe()
	if o := d.out.stats(); !readerLeft && (o.Dropped > 0 || o.Queued > 0) {
		log.WithFields(log.Fields{"dropped": o.Dropped, "unwritten": o.Queued}).
			Error("records were lost: the output could not be written")
		return 1
	}
	return 0
}

func (d *daemon) takeLogItem(it kmsgItem) {
	if d.cutoff != 0 && it.isKill && it.kill.SinceBoot > d.cutoff {
		d.pastCutoff = true
	}
	if d.pastCutoff {
		return // after the stop: left for the next start
	}
	if it.isKill && !d.resume.written(it.kill, wallFromBoot(it.kill.SinceBoot)) {
		d.merger.AddKill(it.kill, time.Now())
	}
	d.resume.progress(it.seq)
}

// checkAudit warns when the kernel's own count of OOM kills and what
// oomtrace reported have disagreed for a while.
func (d *daemon) checkAudit() {
	s := d.merger.Stats()
	// The kernel counts a repeated kill of the same task twice.
	reported := s.Emitted - s.Replayed + s.Repeated
	kernel, diff, warn := d.audit.look(reported)
	if warn {
		log.WithFields(log.Fields{"kernel_oom_kills": kernel, "reported": reported,
			"missing": diff}).Warn("oomtrace's count of kills differs from the kernel's (/proc/vmstat oom_kill)")
	}
}

func (d *daemon) report(msg string) {
	s := d.merger.Stats()
	f := log.Fields{"emitted": s.Emitted, "both": s.Both, "ebpf_only": s.EBPFOnly,
		"kmsg_only": s.KmsgOnly, "replayed": s.Replayed, "not_killed": s.NotKilled,
		"already_written": d.resume.skipped, "pending": s.PendingNow,
		"oom_cgroup_disagreed": s.Disagreed, "late_partner": s.Late,
		"repeated_kill": s.Repeated}
	o := d.out.stats()
	f["written"], f["write_failed"], f["queued"], f["dropped"] = o.Written, o.Failed, o.Queued, o.Dropped
	if d.probe != nil {
		if c, err := d.probe.Counters(); err == nil {
			f["ebpf_events"], f["ringbuf_full"] = c.Events, c.RingbufFull
		}
	}
	if kernel, _, _ := d.audit.look(s.Emitted - s.Replayed); d.audit.ok {
		f["kernel_oom_kills"] = kernel
	}
	d.log.addStats(f)
	log.WithFields(f).Info(msg)
}
