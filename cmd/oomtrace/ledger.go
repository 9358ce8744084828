package main

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"strings"
	"time"
)

// ledger is what the output file already says about this boot: the kills
// written before a restart. The state file is written after the records it
// covers, so a crash between the two would otherwise repeat them.
type ledger struct {
	seqs map[uint64]bool
	tids map[int]time.Time
}

// ledgerTail bounds how much of the output file is read at start.
const ledgerTail = 8 << 20

// readLedger reads the tail of the output file for records of bootID. A
// missing or unreadable file is an empty ledger.
func readLedger(path, bootID string) ledger {
	l := ledger{seqs: map[uint64]bool{}, tids: map[int]time.Time{}}
	f, err := os.Open(path)
	if err != nil {
		return l
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && info.Size() > ledgerTail {
		f.Seek(info.Size()-ledgerTail, io.SeekStart)
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var r struct {
			ID      string  `json:"id"`
			KmsgSeq *uint64 `json:"kmsg_seq"`
			Tid     int     `json:"tid"`
			Time    string  `json:"time"`
		}
		if json.Unmarshal(sc.Bytes(), &r) != nil || !strings.HasPrefix(r.ID, bootID+"/") {
			continue
		}
		if r.KmsgSeq != nil {
			l.seqs[*r.KmsgSeq] = true
		}
		if t, err := time.Parse(time.RFC3339Nano, r.Time); err == nil {
			l.tids[r.Tid] = t
		}
	}
	return l
}

// has tells whether a kill the kernel log reports was written already:
// the same record (sequence number), or the same victim within a second
// (written from eBPF alone before its log line was read).
func (l ledger) has(seq uint64, tid int, at time.Time) bool {
	if l.seqs[seq] {
		return true
	}
	t, ok := l.tids[tid]
	if !ok {
		return false
	}
	d := at.Sub(t)
	return d < time.Second && d > -time.Second
}
