package main

import (
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
}

// saveEvery bounds how often the state file is rewritten in a burst.
const saveEvery = 200 * time.Millisecond

// newResumer reads the boot id, the state file and the output's tail and
// says where the kernel log must start. Nothing here is fatal: a damaged
// state is a Warn and a fresh start.
func newResumer(o options) (*resumer, kmsgStart) {
	r := &resumer{path: o.state}
	start := kmsgStart{oldest: o.replay}
	id, err := readBootID()
	if err != nil {
		log.WithError(err).Warn("no boot id: records get no id, state is not kept")
		r.path = ""
		return r, start
	}
	r.bootID = id
	if o.output != "-" {
		r.ledger = readLedger(o.output, id)
	}
	if r.path == "" {
		return r, start
	}
	s, found, err := loadState(r.path)
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
		return r, kmsgStart{resume: true, resumeAfter: s.KmsgSeq}
	}
	return r, start
}

// written tells whether the output already holds this kill (see ledger).
func (r *resumer) written(k kmsg.Kill, at time.Time) bool {
	if r.ledger.seqs == nil || !r.ledger.has(k.Seq, k.Pid, at) {
		return false
	}
	r.skipped++
	return true
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
		log.WithError(err).Warn("state not saved; a restart may repeat or miss kills")
		return
	}
	r.saved = seq
}

// sinceBootNow is the kernel log's clock now (CLOCK_MONOTONIC: the log's
// local clock also stops during suspend).
func sinceBootNow() time.Duration {
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return time.Duration(ts.Nano())
}
