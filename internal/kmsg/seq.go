package kmsg

// seqTracker drops records already delivered and measures gaps. The kernel
// numbers records one by one, so a jump in the sequence is the only trace
// of records overwritten before they were read.
type seqTracker struct {
	have bool
	last uint64
}

// admit reports whether the record seq is new and how many records were
// lost just before it. The first record sets the baseline.
func (t *seqTracker) admit(seq uint64) (deliver bool, lost uint64) {
	if !t.have {
		t.have, t.last = true, seq
		return true, 0
	}
	if seq <= t.last {
		return false, 0
	}
	lost = seq - t.last - 1
	t.last = seq
	return true, lost
}
