package main

import (
	"fmt"
	"os"
	"time"

	log "github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"

	"github.com/oomtrace/oomtrace/internal/kmsg"
	"github.com/oomtrace/oomtrace/internal/merge"
)

// resumer carries oomtrace across restarts: it decides where the kernel log
// is read from, keeps the state file up to date, and filters out kills the
// output already holds.
type resumer struct {
	path    string // state file; empty: none
	bootID  string
	ledger  ledger
	handled uint64 // last kernel-log sequence number taken from the source
	saved   uint64
	dirty   bool
	last    time.Time
	skipped uint64 // kills not written again
	lock    *os.File
	failing bool // saving fails; warned once
}

// saveEvery bounds how often the state file is rewritten in a burst.
const saveEvery = 200 * time.Millisecond

// newResumer reads the boot id, the state file and the output's tail and
// says where the kernel log must start. A damaged state is a Warn and a
// fresh start; a state in use by another instance, or one that cannot be
// written, is an error: the configuration is wrong.
func newResumer(o options) (*resumer, kmsgStart, error) {
	r := &resumer{path: o.state}
	start := kmsgStart{oldest: o.replay}
	id, err := readBootID()
	if err != nil {
		log.WithError(err).Warn("no boot id: records get no id, state is not kept")
		r.path = ""
		return r, start, nil
	}
	r.bootID = id
	if o.output != "-" {
		r.ledger = readLedger(o.output, id)
	}
	if r.path == "" {
		return r, start, nil
	}
	lock, err := lockState(r.path)
	if err != nil {
		return nil, start, err
	}
	r.lock = lock
	s, found, err := loadState(r.path)
	if last, ok := lastKernelSeq(); err == nil && found && s.BootID == id && ok && s.KmsgSeq > last {
		err = fmt.Errorf("state is ahead of the kernel log (seq %d, kernel's last %d): damaged",
			s.KmsgSeq, last)
	}
	switch {
	case err != nil:
		log.WithError(err).Warn("state unusable; starting fresh")
	case !found:
		log.WithField("state", r.path).Info("no state yet; starting fresh")
	case s.BootID != id:
		log.WithField("state_boot_id", s.BootID).Info("state is from another boot; starting fresh")
	default:
		log.WithField("after_seq", s.KmsgSeq).
			Info("same boot as the state: catching up on kills from the kernel log")
		r.handled, r.saved = s.KmsgSeq, s.KmsgSeq
		return r, kmsgStart{resume: true, resumeAfter: s.KmsgSeq}, nil
	}
	// Write the fresh state now, so that a path that cannot hold it fails
	// at start rather than at the first kill: from the end of the kernel
	// log, or from its beginning when replaying.
	if last, ok := lastKernelSeq(); ok && !start.oldest {
		r.handled, r.saved = last, last
	}
	fresh := state{BootID: id, KmsgSeq: r.saved, Updated: time.Now().UTC()}
	if err := saveState(r.path, fresh); err != nil {
		return nil, start, err
	}
	return r, start, nil
}

// written tells whether the output already holds this kill (see ledger).
func (r *resumer) written(k kmsg.Kill, at time.Time) bool {
	if r.ledger.seqs == nil || !r.ledger.has(k.Seq, k.Pid, at) {
		return false
	}
	r.skipped++
	return true
}

// close releases the state lock.
func (r *resumer) close() {
	if r.lock != nil {
		r.lock.Close()
		r.lock = nil
	}
}

func (r *resumer) progress(seq uint64) {
	r.handled = seq
	r.dirty = true
}

// save records how far every kill has been written: up to the last record
// taken from the source, but below any kill the merger still holds.
// Without force it writes at most every saveEvery.
func (r *resumer) save(m *merge.Merger, force bool) {
	if r.path == "" || !r.dirty || (!force && time.Since(r.last) < saveEvery) {
		return
	}
	seq := r.handled
	if oldest, ok := m.OldestPendingSeq(); ok && oldest <= seq {
		seq = oldest - 1
	}
	r.last, r.dirty = time.Now(), false
	if seq == r.saved {
		return
	}
	err := saveState(r.path, state{BootID: r.bootID, KmsgSeq: seq, Updated: time.Now().UTC()})
	if err != nil {
		if !r.failing {
			log.WithError(err).Warn("state not saved; a restart may repeat or miss kills")
		}
		r.failing, r.dirty = true, true
		return
	}
	if r.failing {
		log.Info("state saved again")
	}
	r.failing, r.saved = false, seq
}

// sinceBootNow is the kernel log's clock now (CLOCK_MONOTONIC: the log's
// local clock also stops during suspend).
func sinceBootNow() time.Duration {
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return time.Duration(ts.Nano())
}
